"""Files for the document tests, made here: a JPEG with GPS EXIF, a PNG bomb, a program."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from haven.cases.models import Case
from haven.common.tests.fake_clamd import clamd

from .factories import make_request

__all__ = ["clamd"]  # the fake scanner fixture, shared with intake's upload tests

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
CANARY = "CANARY-DOCUMENT-PASSPORT-P7731904"


def pdf(text: str = CANARY) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
        + f"% {text}\n".encode()
        + b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def jpeg_with_gps() -> bytes:
    """A photo as a phone takes it: EXIF with the camera's make and a GPS position (Kabul)."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CanaryPhoneMaker"  # Make
    exif[0x0132] = "2021:08:20 10:00:00"  # DateTime
    gps = {1: "N", 2: (34.0, 31.0, 0.0), 3: "E", 4: (69.0, 10.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"CanaryComment")
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims 10 billion pixels: decoding it would take gigabytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack("!L", len(data)) + body + struct.pack("!L", zlib.crc32(body))

    header = struct.pack("!LLBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 4096, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    # The browser's content type is deliberately whatever the test says: Haven ignores it.
    return SimpleUploadedFile(name, data, content_type=content_type)


def new_case(**kwargs: Any) -> Case:
    created = make_request(**kwargs)
    return Case.objects.get(case_requests__request=created.request)


@pytest.fixture
def document_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "documents"
    settings.HAVEN_DOCUMENT_ROOT = root
    return root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]
