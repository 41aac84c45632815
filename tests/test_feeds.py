"""RSS and Atom feeds into items (briefings.ingest.feeds)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from web_fakes import atom, page, rss

from briefings.ingest.feeds import FeedError, article_from_item, html_fragment_text, parse_feed

BODY = [
    "Militia units pushed into the outskirts of Varnell on Tuesday after a week of shelling, "
    "the regional command said.",
    "About 1,200 fighters took part in the assault, outnumbering the defenders three to one, "
    "according to officials in the provincial capital.",
    "\u201cWe are holding the bridge, but we need more ammunition,\u201d said Captain Ilse "
    "Dorran, who commands a company on the river.",
    "The defence ministry announced that two more battalions would be sent to the area "
    "before the end of the month, and the foreign minister called for talks.",
]


def test_rss_items_with_guid_link_title_date_and_summary() -> None:
    data = rss(
        "Frontier Wire",
        [
            {
                "title": "Militia pushes into Varnell",
                "link": "http://news.example.invalid/varnell?utm_source=rss",
                "guid": "fw-1001",
                "description": "Fighting on the outskirts.",
            },
            {"title": "Second story", "link": "http://news.example.invalid/b", "guid": "fw-1002"},
        ],
    ).encode()
    feed = parse_feed(data, name="feed")
    assert feed.title == "Frontier Wire"
    first = feed.items[0]
    assert first.guid == "fw-1001" and first.key == "fw-1001"
    assert first.title == "Militia pushes into Varnell"
    assert first.link == "http://news.example.invalid/varnell?utm_source=rss"
    assert first.published == datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    assert first.summary == "Fighting on the outskirts."
    assert first.full_text is None  # a summary only: the page must be fetched
    assert article_from_item(first) is None


def test_full_content_becomes_the_article() -> None:
    content = "".join(f"<p>{p}</p>" for p in BODY) + "<script>track()</script>"
    data = atom(
        "Atom Desk",
        [{"title": "Varnell", "link": "http://a.invalid/v", "guid": "urn:x:1", "content": content}],
    ).encode()
    item = parse_feed(data, name="feed").items[0]
    assert item.guid == "urn:x:1"
    article = article_from_item(item, source="Atom Desk")
    assert article is not None
    assert article.title == "Varnell" and article.source == "Atom Desk"
    assert article.url == "http://a.invalid/v"
    assert len(article.paragraphs) == 4 and "track()" not in article.text
    assert article.published is not None and article.published.isoformat() == "2026-11-20"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<rss><channel><item><title>broken",
        b"this is not xml at all",
        page("A page", BODY).encode(),
        b"\x89PNG\r\n\x1a\n\x00\x00",
    ],
)
def test_what_is_not_a_feed_is_one_clear_error(data: bytes) -> None:
    with pytest.raises(FeedError, match=r"^http://x\.invalid/feed: (not a valid|empty)"):
        parse_feed(data, name="http://x.invalid/feed")


def test_html_fragments_keep_paragraphs_and_drop_scripts() -> None:
    text = html_fragment_text("<p>One &amp; two.</p><style>p{}</style><div>Three<br>four</div>")
    assert text == "One & two.\nThree\nfour"


def test_an_item_without_guid_or_link_has_a_stable_key() -> None:
    data = rss("F", [{"title": "T", "link": "", "guid": ""}]).encode()
    item = parse_feed(data, name="f").items[0]
    assert item.key.startswith("sha1:") and item.key == parse_feed(data, name="f").items[0].key
