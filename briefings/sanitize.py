"""Making untrusted text safe to store and to show in Discord.

Text from outside is cleaned once where it enters (``strip_unsafe``, ``clean_line``): no NUL, no
control or bidi characters, no lone surrogates, for SQLite and PostgreSQL alike.
Article text never pings anyone and never breaks a message: ``clean`` folds it to one line and
neutralises mentions (a zero-width space after ``@`` or ``<``); ``escape_markdown`` additionally
escapes the characters that would change Discord's formatting. ``allowed_mentions`` is empty on
every payload as well (``Message.to_payload``): this is the second lock on the same door.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"

# What never belongs in text from outside (articles, feeds, configuration, command arguments):
# NUL and the other C0 and C1 control characters (tab and line breaks aside: ``strip_unsafe``
# keeps them, ``clean_line`` and ``clean`` fold them), zero-width characters and the byte order
# mark, the bidi embedding, override and isolate controls that reorder what a reader sees
# (U+202A-U+202E, U+2066-U+2069) and the marks that steer them (U+200E, U+200F, U+061C), the
# interlinear annotation controls, and lone surrogates (no encoding can store them: PostgreSQL
# refuses NUL, UTF-8 refuses surrogates).
_UNSAFE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\u061c"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)
_LINE_BREAKS = re.compile(r"\r\n?|[\u0085\u2028\u2029]")
# Every line break Python knows, tabs and other spaces (the zero-width space we add ourselves is
# kept apart: clean() removes the article's own before adding its own).
_BREAKS = re.compile(r"[\s\u0085\u2028\u2029]+")


def strip_unsafe(text: str) -> str:
    """``text`` without the characters that never belong in text from outside (``_UNSAFE``);
    every kind of line break becomes ``\\n``. The one rule at every edge where text enters."""
    return _UNSAFE.sub("", _LINE_BREAKS.sub("\n", text))


def clean_line(text: str) -> str:
    """``strip_unsafe`` on one line: every run of spaces and line breaks folded to one space."""
    return _BREAKS.sub(" ", _UNSAFE.sub("", text)).strip()


def clean_optional(text: str | None) -> str | None:
    """``clean_line`` of a field that may be absent; empty after cleaning is absent."""
    if text is None:
        return None
    return clean_line(text) or None


_MASS_MENTION = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
# <@id>, <@!id>, <@&id>, <#id>, </cmd:id>, <:emoji:id>, <a:emoji:id>, <t:unix:f>
_ANGLE_MENTION = re.compile(r"<(?=[@#/:]|a:|t:)")
# Characters that can pair up into formatting anywhere on a line.
_INLINE = re.compile(r"([\\*_~|`])")
# A masked link is [text](url): escaping the brackets defeats it.
_LINK = re.compile(r"([\[\]])")
# A web address (without trailing punctuation); a captured group, so that split() keeps it.
_URL = re.compile(r"(https?://[^\s<>\"'`|\[\]()]*[^\s<>\"'`|\[\]().,;:!?*_~])")
# Formatting that only starts a line: block quote, heading, subtext, list, numbered list.
_LINE_START = re.compile(r"^(\s*)(>|#|-|\+|\d+(?=\.\s))")


def clean(text: str) -> str:
    """One line, no control characters, mentions neutralised; otherwise the text as written."""
    text = clean_line(text)
    text = _MASS_MENTION.sub("@" + ZWSP, text)
    return _ANGLE_MENTION.sub("<" + ZWSP, text)


def escape_markdown(text: str) -> str:
    """``text`` with Discord markdown escaped where it would change formatting.

    ``text`` should already be ``clean`` (one line); escaping never adds or removes spaces, so
    cutting escaped text at a space never splits an escape. Web addresses are kept intact (an
    escaped ``_`` would break them) and wrapped in ``<>`` so that Discord shows no preview.
    """
    parts = _URL.split(text)
    out = []
    for n, part in enumerate(parts):
        if n % 2:
            out.append(f"<{part}>")
        else:
            part = _INLINE.sub(r"\\\1", part)
            out.append(_LINK.sub(r"\\\1", part))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), "".join(out))


def safe_url(url: str | None) -> str | None:
    """``url`` if it is a plain http(s) address Discord accepts as a link, else ``None``."""
    if not url:
        return None
    url = url.strip()
    if not re.fullmatch(r"https?://[^\s<>()\[\]`\"']{1,2000}", url):
        return None
    return url
