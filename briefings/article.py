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

from briefings.sanitize import clean_optional, strip_unsafe
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
# Two strengths. Boilerplate (photo credits, newsletter prompts, "Read more:" links, e-mail
# addresses) is recognisable anywhere and dropped wherever it stands. The weaker patterns
# ("By X", "Reporting by ...", "X contributed to this article", copyright) could begin a sentence
# of the report in rare cases, so they are dropped only above and below the text.
_NAME = r"[A-Z][\w.'’-]+(?: (?:[A-Z][\w.'’-]+|de|van|von|al|bin|da|la|le)){0,4}"
_AGENCIES = (
    r"(?:AP|AFP|Reuters|Getty Images|EPA|EPA-EFE|Anadolu(?: Agency)?|Bloomberg|Shutterstock"
    r"|Alamy|Sipa|SOPA Images|NurPhoto|LightRocket|Zuma(?: Press)?|Redux|Pool|Handout"
    r"|Associated Press|Agence France-Presse|Xinhua|TASS|Sputnik|Ukrinform)"
)
_BOILERPLATE_PATTERNS = [
    # Photo credits and captions: "Photo: X/Reuters", "Image caption, ...", "(AP Photo/X)".
    r"(?:photo|photograph|image|picture|illustration|video)s?(?: credit| source| caption)?"
    r"\s*[:|].{0,300}",
    r"(?:photo|photograph|image|picture|illustration)s? by " + _NAME + r".{0,120}",
    r"(?:image|photo|video) (?:caption|source|credit)s?,.{0,300}",
    r"(?:caption|credit|source)\s*:.{1,200}",
    r".{0,400}\((?:[\w .'’-]{0,40}/)?(?:AP|AFP|Reuters|EPA|Getty|Pool|[\w .'’-]{0,40}) ?"
    r"(?:Photo|Images?|Pool|Handout|Video)\b[^)]{0,80}\)",
    r".{0,400}\b(?:photo(?:graph)?|image|picture)(?: credit)?: ?(?-i:[A-Z][\w.'’-]*"
    r"(?: (?:[A-Z][\w.'’-]*|via|for|and|of))*(?: ?/ ?[\w.'’-]+(?: [\w.'’-]+)*)*)\.?",
    r"(?:[\w .'’-]{1,60}(?:/| via ))?" + _AGENCIES + r"(?:(?:/| via )[\w .'’-]{1,40})*",
    r"file\s*[-–—]\s.{1,400}\(\w[^)]{0,80}\)",
    # Newsletter prompts, links to other stories, adverts, sharing and app prompts.
    r"(?:sign up|subscribe|register)(?: now| today| here)?(?: to| for)\b.{0,200}",
    r"(?:get|receive) (?:our|the) .{0,80}\b(?:newsletter|briefing|alerts?|in your inbox)\b.{0,120}",
    r".{0,120}\bnewsletter\b.{0,80}\b(?:sign up|subscribe|inbox)\b.{0,80}",
    r"(?:read|see|watch|listen)(?: more| also| next| the full story)?\s*[:|»›>].{0,200}",
    r"(?:related|more on this story|more from \w+|most read|recommended|also read|see also)"
    r"(?:\s*(?:stories|articles|coverage|content|reading))?(?:\s*[:|»›>].{0,200})?",
    r"(?:story continues below|continue reading|skip to|click here|tap here|download (?:the|our))"
    r"\b.{0,200}",
    r"(?:advertisement|sponsored(?: content)?|ad|share|share this (?:article|story)|"
    r"listen to (?:this )?(?:article|story)(?: \d+ min(?:ute)?s?)?|\d+ min(?:ute)? read)\W*",
    r"follow .{0,100}\b(?:on (?:twitter|x|facebook|instagram|telegram|threads|bluesky|linkedin|"
    r"whatsapp|youtube|tiktok)|live (?:coverage|updates)|our coverage)\b.{0,100}",
    r"(?:enjoy|like|liked) (?:this|reading this) (?:story|article)\W.{0,200}",
    # Press-release furniture: release marks, end marks, contacts.
    r"(?:for immediate release|embargoed until .{1,80}|(?:-\s*)?(?:ends|end|30)(?:\s*-)?|#{3})\W*",
    r"(?:media |press )?(?:contacts?|enquiries|inquiries)\s*:.{0,300}",
]
_TRAILER_PATTERNS = [
    r"write to .{1,120}@.{1,200}",
    r".{1,200}\bcontributed(?: (?:reporting|to this (?:article|report|story)|to (?:the |this )?"
    r"report(?:ing)?)).{0,120}",
    r"(?:additional |further )?(?:reporting|writing|editing|compiled|research|graphics|"
    r"produced|translated) by .{1,300}",
    r"\(?(?:(?:additional )?reporting|writing|editing) by .{1,300}\)?",
    r"contributing(?: reporters?| writers?)?: .{1,300}",
    r"(?:copyright|©|\(c\)) ?(?:\d{4}|©).{0,250}",
    r".{0,120}\ball rights reserved\b.{0,250}",
    r"this (?:article|story|report|post|piece) (?:has been|was|is being|will be) "
    r"(?:updated|corrected|amended|originally published|first published).{0,300}",
    r"this is a (?:developing|breaking) (?:story|news story).{0,200}",
    r"(?:correction|clarification|update|editor[’']?s note)s?\s*(?:\(.{1,40}\))?\s*:.{1,400}",
    r"an earlier version of this (?:article|story|report).{1,300}",
    r".{0,300}\bthe (?:views|opinions) expressed\b.{0,200}",
    r"(?:first |last )?(?:published|updated|posted)(?: on| at)?:? ?\d.{0,60}",
    r"(?:last )?updated:? .{0,20}\d{1,2}:\d{2}.{0,60}",
    r"(?:associated press|ap|reuters|afp) (?:writers?|journalists?|correspondents?|reporters?)"
    r" .{1,300}",
    r"[-—–]\s*" + _NAME + r"(?:,| and) .{0,80}contributed.{0,120}",
]
_BOILERPLATE = re.compile(
    r"^(?:" + "|".join(_BOILERPLATE_PATTERNS) + r")$", re.IGNORECASE | re.DOTALL
)
_TRAILER = re.compile(r"^(?:" + "|".join(_TRAILER_PATTERNS) + r")$", re.IGNORECASE | re.DOTALL)
_EMAIL_ONLY = re.compile(r"^\S+@\S+\.\w+$")
# Bylines, case-sensitive so that "By nightfall, the town had fallen." stays: "By Jane Doe",
# "BY JOHN ROE and ANN LEE, Associated Press", "By Jane Doe | BBC News, Kyiv".
_TAIL_WORD = r"(?:[A-Z][\w.&’'-]*|of|the|and|in|for|at|on)"
_BYLINE = re.compile(
    r"^(?:[-—–]\s*)?(?:By|BY|by) (?:the |The )?"
    + _NAME
    + r"(?:(?:,| and|, and| AND) "
    + _NAME
    + r")*(?:\s*[|,–—-]\s*[A-Z][\w.&’'-]*(?: "
    + _TAIL_WORD
    + r")*)*$"
)
# Sentences of news prose that a loose caption pattern could otherwise swallow: anything with a
# reporting verb or a quotation is kept.
_REPORTED = re.compile(r"[“”\"]|\b(?:said|says|told|according to|added|announced)\b", re.I)


def is_boilerplate(paragraph: str) -> bool:
    """True for page furniture recognisable anywhere: photo credits and captions, newsletter
    prompts, links to other stories, adverts, e-mail addresses."""
    p = paragraph.strip().strip("*_ ")
    if not p:
        return True
    if len(p) > 400:
        return False
    if _EMAIL_ONLY.match(p):
        return True
    if not _BOILERPLATE.match(p):
        return False
    # A caption ends with its credit; a sentence that reports speech is the story's own.
    return not (_REPORTED.search(p) and not re.search(r"\((?:[^)]{0,40}/)?[^)]*\)\s*$", p))


def is_trailer(paragraph: str) -> bool:
    """True for bylines, credits, copyright lines, update notes and newsletter prompts: text
    about the article, not part of the report. Used above and below the text."""
    p = paragraph.strip().strip("*_ ")
    if not p:
        return True
    if len(p) > 400:
        return False
    if is_boilerplate(p):
        return True
    if _BYLINE.match(p):
        return True
    if p.lower().startswith("by ") and len(p) > 120:
        return False
    return bool(_TRAILER.match(p))


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def normalize_text(text: str) -> str:
    """Unicode NFC, no control, bidi or zero-width characters (``strip_unsafe``), runs of spaces
    folded to one."""
    text = unicodedata.normalize("NFC", strip_unsafe(text))
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
    digest = sha256 or hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
    lines = [line for line in normalize_text(body).split("\n") if line]
    # Trailers are dropped where they stand: at the start (bylines) and at the end (credits).
    while lines and is_trailer(lines[-1]):
        lines.pop()
    while lines and is_trailer(lines[0]):
        lines.pop(0)
    lines = [line for line in lines if not is_boilerplate(line)]

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
        title=clean_optional(title),
        source=clean_optional(source),
        url=clean_optional(url),
        published=published,
        sha256=digest,
    )


OPENING_CHARS = 160
"""How much of an article's text ``display_name`` reads (the store selects only this much)."""
_NAME_WORDS = 8
_NAME_CHARS = 60


def display_name(title: str | None, opening: str) -> str:
    """What lists show for an article: its title, else the first words of its text.

    An article with no title line (a plain file of paragraphs, a pasted report) is named by how
    it begins, cut at a word boundary with "…", so a reader of ``/sources`` or an autocomplete
    list can tell it from the others: "Troops advanced on the eastern town of Velmora…".
    ``opening`` is the start of the article's text; only its first sentence is read.
    """
    if title and title.strip():
        return title
    first = re.split(r"(?<=[.!?])\s", " ".join(opening.split()), maxsplit=1)[0]
    words = first.split()
    if not words:
        return "untitled article"
    name = " ".join(words[:_NAME_WORDS])
    cut = len(words) > _NAME_WORDS or len(name) > _NAME_CHARS
    if len(name) > _NAME_CHARS:
        name = (
            name[:_NAME_CHARS].rsplit(" ", 1)[0]
            if " " in name[:_NAME_CHARS]
            else name[:_NAME_CHARS]
        )
    name = name.rstrip(" ,;:—-–")
    return f"{name}…" if cut else name.rstrip(".")
