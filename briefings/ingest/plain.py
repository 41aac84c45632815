"""Plain-text articles: a headline, date stamps and a wire dateline recognised by their shape.

Paragraphs are either one per line or blocks separated by blank lines; a block whose lines were
wrapped at a fixed width is joined back into one paragraph.
"""

from __future__ import annotations

import re
from datetime import date

from briefings.article import is_trailer
from briefings.ingest.dates import date_stamp
from briefings.ingest.document import Parsed

# "KHERSON, Ukraine (AP) —", "KYIV, Jan 5 (Reuters) -", "PORT ELLIS (Example Wire) –".
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z’'.-]+(?:[ -][A-Z][A-Z’'.-]+)*)"
    r"(?:,\s*[A-Z][\w.’' -]{1,40}?)??"
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"\s*\((?P<outlet>[A-Z][\w .&’'-]{0,40})\)\s*[—–-]{1,2}\s"
)
# Wire services written as abbreviations in datelines.
_OUTLETS = {
    "AP": "Associated Press",
    "AFP": "Agence France-Presse",
    "UPI": "United Press International",
    "DPA": "Deutsche Presse-Agentur",
}
_TITLE_MAX_CHARS = 200
_TITLE_MAX_WORDS = 30
_WRAP_MAX = 100


def dateline_outlet(paragraph: str) -> str | None:
    """The outlet named in a wire dateline that opens ``paragraph``, if any."""
    m = _DATELINE.match(paragraph)
    if not m:
        return None
    outlet = m["outlet"].strip()
    return _OUTLETS.get(outlet.upper(), outlet)


def _looks_like_title(line: str) -> bool:
    line = line.strip()
    if not line or len(line) > _TITLE_MAX_CHARS or len(line.split()) > _TITLE_MAX_WORDS:
        return False
    if line.endswith(".") and not line.endswith("..."):
        return False
    return not (_DATELINE.match(line) or date_stamp(line) or is_trailer(line))


def _is_wrapped(lines: list[str]) -> bool:
    """True when ``lines`` are one paragraph wrapped at a fixed width, not short paragraphs."""
    if len(lines) < 2:
        return False
    head = lines[:-1]
    if max(len(line) for line in lines) > _WRAP_MAX + 20:
        return False
    width = max(len(line) for line in lines)
    # Wrapped at a fixed width, every line but the last nearly fills it.
    if width < 40 or min(len(line) for line in head) < 0.6 * width:
        return False
    open_ended = sum(1 for line in head if not re.search(r"[.!?:\"”’)]$", line.rstrip()))
    return open_ended * 2 >= len(head)


def split_blocks(text: str) -> list[list[str]]:
    """Blocks of consecutive non-blank lines, each line stripped."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def parse_plain(text: str) -> Parsed:
    """Read a plain-text article: title, date stamp, dateline outlet and paragraphs."""
    blocks = split_blocks(text.replace("\r\n", "\n").replace("\r", "\n"))
    title: str | None = None
    if len(blocks) > 1 and _looks_like_title(blocks[0][0]):
        # The headline alone, or over its byline and date stamp ("Headline\nBy X\nMay 2, 2024").
        rest = blocks[0][1:]
        if all(is_trailer(line) or date_stamp(line) for line in rest):
            title = blocks[0][0]
            if rest:
                blocks[0] = rest
            else:
                blocks.pop(0)
    paragraphs: list[str] = []
    for block in blocks:
        if _is_wrapped(block):
            paragraphs.append(" ".join(block))
        else:
            paragraphs.extend(block)
    published: date | None = None
    # Date stamps and bylines sit above the text; take the date and leave bylines to Article.
    for i, para in enumerate(paragraphs[:4]):
        stamp = date_stamp(para)
        if stamp is not None:
            published = published or stamp
            paragraphs[i] = ""
        elif not is_trailer(para):
            break
    paragraphs = [p for p in paragraphs if p]
    source = None
    for para in paragraphs[:3]:
        source = dateline_outlet(para)
        if source or not is_trailer(para):
            break
    return Parsed(body="\n".join(paragraphs), title=title, source=source, published=published)
