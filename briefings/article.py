"""The ``Article``: an article's body as paragraphs and sentences with character offsets.

``build_article`` takes text that ingest has already decoded (plain text, Markdown stripped to
text, or the main text of an HTML page) and returns the model every extractor reads. Bylines and
trailers ("Write to ...", "... contributed to this article", "Reporting by ...") are not part of
the report and are dropped from the body.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from briefings.sentences import split_spans


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence; ``start``/``end`` are offsets into ``Article.text``."""

    index: int
    paragraph: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    """An article as the extractors read it.

    ``text`` is the body, paragraphs joined by a single newline. ``sha256`` is the hash of the
    article text as it was read (before trailers were dropped), as CONTRACT.md promises.
    """

    text: str
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: date | None = None
    sha256: str = ""

    @property
    def words(self) -> int:
        return len(self.text.split())

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence that contains character ``offset`` of ``text``, if any."""
        lo, hi = 0, len(self.sentences) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            s = self.sentences[mid]
            if offset < s.start:
                hi = mid - 1
            elif offset >= s.end:
                lo = mid + 1
            else:
                return s
        return None

    def sentences_between(self, start: int, end: int) -> tuple[int, ...]:
        """Indexes of the sentences overlapping ``text[start:end]``, in order."""
        return tuple(s.index for s in self.sentences if s.start < end and s.end > start)


# Trailers and bylines: whole paragraphs that are about the article, not part of the report.
_TRAILER_PATTERNS = [
    r"write to .{1,120}",
    r".{1,200}\bcontributed (?:reporting |to this (?:article|report|story))\b.*",
    r"(?:additional )?reporting by .{1,300}",
    r"\(?reporting by .{1,300}\)?",
    r"\(?editing by .{1,200}\)?",
    r"contributing: .{1,300}",
    r"(?:copyright|©) .{0,200}",
    r"all rights reserved\.?",
    r"(?:follow|sign up|subscribe|read more|related|advertisement|share this)\b.{0,200}",
    r"this (?:article|story) (?:has been|was) (?:updated|corrected).{0,300}",
    r"by {name}(?:(?:,| and) {name})*".format(name=r"[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}"),
    r"(?:associated press|ap|reuters) (?:writers?|journalists?|correspondents?) .{1,300}",
]
_TRAILER = re.compile(r"^(?:" + "|".join(_TRAILER_PATTERNS) + r")$", re.IGNORECASE | re.DOTALL)
_EMAIL_ONLY = re.compile(r"^\S+@\S+\.\w+$")


def is_trailer(paragraph: str) -> bool:
    """True for bylines, credits and newsletter prompts that are not part of the report."""
    p = paragraph.strip()
    if not p:
        return True
    if len(p) > 400:
        return False
    if _EMAIL_ONLY.match(p):
        return True
    if p.lower().startswith("by ") and len(p) > 80:
        return False
    return bool(_TRAILER.match(p))


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\u200c\u200d\ufeff]")


def normalize_text(text: str) -> str:
    """Unicode NFC, no control or zero-width characters, runs of spaces folded to one."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def build_article(
    body: str,
    *,
    title: str | None = None,
    source: str | None = None,
    url: str | None = None,
    published: date | None = None,
    sha256: str | None = None,
) -> Article:
    """Build an ``Article`` from decoded body text: one paragraph per non-empty line.

    ``sha256`` defaults to the hash of ``body`` as given.
    """
    digest = sha256 or hashlib.sha256(body.encode("utf-8")).hexdigest()
    lines = [line for line in normalize_text(body).split("\n") if line]
    # Trailers are dropped where they stand: at the start (bylines) and at the end (credits).
    while lines and is_trailer(lines[-1]):
        lines.pop()
    while lines and is_trailer(lines[0]):
        lines.pop(0)
    lines = [line for line in lines if not _EMAIL_ONLY.match(line)]

    text = "\n".join(lines)
    paragraphs: list[Paragraph] = []
    sentences: list[Sentence] = []
    pos = 0
    for p_index, line in enumerate(lines):
        start, end = pos, pos + len(line)
        paragraphs.append(Paragraph(p_index, start, end, line))
        for a, b in split_spans(text, start, end):
            sentences.append(Sentence(len(sentences), p_index, a, b, text[a:b]))
        pos = end + 1
    return Article(
        text=text,
        paragraphs=tuple(paragraphs),
        sentences=tuple(sentences),
        title=title,
        source=source,
        url=url,
        published=published,
        sha256=digest,
    )
