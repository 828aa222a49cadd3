"""Fixtures of the cases tests (the personas are in haven/conftest.py)."""

from __future__ import annotations

from .document_helpers import clamd, document_root

__all__ = ["clamd", "document_root"]
