"""Text from outside is cleaned once where it enters: no NUL, control, bidi or surrogate
character reaches a stored field or a payload, nothing pings, nothing breaks a Discord limit.

Hypothesis feeds arbitrary unicode (every category, controls, bidi controls, NUL and lone
surrogates included) through the edges: article bodies and their metadata, feeds, distill and
render.
"""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefings import build_article, distill
from briefings.ingest.feeds import parse_feed
from briefings.limits import message_violations
from briefings.render import Renderer
from briefings.sanitize import clean, clean_line, strip_unsafe

# What must never reach a payload or the store; U+200B aside: it is sitrep's own mention breaker.
FORBIDDEN = re.compile(
    "[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u200c-\\u200f"
    "\\u202a-\\u202e\\u2066-\\u2069\\ufeff\\ud800-\\udfff]"
)
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# Arbitrary unicode, with the hostile characters made frequent.
_hostile = st.sampled_from(
    [
        *("\x00", "\x07", "\x1b[31m", "\x85", "\x9b", "\u2028", "\ud800", "\udfff", "\ufeff"),
        *BIDI,
        *("@everyone", "@here", "<@123>", "<@&9>", "<#5>", "```", "\n", "\r\n", "# ", "> "),
    ]
)
_any_text = st.lists(st.text(st.characters(codec=None), max_size=40) | _hostile, max_size=30).map(
    "".join
)
_words = st.lists(
    st.sampled_from(["The", "brigade", "said", "troops", "advanced", "near", "Kel", "3 km"]),
    min_size=3,
    max_size=12,
).map(" ".join)
_sentence = st.tuples(_words, _any_text, _words).map(lambda p: f"{p[0]} {p[1]} {p[2]}.")
_body = st.lists(_sentence, min_size=1, max_size=6).map("\n".join)

_RENDERER = Renderer()


def payload_texts(payload: object) -> list[str]:
    """Every string of a JSON payload."""
    if isinstance(payload, str):
        return [payload]
    if isinstance(payload, dict):
        return [s for v in payload.values() for s in payload_texts(v)]
    if isinstance(payload, list):
        return [s for v in payload for s in payload_texts(v)]
    return []


@given(_any_text)
def test_strip_unsafe_leaves_nothing_unsafe_and_is_idempotent(text: str) -> None:
    out = strip_unsafe(text)
    assert not FORBIDDEN.search(out) and "\u200b" not in out
    assert "\r" not in out and "\u2028" not in out and "\x85" not in out
    assert strip_unsafe(out) == out
    line = clean_line(text)
    assert "\n" not in line and not FORBIDDEN.search(line) and clean_line(line) == line
    out.encode("utf-8")  # storable: no lone surrogate


@given(st.text(st.characters(categories=["L", "N", "P", "Zs"]), max_size=200))
def test_ordinary_text_is_left_as_written(text: str) -> None:
    assert strip_unsafe(text) == text.replace("\u2028", "\n").replace("\u2029", "\n")


def test_the_rule_names_what_it_removes() -> None:
    text = "Kel\x00 held\u202e the \u2066bridge\u2069 \x1b[2J\ufeffnear\u200f town\ud800."
    assert strip_unsafe(text) == "Kel held the bridge [2Jnear town."
    assert clean("@everyone \u202eevil\u202c\nline") == "@\u200beveryone evil line"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_body, _any_text, _any_text, _any_text)
def test_no_hostile_character_reaches_the_briefing_or_a_payload(
    body: str, title: str, source: str, url: str
) -> None:
    article = build_article(body, title=title, source=source, url=url)
    for field in (article.text, article.title or "", article.source or "", article.url or ""):
        assert not FORBIDDEN.search(field) and "\u200b" not in field
        field.encode("utf-8")
    assert "\n" not in (article.title or "") + (article.source or "")
    briefing = distill(article)
    stored = json.dumps(briefing.to_json(), ensure_ascii=False)
    assert not FORBIDDEN.search(stored)
    for messages in (
        _RENDERER.post_messages(briefing),
        _RENDERER.markdown_messages(briefing),
        _RENDERER.section_messages(briefing, "quotes"),
    ):
        for message in messages:
            assert not message_violations(message)
            payload = message.to_payload()
            assert payload["allowed_mentions"]["parse"] == []
            for text in payload_texts(payload):
                assert not FORBIDDEN.search(text), text
                assert "@everyone" not in text and "@here" not in text
                assert not re.search(r"<[@#]", text)
    assert not FORBIDDEN.search(_RENDERER.text(briefing))


def _feed(title: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Wire</title>"
        f"<item><title>{title}</title><link>https://example.com/a</link>"
        "<guid>g&#0;1</guid></item></channel></rss>"
    ).encode()


def test_a_feed_title_with_a_nul_entity_and_bidi_controls_is_cleaned() -> None:
    feed = parse_feed(_feed("Front &#0;news&#x202E; today&#x2066;"), name="feed")
    (item,) = feed.items
    assert item.title == "Front news today"
    assert item.guid == "g1"


@given(_any_text)
def test_any_feed_title_is_stored_clean(title: str) -> None:
    escaped = "".join(
        f"&#{ord(c)};" if c in "<>&" or ord(c) < 32 or 0xD800 <= ord(c) <= 0xDFFF else c
        for c in title
    )
    try:
        feed = parse_feed(_feed(escaped), name="feed")
    except Exception:  # a title feedparser cannot read at all is the feed's error, not ours
        return
    for item in feed.items:
        for field in (item.title or "", item.guid or "", item.link or ""):
            assert not FORBIDDEN.search(field) and "\n" not in field
