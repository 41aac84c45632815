"""Read one article from a file, standard input or bytes: refuse bad input with one clear line.

The steps: size (checked before reading, from the file's size where the system knows it),
encoding (``decode.py``), format (``--input-format`` or the content type, else the extension,
else sniffing the text), the format's reader (``plain.py``, ``markdown.py``, ``html.py``), then
``build_article``, which drops bylines and trailers.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Literal, Protocol

from briefings.article import Article, build_article
from briefings.errors import InputError
from briefings.ingest.decode import decode_bytes
from briefings.ingest.document import Parsed
from briefings.ingest.markdown import parse_markdown
from briefings.ingest.plain import parse_plain

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
InputFormat = Literal["text", "markdown", "html"]
INPUT_FORMATS: tuple[InputFormat, ...] = ("text", "markdown", "html")

_EXTENSIONS: dict[str, InputFormat] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
}
_CONTENT_TYPES: dict[str, InputFormat] = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
}
_HTML_START = re.compile(
    r"\A\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
_HTML_TAGS = re.compile(r"<(?:html|head|body|article|div|p|span|main|section|br)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"</?[a-z][a-z0-9]*\b[^>]*>", re.I)
_MARKDOWN_HINTS = re.compile(
    r"^(?:#{1,6} \S|---\s*$|[-*+] \S|> \S)|\[[^\]\n]+\]\([^)\s]+\)|\*\*\S[^*\n]*\*\*", re.M
)
_NOT_FILES: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_HOW_TO_RAISE = "raise it with --max-bytes or [ingest] max_bytes in the configuration"


def _too_large(name: str, max_bytes: int, size: int | None) -> InputError:
    what = f"{size:,} bytes" if size is not None else "more bytes"
    return InputError(f"{name}: {what}, over the limit of {max_bytes:,} bytes; {_HOW_TO_RAISE}")


def _check_limit(max_bytes: int) -> None:
    if max_bytes <= 0:
        raise InputError(f"the size limit must be a positive number of bytes, not {max_bytes}")


def read_article(
    path: str, *, max_bytes: int = DEFAULT_MAX_BYTES, input_format: InputFormat | None = None
) -> Article:
    """Read ``path`` (``-`` for standard input) and build its ``Article``.

    A file larger than ``max_bytes`` is refused before it is read; from standard input at most
    ``max_bytes + 1`` bytes are read. Anything but a regular file (a named pipe, a device) is
    refused without waiting on it.
    """
    _check_limit(max_bytes)
    if path == "-":
        name = "<stdin>"
        data = _read_limited(sys.stdin.buffer, name, max_bytes)
        return article_from_bytes(data, name=name, max_bytes=max_bytes, input_format=input_format)
    name = path
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except NotADirectoryError:
        raise InputError(f"{name}: no such file (a part of the path is not a folder)") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read it ({exc.strerror or exc})") from None
    _check_regular(name, st.st_mode)
    if st.st_size > max_bytes:
        raise _too_large(name, max_bytes, st.st_size)
    try:
        # O_NONBLOCK: should the path become a named pipe after the check above, opening it
        # returns at once instead of waiting for a writer; fstat then refuses it.
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            _check_regular(name, os.fstat(fh.fileno()).st_mode)
            data = _read_limited(fh, name, max_bytes)
    except OSError as exc:
        raise InputError(f"{name}: cannot read it ({exc.strerror or exc})") from None
    return article_from_bytes(data, name=name, max_bytes=max_bytes, input_format=input_format)


def not_a_file(mode: int) -> str | None:
    """What a path of ``mode`` (``st_mode``) is when it is not a regular file ("a directory",
    "a named pipe", ...); None for a regular file. A named pipe with no writer would block a read
    for ever, and a device holds no file: every reader of a path checks this before reading."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    return next((what for test, what in _NOT_FILES if test(mode)), "an unknown kind of file")


def _check_regular(name: str, mode: int) -> None:
    """Refuse anything but a regular file (``not_a_file``). Standard input is read with ``-``."""
    kind = not_a_file(mode)
    if kind is None:
        return
    if kind == "a directory":
        raise InputError(f"{name}: is a directory, not an article file")
    raise InputError(f"{name}: is {kind}, not a regular file; use - to read standard input")


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _read_limited(stream: _Readable, name: str, max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(name, max_bytes, None)
    return data


def detect_format(
    text: str,
    *,
    name: str = "",
    content_type: str | None = None,
    input_format: InputFormat | None = None,
) -> InputFormat:
    """The format of an article: as asked, else by content type, else extension, else sniffing.

    A document that starts as an HTML page is HTML whatever its name says; a ``.html`` file
    without a single tag is read as text.
    """
    if input_format is not None:
        return input_format
    if content_type:
        kind = _CONTENT_TYPES.get(content_type.split(";")[0].strip().lower())
        if kind:
            return kind
    if _HTML_START.match(text):
        return "html"
    ext = _EXTENSIONS.get(Path(name).suffix.lower()) if name and name != "<stdin>" else None
    if ext == "html":
        return "html" if _ANY_TAG.search(text[:65536]) else "text"
    if ext is not None:
        return ext
    head = text[:65536]
    if len(_HTML_TAGS.findall(head)) >= 3:
        return "html"
    if len(_MARKDOWN_HINTS.findall(head)) >= 2:
        return "markdown"
    return "text"


def article_from_bytes(
    data: bytes,
    *,
    name: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    input_format: InputFormat | None = None,
    content_type: str | None = None,
) -> Article:
    """Build the ``Article`` of one document's bytes; ``name`` (a path or a label) is used in
    error messages and, through its extension, to choose the format."""
    _check_limit(max_bytes)
    if len(data) > max_bytes:
        raise _too_large(name, max_bytes, len(data))
    if not data:
        raise InputError(f"{name}: empty file, no article text")
    text = decode_bytes(data, name=name)
    if not text.strip():
        raise InputError(f"{name}: only whitespace, no article text")
    return article_from_text(text, name=name, input_format=input_format, content_type=content_type)


def article_from_text(
    text: str,
    *,
    name: str,
    input_format: InputFormat | None = None,
    content_type: str | None = None,
) -> Article:
    """Build the ``Article`` of an already decoded document (see ``article_from_bytes``)."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    kind = detect_format(text, name=name, content_type=content_type, input_format=input_format)
    parsed: Parsed
    if kind == "html":
        from briefings.ingest.html import parse_html  # imports trafilatura: only when needed

        parsed = parse_html(text, name=name)
    elif kind == "markdown":
        parsed = parse_markdown(text)
    else:
        parsed = parse_plain(text)
    article = build_article(
        parsed.body,
        title=parsed.title,
        source=parsed.source,
        url=parsed.url,
        published=parsed.published,
        sha256=sha,
    )
    if not article.paragraphs:
        what = "only a title" if parsed.title and not parsed.body.strip() else "no article text"
        raise InputError(f"{name}: {what}, nothing to distill once bylines and markup are removed")
    return article
