"""Read one article from a file or standard input. (Provisional: being hardened in issue 2.)"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

from briefings.article import Article, build_article
from briefings.errors import InputError

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


def read_article(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read ``path`` (``-`` for standard input) and build its ``Article``."""
    name = "<stdin>" if path == "-" else path
    if path == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"{name}: no such file")
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    return article_from_bytes(data, name=name, max_bytes=max_bytes)


def article_from_bytes(data: bytes, *, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    if len(data) > max_bytes:
        raise InputError(f"{name}: larger than the limit of {max_bytes:,} bytes")
    if b"\x00" in data:
        raise InputError(f"{name}: binary data, not an article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if not text.strip():
        raise InputError(f"{name}: empty, no article text")
    title = None
    lines = text.replace("\r\n", "\n").split("\n")
    if len(lines) > 2 and lines[0].strip() and not lines[1].strip() and len(lines[0]) <= 200:
        title = re.sub(r"^#+\s*", "", lines[0].strip())
        text = "\n".join(lines[2:])
    return build_article(text, title=title, sha256=sha)
