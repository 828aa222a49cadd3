"""What a file really is, judged by its first bytes and never by its name.

People rename files, and mail clients and exporters label attachments wrongly;
an executable called photo.jpg must be seen for what it is.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

# (prefix, MIME type, what to call it in a message). Order matters: longer prefixes first.
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "a PNG image"),
    (b"\xff\xd8\xff\xe0", "image/jpeg", "a JPEG image"),
    (b"\xff\xd8\xff\xe1", "image/jpeg", "a JPEG image"),
    (b"\xff\xd8\xff\xdb", "image/jpeg", "a JPEG image"),
    (b"\xff\xd8\xff\xee", "image/jpeg", "a JPEG image"),
    (b"GIF87a", "image/gif", "a GIF image"),
    (b"GIF89a", "image/gif", "a GIF image"),
    (b"II*\x00", "image/tiff", "a TIFF image"),
    (b"MM\x00*", "image/tiff", "a TIFF image"),
    (b"BM", "image/bmp", "a bitmap image"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "application/x-ole-storage",
        "an old Office file (.xls or .doc)",
    ),
    (b"{\\rtf", "application/rtf", "an RTF document"),
    (b"MZ", "application/x-msdownload", "a Windows program"),
    (b"\x7fELF", "application/x-executable", "a program"),
    (b"\x1f\x8b", "application/gzip", "a gzip archive"),
    (b"Rar!\x1a\x07", "application/vnd.rar", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed", "a 7-Zip archive"),
    (b"OggS", "audio/ogg", "an audio recording"),
    (b"ID3", "audio/mpeg", "an audio recording"),
)
EXECUTABLE_TYPES = frozenset({"application/x-msdownload", "application/x-executable"})

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
TEXT = "text/plain"
HTML = "text/html"
BINARY = "application/octet-stream"

_DESCRIPTIONS = {
    XLSX: "an Excel workbook (XLSX)",
    DOCX: "a Word document",
    PPTX: "a PowerPoint presentation",
    ODS: "an OpenDocument spreadsheet",
    "application/zip": "a ZIP archive",
    TEXT: "text",
    HTML: "a web page (HTML)",
    BINARY: "a binary file of unknown type",
}


@dataclass(frozen=True)
class Sniffed:
    mime: str
    description: str

    @property
    def is_executable(self) -> bool:
        return self.mime in EXECUTABLE_TYPES


def _zip_kind(fileobj: IO[bytes]) -> str:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return XLSX
            if "word/document.xml" in names:
                return DOCX
            if "ppt/presentation.xml" in names:
                return PPTX
            if "mimetype" in names and archive.read("mimetype").strip() == ODS.encode():
                return ODS
    except (
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        OSError,
        KeyError,
        ValueError,
    ):
        # A truncated or damaged zip still starts with PK: it is what it claims, but broken.
        pass
    return "application/zip"


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with a byte-order mark, as Excel's "Unicode text" export writes
    return b"\x00" not in head


def sniff(fileobj: IO[bytes]) -> Sniffed:
    """The type of a seekable binary file by its content; leaves the position at the start."""
    fileobj.seek(0)
    head = fileobj.read(8192)
    fileobj.seek(0)
    mime = sniff_bytes(head)
    if mime == "application/zip":
        mime = _zip_kind(fileobj)
        fileobj.seek(0)
    return Sniffed(mime, describe(mime))


def sniff_bytes(head: bytes) -> str:
    """The type of content from its first bytes; a zip is not looked into."""
    for prefix, mime, _label in _MAGIC:
        # Two- and three-byte signatures also begin ordinary text ("BMI,MZ…"); real files of
        # those kinds always carry NUL bytes near the start.
        if head.startswith(prefix) and (len(prefix) > 3 or b"\x00" in head[:512]):
            return mime
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "application/zip"
    if head[8:12] == b"WEBP" and head.startswith(b"RIFF"):
        return "image/webp"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "image/heic"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if not _looks_like_text(head):
        return BINARY
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].lower()
    if start.startswith((b"<!doctype html", b"<html")) or b"<table" in start:
        return HTML
    return TEXT


def sniff_attachment(data: bytes) -> str:
    """The type of an e-mail attachment held in memory, looking into zips."""
    mime = sniff_bytes(data[:8192])
    if mime == "application/zip":
        import io

        mime = _zip_kind(io.BytesIO(data))
    return mime


def describe(mime: str) -> str:
    for _prefix, known, label in _MAGIC:
        if known == mime:
            return label
    return _DESCRIPTIONS.get(mime, mime)


def same_family(declared: str, detected: str) -> bool:
    """Whether a declared type is an honest description of the detected one.

    Mail clients are loose ("application/octet-stream" for anything, "image/jpg"), so
    only a claim that contradicts the content counts as a mismatch.
    """
    declared = declared.lower().split(";")[0].strip()
    if not declared or declared == BINARY or detected == BINARY:
        return detected not in EXECUTABLE_TYPES
    if declared == detected:
        return True
    if detected in EXECUTABLE_TYPES:
        return False
    major_declared, _, minor_declared = declared.partition("/")
    major_detected, _, _ = detected.partition("/")
    if major_declared == "image" and minor_declared in {"jpg", "pjpeg"}:
        return detected == "image/jpeg"
    if detected == "application/zip" or detected == "application/x-ole-storage":
        # Office files: the exact Office type cannot always be told from the container.
        return major_declared == "application"
    if detected == TEXT:
        return major_declared == "text" or declared in {"application/csv", "application/json"}
    return major_declared == major_detected and major_declared in {"image", "audio", "video"}
