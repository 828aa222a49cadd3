"""Reads of accounts."""

from __future__ import annotations

from .models import User


def user_find(*, username: str) -> User | None:
    return User.objects.filter(username=username).first()
