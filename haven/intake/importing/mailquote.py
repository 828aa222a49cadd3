"""Taking a message body apart: what the writer wrote now, what they quoted, what they forwarded.

Only the new text is read for people: a quoted reply repeats a message already imported
(or one Haven sent), and reading it again would make one family two. A forwarded
message is what a sponsor or an office passes on, so it is read when the new text names
nobody. Nothing is dropped: the whole body stays the request's text, and the raw message
its raw input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .mailpatterns import fold, patterns

# "On Tue, 24 Aug 2021 at 09:30, Someone <a@b> wrote:" (often wrapped over two lines), and
# the Dari and Pashto forms mail programs write.
_WROTE = re.compile(
    r"^\s*(?:on|le|am|در|په)\b.{0,200}(?:wrote|a écrit|schrieb|نوشت|ولیکل)\s*:?\s*$"
)
_HEADER_BLOCK = re.compile(r"^\s*(?:from|von|de|از)\s*:\s*\S")
_HEADER_NEXT = re.compile(r"^\s*(?:sent|date|to|subject|gesendet|تاریخ|به|موضوع)\s*:")


@dataclass(frozen=True)
class Parts:
    new: str
    quoted: str = ""
    forwarded: str = ""


def _header_block_at(lines: list[str], i: int) -> bool:
    """An Outlook-style "From: … / Sent: … / To: …" block starting at line i."""
    if not _HEADER_BLOCK.match(fold(lines[i])):
        return False
    return any(_HEADER_NEXT.match(fold(line)) for line in lines[i + 1 : i + 4])


def split_body(body: str, *, forwarded_subject: bool = False) -> Parts:
    """The body as (new, quoted, forwarded). A header block starts a forwarded message when the
    subject says "Fwd:" and quoted text otherwise."""
    table = patterns().regex
    lines = body.splitlines()
    new: list[str] = []
    quoted: list[str] = []
    for i, line in enumerate(lines):
        folded = fold(line).strip()
        if table["forward"].fullmatch(folded) or (forwarded_subject and _header_block_at(lines, i)):
            return Parts("\n".join(new).strip(), "\n".join(quoted).strip(), "\n".join(lines[i:]))
        two_lines = folded + " " + fold(lines[i + 1]).strip() if i + 1 < len(lines) else folded
        if (
            table["quote"].fullmatch(folded)
            or _WROTE.match(folded)
            or (_WROTE.match(two_lines) and folded.startswith(("on ", "در ")))
            or _header_block_at(lines, i)
        ):
            quoted += lines[i:]
            break
        if folded.startswith(">"):
            quoted.append(line)
            continue
        new.append(line)
    return Parts("\n".join(new).strip(), "\n".join(quoted).strip())


def forwarded_content(forwarded: str) -> tuple[str, str]:
    """(its subject, its body) of a forwarded message: the header lines at its top set apart."""
    lines = forwarded.splitlines()
    subject = ""
    start = 0
    for i, line in enumerate(lines[:12]):
        folded = fold(line).strip()
        if patterns().regex["forward"].fullmatch(folded) or (not folded and i == 0):
            start = i + 1
            continue
        match = re.match(r"^\s*(\w+)\s*:\s*(.*)$", line)
        if (match and _HEADER_NEXT.match(fold(line))) or _HEADER_BLOCK.match(folded):
            if match and fold(match.group(1)) in ("subject", "موضوع"):
                subject = match.group(2).strip()
            start = i + 1
            continue
        if not folded and start == i:
            start = i + 1
            continue
        break
    body = "\n".join(line.removeprefix("> ").removeprefix(">") for line in lines[start:])
    return subject, body.strip()
