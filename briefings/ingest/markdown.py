"""Markdown articles stripped to text: the first ``#`` heading is the title, markup goes.

Handles what articles written in Markdown use: YAML-style front matter (title, date, source,
url), ATX and setext headings, emphasis, links (inline, reference and automatic), images, inline
code, fenced code, block quotes, list markers, tables, horizontal rules, HTML tags and
backslash escapes. Lines of one paragraph are joined; each list item is its own paragraph.
"""

from __future__ import annotations

import html
import re
from datetime import date

from briefings.ingest.dates import date_stamp, parse_date
from briefings.ingest.document import Parsed
from briefings.ingest.plain import dateline_outlet

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_FM_LINE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)$")
_ATX = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(?:=+|-+)\s*$")
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})")
_RULE = re.compile(r"^(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?")
_QUOTE = re.compile(r"^(?:>\s?)+")
_REF_DEF = re.compile(r"^\[[^\]]+\]:\s+\S+")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")

_IMAGE = re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_LINK = re.compile(r"\[(?P<text>[^\]]*)\](?:\((?:[^()]|\([^)]*\))*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<(?P<url>(?:https?|mailto):[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]{0,200}>|<!--.*?-->", re.S)
_CODE = re.compile(r"(`+)(?P<code>.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(?P<t>.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)(?P<t>[^*]+?)(?<=\S)\*(?![\w*])")
_EM_UNDER = re.compile(r"(?<![\w_])_(?=\S)(?P<t>[^_]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(?P<t>.+?)~~")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<\"'])")


def strip_inline(text: str) -> str:
    """Markdown inline markup of one line reduced to its text."""
    codes: list[str] = []

    def keep_code(m: re.Match[str]) -> str:
        codes.append(m["code"].strip())
        return f"\x00{len(codes) - 1}\x00"

    text = _ESCAPE.sub(lambda m: f"\x01{ord(m.group(1))}\x01", text)
    text = _CODE.sub(keep_code, text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m["text"], text)
    text = _AUTOLINK.sub(lambda m: m["url"].removeprefix("mailto:"), text)
    text = _HTML_TAG.sub("", text)
    for _ in range(2):  # nested emphasis: ***x***, **_x_**
        text = _STRONG.sub(lambda m: m["t"], text)
        text = _EM_STAR.sub(lambda m: m["t"], text)
        text = _EM_UNDER.sub(lambda m: m["t"], text)
        text = _STRIKE.sub(lambda m: m["t"], text)
    text = re.sub(r"\x01(\d+)\x01", lambda m: chr(int(m.group(1))), text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)
    text = html.unescape(text)
    return re.sub(r"\s{2,}", " ", text).strip()


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    fields: dict[str, str] = {}
    for line in m["body"].split("\n"):
        fm = _FM_LINE.match(line.strip())
        if fm:
            fields[fm["key"].lower()] = fm["value"].strip().strip("\"'")
    return fields, text[m.end() :]


def parse_markdown(text: str) -> Parsed:
    """Read a Markdown article into paragraphs of plain text and its metadata."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fields, text = _front_matter(text)
    title = strip_inline(fields["title"]) if fields.get("title") else None
    published: date | None = None
    for key in ("date", "published", "published_at", "pubdate"):
        if fields.get(key):
            published = parse_date(fields[key])
            break
    source = fields.get("source") or fields.get("publisher") or fields.get("site") or None
    url = fields.get("url") or fields.get("link") or fields.get("canonical") or None

    paragraphs: list[str] = []
    current: list[str] = []
    fence: str | None = None
    in_table = False

    def flush() -> None:
        if current:
            joined = strip_inline(" ".join(current))
            if joined:
                paragraphs.append(joined)
            current.clear()

    lines = text.split("\n")
    for i, raw in enumerate(lines):
        stripped = raw.strip()
        if fence is not None:  # inside fenced code: not prose
            if stripped.startswith(fence):
                fence = None
            continue
        fm = _FENCE.match(stripped)
        if fm:
            flush()
            fence = fm["fence"]
            continue
        if raw.startswith(("    ", "\t")) and not current and stripped:
            continue  # indented code block
        line = _QUOTE.sub("", stripped).strip()
        if line and _SETEXT.match(line) and current:
            heading = strip_inline(" ".join(current))
            current.clear()
            if line.startswith("=") and title is None and not paragraphs:
                title = heading
            elif heading:
                paragraphs.append(heading)
            continue
        if _TABLE_RULE.match(line) and "|" in line:
            in_table = True
            continue
        if not line or _RULE.match(line) or _REF_DEF.match(line):
            flush()
            in_table = False
            continue
        heading_match = _ATX.match(line)
        if heading_match:
            flush()
            heading = strip_inline(heading_match["text"])
            if len(heading_match["hashes"]) == 1 and title is None and not paragraphs:
                title = heading
            elif heading:
                paragraphs.append(heading)
            continue
        item = _LIST_ITEM.match(line)
        if item:
            flush()
            line = line[item.end() :]
        next_line = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if "|" in line and (
            in_table or line.startswith("|") or (_TABLE_RULE.match(next_line) and "|" in next_line)
        ):
            cells = [c.strip() for c in line.strip("|").split("|")]
            flush()
            current.append(" — ".join(c for c in cells if c))
            flush()
            continue
        current.append(line)
    flush()

    for i, para in enumerate(paragraphs[:3]):
        stamp = date_stamp(para)
        if stamp is not None:
            published = published or stamp
            del paragraphs[i]
            break
    if source is None and paragraphs:
        source = dateline_outlet(paragraphs[0])
    return Parsed(
        body="\n".join(paragraphs), title=title or None, source=source, url=url, published=published
    )
