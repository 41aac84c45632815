"""Making untrusted article text safe to show in Discord.

Article text never pings anyone and never breaks a message: ``clean`` folds it to one line and
neutralises mentions (a zero-width space after ``@`` or ``<``); ``escape_markdown`` additionally
escapes the characters that would change Discord's formatting. ``allowed_mentions`` is empty on
every payload as well (``Message.to_payload``): this is the second lock on the same door.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"

# Every line break Python knows, tabs, and control characters (the zero-width space we add
# ourselves is kept apart: clean() removes the article's own before adding its own).
_BREAKS = re.compile(r"[\s\u0085\u2028\u2029]+")
_CONTROL = re.compile(r"[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2060\ufeff]")
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
    text = _BREAKS.sub(" ", text)
    text = _CONTROL.sub("", text).strip()
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
