"""What an uploaded document is, judged by its content, and the bytes Haven keeps of it.

The type comes from the file's first bytes (the `filetype` package's signatures, and a look
at text for HTML and SVG, which have none), never from the browser's content type or the
name's extension: an .exe called scan.jpg is a program. Images are decoded and drawn again
by Pillow into a new image, which carries pixels only: the camera's EXIF block (with its GPS
position, the phone's make and the time) and any comment are gone. A picture that would
unpack to more than HAVEN_DOCUMENT_MAX_PIXELS (a decompression bomb) is refused before its
pixels are decoded.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import warnings
from dataclasses import dataclass, field

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
HTML = "text/html"
SVG = "image/svg+xml"
TEXT = "text/plain"

# What Haven keeps: type -> the extension a kept file is named with. Anything else is refused.
ACCEPTED: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/tiff": "tif",
    "image/gif": "png",  # re-encoded as PNG (its first frame): scans are not animations
    "application/pdf": "pdf",
    DOCX: "docx",
    ODT: "odt",
    TEXT: "txt",
    # Kept, as e-mail forwards and saved web pages carry letters, but never shown inline:
    # served as an attachment typed application/octet-stream (views_documents).
    HTML: "html",
    SVG: "svg",
}
# Pillow's format name for each image type it re-encodes, and the one it writes.
_IMAGE_FORMATS: dict[str, tuple[str, str]] = {
    "image/jpeg": ("JPEG", "JPEG"),
    "image/png": ("PNG", "PNG"),
    "image/webp": ("WEBP", "WEBP"),
    "image/tiff": ("TIFF", "TIFF"),
    "image/gif": ("GIF", "PNG"),
}
_SAME_EXTENSIONS = {"jpeg": "jpg", "jpe": "jpg", "tiff": "tif", "htm": "html", "text": "txt"}


class DocumentRejected(Exception):
    """Why a file cannot be kept, in words for the person who chose it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PreparedFile:
    """The bytes to keep, what they are, and the name to show and download them under."""

    data: bytes
    content_type: str
    name: str
    sha256: str
    # What was changed on the way in, for the uploader: a cleaned name, a new extension.
    notices: list[str] = field(default_factory=list)


def _describe(mime: str) -> str:
    names = {
        "application/x-msdownload": _("a Windows program"),
        "application/x-executable": _("a program"),
        "application/x-elf": _("a program"),
        "application/x-mach-binary": _("a program"),
        "application/zip": _("a ZIP archive"),
        "application/x-rar-compressed": _("an archive"),
        "application/x-7z-compressed": _("an archive"),
        "application/gzip": _("an archive"),
        "image/heic": _("an HEIC photo (save it as JPEG first)"),
    }
    return names.get(mime, mime)


def _text_type(head: bytes) -> str | None:
    """HTML, SVG or plain text when the start is UTF-8 text without NUL bytes; else None."""
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Cut in the middle of a character at the end of the sample: still text.
        if exc.start < len(head) - 4:
            return None
        text = head[: exc.start].decode("utf-8")
    lowered = text.lower()
    if "<svg" in lowered:
        return SVG
    markers = ("<html", "<!doctype html", "<script", "<body", "<iframe", "<head", "<meta")
    if any(marker in lowered for marker in markers):
        return HTML
    return TEXT


def detect_type(data: bytes) -> str:
    """The content's MIME type: a signature, or text looked into; "" when it is neither."""
    kind = filetype.guess(data[:8192])
    if kind is not None:
        return str(kind.mime)
    return _text_type(data[:8192]) or ""


def clean_name(raw: str) -> tuple[str, list[str]]:
    """The last part of a path, without control or direction-changing characters (a
    right-to-left override makes "scan<RLO>gpj.exe" read as "scanexe.jpg"); and notices."""
    notices: list[str] = []
    name = unicodedata.normalize("NFC", raw or "")
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if base != name:
        notices.append(_("The file name held folder names; only its last part is kept."))
    kept = "".join(ch for ch in base if unicodedata.category(ch) not in {"Cc", "Cf"})
    if kept != base:
        notices.append(
            _(
                "The file name held hidden characters that can disguise a name "
                "(such as a right-to-left override); they were removed."
            )
        )
    kept = " ".join(kept.split()).strip(". ")
    return kept[:150] or _("document"), notices


def _renamed(name: str, extension: str, description: str) -> tuple[str, str | None]:
    stem, dot, given = name.rpartition(".")
    if not dot or not stem:
        return f"{name}.{extension}", None
    given_lower = given.lower()
    if _SAME_EXTENSIONS.get(given_lower, given_lower) == extension:
        return name, None
    notice = _("The file was named .%(given)s but it is %(what)s: it is kept as .%(ext)s.") % {
        "given": given[:10],
        "what": description,
        "ext": extension,
    }
    return f"{stem}.{extension}", notice


def _pixels_only(frame: Image.Image, target: str) -> Image.Image:
    """The frame's pixels in a new image that has no info, EXIF or comment to carry over."""
    frame = ImageOps.exif_transpose(frame) or frame  # keep the picture the right way up
    has_alpha = frame.mode in {"RGBA", "LA", "PA"} or "transparency" in frame.info
    if target == "JPEG" or frame.mode not in {"RGB", "RGBA", "L", "LA", "1"}:
        frame = frame.convert("RGBA" if has_alpha and target != "JPEG" else "RGB")
    return Image.frombytes(frame.mode, frame.size, frame.tobytes())


def _too_large(limit: int) -> DocumentRejected:
    return DocumentRejected(
        _(
            "The image is too large to open safely (at most %(limit)d million pixels): "
            "scan it at a lower resolution."
        )
        % {"limit": limit // 1_000_000}
    )


def _reencode(data: bytes, mime: str) -> bytes:
    expected, target = _IMAGE_FORMATS[mime]
    limit: int = settings.HAVEN_DOCUMENT_MAX_PIXELS
    unreadable = DocumentRejected(
        _("The image could not be read: the file may be damaged. Try saving it again.")
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if image.format != expected:
                raise unreadable
            frames = getattr(image, "n_frames", 1) if target == "TIFF" else 1
            if width * height * frames > limit:
                raise _too_large(limit)
            pages = [
                _pixels_only(frame.copy(), target)
                for frame in list(ImageSequence.Iterator(image))[:frames]
            ]
    except DocumentRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own bound (far above ours) tripped while opening: a bomb all the same.
        raise _too_large(limit) from exc
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
    ) as exc:
        raise unreadable from exc
    out = io.BytesIO()
    options: dict[str, object] = {"quality": 90} if target in {"JPEG", "WEBP"} else {}
    if len(pages) > 1:
        options.update(save_all=True, append_images=pages[1:])
    pages[0].save(out, format=target, **options)
    return out.getvalue()


def prepare(data: bytes, name: str) -> PreparedFile:
    """The file to keep, or DocumentRejected saying why not."""
    limit: int = settings.HAVEN_DOCUMENT_MAX_BYTES
    if not data:
        raise DocumentRejected(_("The file is empty: choose the scan or document again."))
    if len(data) > limit:
        raise DocumentRejected(
            _("The file is %(size)s; a document may be at most %(limit)s.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    mime = detect_type(data)
    if mime not in ACCEPTED:
        what = _describe(mime) if mime else _("of a kind Haven does not keep")
        raise DocumentRejected(
            _(
                "This file is %(what)s, whatever its name says. Haven keeps photos and scans "
                "(JPEG, PNG, WebP, TIFF, GIF), PDF, Word or OpenDocument text, and plain text."
            )
            % {"what": what}
        )
    if mime in _IMAGE_FORMATS:
        data = _reencode(data, mime)
        if mime == "image/gif":
            mime = "image/png"
    shown, notices = clean_name(name)
    shown, renamed = _renamed(shown, ACCEPTED[mime], _describe_kept(mime))
    if renamed:
        notices.append(renamed)
    return PreparedFile(
        data=data,
        content_type=mime,
        name=shown,
        sha256=hashlib.sha256(data).hexdigest(),
        notices=notices,
    )


def _describe_kept(mime: str) -> str:
    names = {
        "image/jpeg": _("a JPEG image"),
        "image/png": _("a PNG image"),
        "image/webp": _("a WebP image"),
        "image/tiff": _("a TIFF image"),
        "application/pdf": _("a PDF document"),
        DOCX: _("a Word document"),
        ODT: _("an OpenDocument text"),
        TEXT: _("plain text"),
        HTML: _("a web page (HTML)"),
        SVG: _("an SVG drawing"),
    }
    return names.get(mime, mime)
