"""Ingest: bytes to ``Article`` (encodings, refusals, size limit, formats, trailers, fixtures)."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.article import build_article, is_boilerplate, is_trailer
from briefings.errors import InputError
from briefings.ingest import article_from_bytes, detect_format, read_article
from briefings.ingest.markdown import parse_markdown, strip_inline
from briefings.ingest.plain import dateline_outlet, parse_plain

ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"

BODY = (
    "Rebel forces seized the bridge at Tarnow on Monday, officials said.\n"
    "The army said 1,200 troops had been sent to retake it.\n"
)


def straight(text: str) -> str:
    return text.translate(str.maketrans("“”‘’", "\"\"''"))


def texts(article_paragraphs: object) -> list[str]:
    return [p.text for p in article_paragraphs]  # type: ignore[attr-defined]


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "Café “talks” — Kyiv’s offer.\n".encode(),
        "\ufeffCafé “talks” — Kyiv’s offer.\n".encode(),
        "\ufeffCafé “talks” — Kyiv’s offer.\n".encode("utf-16-le"),
        "\ufeffCafé “talks” — Kyiv’s offer.\n".encode("utf-16-be"),
        "Café “talks” — Kyiv’s offer.\n".encode("utf-16-le"),  # no BOM: NULs every other byte
        "Café “talks” — Kyiv’s offer.\n".encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le-no-bom", "cp1252"],
)
def test_encodings_are_decoded(data: bytes) -> None:
    article = article_from_bytes(data, name="a.txt")
    assert article.text == "Café “talks” — Kyiv’s offer."


def test_latin1_accented_names_are_read_correctly() -> None:
    data = "Gen. José Muñoz said the garçon fled Zürich.\n".encode("latin-1")
    assert article_from_bytes(data, name="l.txt").text == (
        "Gen. José Muñoz said the garçon fled Zürich."
    )


def test_utf8_with_stray_windows_1252_bytes() -> None:
    data = "Troops “held” the line, Kyiv’s army said.".encode() + b" The \x93bridge\x94 fell."
    assert article_from_bytes(data, name="m.txt").text == (
        "Troops “held” the line, Kyiv’s army said. The “bridge” fell."
    )


def test_sha256_is_of_the_text_as_read_without_bom() -> None:
    a = article_from_bytes(b"\xef\xbb\xbf" + BODY.encode(), name="a.txt")
    b = article_from_bytes(BODY.encode("utf-16"), name="b.txt")
    assert a.sha256 == b.sha256


def test_another_script_in_a_single_byte_encoding_is_refused() -> None:
    data = ("Российские войска продвинулись к городу, заявили в штабе. " * 5).encode("cp1251")
    with pytest.raises(InputError, match=r"^r\.txt: not UTF-8 .*convert it to UTF-8"):
        article_from_bytes(data, name="r.txt")


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "hello")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF document"),
        (_zip_bytes(), "ZIP archive"),
        (gzip.compress(b"hello world", mtime=0), "gzip archive"),
        (b"Soldiers advanced.\x00\x01\x02 more", "binary data"),
    ],
)
def test_binary_is_refused(data: bytes, kind: str) -> None:
    with pytest.raises(InputError, match=rf"^x\.txt: .*{kind}.*not an article"):
        article_from_bytes(data, name="x.txt")


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty file"), (b"  \n\t\r\n  \n", "only whitespace"), (b"\xef\xbb\xbf \n", "only")],
)
def test_empty_and_whitespace_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=rf"^e\.txt: {message}"):
        article_from_bytes(data, name="e.txt")


def test_only_bylines_is_refused() -> None:
    with pytest.raises(InputError, match="nothing to distill"):
        article_from_bytes(b"By Jane Doe\n\nCopyright 2024 Example News.\n", name="t.txt")


# --- size limit -------------------------------------------------------------------------------


def test_bytes_over_the_limit_are_refused_naming_the_limit() -> None:
    with pytest.raises(InputError) as info:
        article_from_bytes(b"x" * 101, name="big.txt", max_bytes=100)
    message = str(info.value)
    assert message.startswith("big.txt: 101 bytes, over the limit of 100 bytes")
    assert "--max-bytes" in message and "[ingest] max_bytes" in message


def test_a_50_mb_file_is_refused_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # sparse: costs no disk
        fh.truncate(50 * 1024 * 1024)

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_open)
    with pytest.raises(InputError, match=r"52,428,800 bytes, over the limit of 5,242,880 bytes"):
        read_article(str(big))


def test_the_limit_can_be_raised(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(BODY * 10)
    with pytest.raises(InputError, match="over the limit of 200 bytes"):
        read_article(str(path), max_bytes=200)
    assert read_article(str(path), max_bytes=10_000).paragraphs


def test_stdin_reads_at_most_one_byte_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.BytesIO(b"word " * 10_000)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stream))
    with pytest.raises(InputError, match=r"^<stdin>: more bytes, over the limit of 1,000 bytes"):
        read_article("-", max_bytes=1000)
    assert stream.tell() <= 1001


def test_stdin_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BODY.encode())))
    assert len(read_article("-").paragraphs) == 2


@pytest.mark.parametrize("limit", [0, -5])
def test_a_nonsense_limit_is_refused(limit: int) -> None:
    with pytest.raises(InputError, match="positive"):
        article_from_bytes(BODY.encode(), name="a.txt", max_bytes=limit)


def test_missing_file_and_directory_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        read_article(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a directory"):
        read_article(str(tmp_path))


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "content_type", "expected"),
    [
        ("plain", "a.txt", None, "text"),
        ("# T\n\nbody", "a.md", None, "markdown"),
        ("<p>x</p>", "a.html", None, "html"),
        ("no tags at all", "a.html", None, "text"),
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", "a.txt", None, "html"),
        ("# Title\n\nSome *text* with a [link](http://x.org).", "<stdin>", None, "markdown"),
        ("<html><body><div><p>x</p></div></body></html>", "<stdin>", None, "html"),
        ("Just words.\nMore words.", "<stdin>", None, "text"),
        ("whatever", "page", "text/html; charset=utf-8", "html"),
    ],
)
def test_detect_format(text: str, name: str, content_type: str | None, expected: str) -> None:
    assert detect_format(text, name=name, content_type=content_type) == expected


def test_plain_title_is_a_short_first_line_followed_by_a_blank_line() -> None:
    parsed = parse_plain("Rebels take the bridge\n\n" + BODY)
    assert parsed.title == "Rebels take the bridge"
    assert parsed.body.split("\n")[0].startswith("Rebel forces")


@pytest.mark.parametrize(
    "text",
    [
        BODY,  # no blank line after the first line
        "Rebel forces seized the bridge at Tarnow on Monday.\n\n" + BODY,  # a sentence
        ("word " * 40).strip() + "\n\n" + BODY,  # too long
    ],
)
def test_plain_without_title(text: str) -> None:
    assert parse_plain(text).title is None


def test_plain_title_over_its_byline_and_date() -> None:
    article = article_from_bytes(
        ("Rebels take the bridge\nBy Jane Doe\nMay 2, 2024\n\n" + BODY).encode(), name="t.txt"
    )
    assert article.title == "Rebels take the bridge"
    assert article.published == date(2024, 5, 2)
    assert article.paragraphs[0].text.startswith("Rebel forces")


def test_plain_hard_wrapped_paragraphs_are_joined() -> None:
    text = (
        "Rebel forces seized the bridge at Tarnow on Monday after a night of\n"
        "shelling, officials said, and were digging in on the western bank of\n"
        "the river by noon.\n"
        "\n"
        "The army said 1,200 troops had been sent to retake the crossing from\n"
        "the south.\n"
    )
    paragraphs = parse_plain(text).body.split("\n")
    assert len(paragraphs) == 2
    assert "night of shelling, officials said" in paragraphs[0]


def test_plain_one_paragraph_per_line_is_kept() -> None:
    text = "Headline here\n\n" + "\n".join(f"Paragraph {i} says something." for i in range(5))
    assert len(parse_plain(text).body.split("\n")) == 5


@pytest.mark.parametrize(
    ("first", "outlet"),
    [
        ("KHERSON, Ukraine (AP) — Troops advanced on Monday.", "Associated Press"),
        ("KYIV, Jan 5 (Reuters) - Troops advanced on Monday.", "Reuters"),
        ("PORT ELLIS (Example Wire) – Troops advanced on Monday.", "Example Wire"),
        ("Troops advanced on Monday (AP) — near the river.", None),
    ],
)
def test_dateline_outlet(first: str, outlet: str | None) -> None:
    assert dateline_outlet(first) == outlet


def test_plain_dateline_stays_in_text_and_gives_source() -> None:
    article = article_from_bytes(
        b"Title line\n\nKHERSON, Ukraine (AP) \xe2\x80\x94 Troops advanced, the army said.\n",
        name="w.txt",
    )
    assert article.source == "Associated Press"
    assert article.text.startswith("KHERSON, Ukraine (AP) — Troops")


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("Published March 3, 2025", date(2025, 3, 3)),
        ("Updated 10:42 AM EDT, Tue May 10, 2022", date(2022, 5, 10)),
        ("2024-02-29", date(2024, 2, 29)),
        ("3 March 2025 09:14 GMT", date(2025, 3, 3)),
    ],
)
def test_plain_date_stamp_becomes_published(stamp: str, expected: date) -> None:
    article = article_from_bytes(f"Headline\n\n{stamp}\n{BODY}".encode(), name="d.txt")
    assert article.published == expected
    assert article.paragraphs[0].text.startswith("Rebel forces")


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("Troops **seized** the *bridge* and __held__ it _briefly_.", "Troops seized the bridge "),
        ("See [the map](https://x.org/map (title)) here.", "See the map here."),
        ("A ![photo](img.png) caption.", "A caption."),
        ("Use `code` and ``double`` ticks.", "Use code and double ticks."),
        ("Ref [link][1] and <https://x.org>.", "Ref link and https://x.org."),
        ("Escaped \\*stars\\* and ~~struck~~ text &amp; more.", "Escaped *stars* and struck"),
        ("Not_a_word_emphasis in snake_case_name.", "Not_a_word_emphasis in snake_case_name."),
    ],
)
def test_markdown_inline_markup_is_stripped(markdown: str, text: str) -> None:
    assert strip_inline(markdown).startswith(text)


def test_markdown_blocks() -> None:
    parsed = parse_markdown(
        "---\ntitle: From front matter\ndate: 2024-05-06\nsource: Example Ministry\n---\n"
        "# Heading title\n\n"
        "First paragraph wrapped\nover two lines.\n\n"
        "- item one\n* item two\n1. item three\n\n"
        "> quoted line\n\n"
        "```\ncode = 1\n```\n\n"
        "| Unit | Troops |\n|---|---|\n| A | 100 |\n\n"
        "Setext heading\n--------------\n\n"
        "***\n\n[1]: https://x.org\n"
    )
    assert parsed.title == "From front matter"
    assert parsed.published == date(2024, 5, 6)
    assert parsed.source == "Example Ministry"
    assert parsed.body.split("\n") == [
        "Heading title",
        "First paragraph wrapped over two lines.",
        "item one",
        "item two",
        "item three",
        "quoted line",
        "Unit — Troops",
        "A — 100",
        "Setext heading",
    ]


def test_markdown_title_from_first_heading() -> None:
    parsed = parse_markdown("# The *real* title\n\nBody text here.\n\n## Subhead\n\nMore.\n")
    assert parsed.title == "The real title"
    assert parsed.body == "Body text here.\nSubhead\nMore."


# --- HTML -------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html><html><head><meta charset="{charset}">
<title>Rebels take bridge | Example News</title>
<meta property="og:site_name" content="Example News">
<meta property="og:url" content="https://news.example.com/a/rebels">
<meta property="article:published_time" content="2023-04-05T10:00:00Z">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="ad">Advertisement</div>
<article><h1>Rebels take bridge</h1>
<p>Rebel forces seized the bridge at Tarnow on Monday, officials said, after a push that lasted
three weeks and cut the eastern valley off from its supplies.</p>
<p>“We hold the crossing,” said Col. Ann Marsh, a spokeswoman for the rebel command, adding that
1,200 fighters had taken part in the assault on the town’s defences.</p>
<p>The army said it would counterattack within days and that reinforcements were on the way.</p>
</article><footer>Copyright 2023 Example News</footer></body></html>"""


def test_html_main_text_and_metadata() -> None:
    article = article_from_bytes(PAGE.format(charset="utf-8").encode(), name="p.html")
    assert article.title == "Rebels take bridge"
    assert article.source == "Example News"
    assert article.url == "https://news.example.com/a/rebels"
    assert article.published == date(2023, 4, 5)
    assert len(article.paragraphs) == 3
    assert article.paragraphs[0].text.startswith("Rebel forces seized the bridge")
    assert "Advertisement" not in article.text and "Home" not in article.text


def test_html_in_windows_1252_is_decoded() -> None:
    data = PAGE.format(charset="windows-1252").encode("cp1252")
    article = article_from_bytes(data, name="p.html")
    assert "“We hold the crossing,”" in article.text


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Log in</title></head><body><nav><a href=/>Home</a></nav>"
        "<form>Email <input> Password <input><button>Sign in</button></form></body></html>",
        "<!DOCTYPE html><html><body></body></html>",
        "<html><body><div><ul><li>News</li><li>Sport</li><li>Weather</li></ul></div></body></html>",
    ],
    ids=["login-form", "empty-body", "menu-only"],
)
def test_html_without_an_article_is_refused(page: str) -> None:
    with pytest.raises(InputError, match=r"^p\.html: no article body found in the HTML page"):
        article_from_bytes(page.encode(), name="p.html")


def test_malformed_html_is_read() -> None:
    page = (
        "<html><body><div><p>Rebel forces seized the bridge at Tarnow on Monday, officials said"
        " <b>after a long <i>push</b> through the valley.</i><p>The army said it would "
        "counterattack within days and that reinforcements were on their way.<div></html"
    )
    article = article_from_bytes(page.encode(), name="p.html")
    assert "seized the bridge at Tarnow" in article.text


def test_importing_the_cli_imports_no_heavy_package() -> None:
    # `sitrep distill` must start in well under 300 ms (issue 2, "Speed"): HTML parsing,
    # Discord, the database and the scheduler are imported where they are used.
    heavy = ["trafilatura", "lxml", "discord", "sqlalchemy", "apscheduler", "aiohttp"]
    code = f"import sys, bot.cli; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# --- trailers and bylines ---------------------------------------------------------------------

TRAILERS = [
    "By Jane Doe",
    "BY JOHN ROE and ANN LEE, Associated Press",
    "By Jane Doe | BBC News, Kyiv",
    "Write to Jane Doe at jane.doe@example.com",
    "Jane Doe in Kyiv contributed to this article.",
    "Associated Press writers Jane Doe in Kyiv and John Roe contributed.",
    "Reporting by Jane Doe; Editing by John Roe",
    "(Reporting by Jane Doe in Kyiv; Writing by Ann Lee; Editing by Tim Fox)",
    "Additional reporting by Jane Doe and John Roe",
    "Copyright 2024 The Associated Press. All rights reserved.",
    "© 2025 Example Media Ltd",
    "Sign up for our daily newsletter",
    "Get our morning briefing in your inbox every day.",
    "This story has been updated with additional information.",
    "This is a developing story.",
    "Correction: An earlier version of this story misstated the date.",
    "Updated 10:42 AM EDT, Tue May 10, 2022",
    "Photo: Jane Doe/Reuters",
    "Image caption, Soldiers rest near the front",
    "Image source, Getty Images",
    "Firefighters work at the site of a strike. (AP Photo/Jane Doe)",
    "Soldiers fire a howitzer. Photograph: Jane Doe/AFP/Getty Images",
    "Jane Doe/AFP via Getty Images",
    "FILE - Soldiers walk in a trench, on May 2, 2023. (AP Photo/Jane Doe, File)",
    "Read more: How the war changed the city",
    "Related: the battle for the river",
    "Advertisement",
    "Follow our live coverage of the war",
    "Jane Doe is a fellow at the Institute. The views expressed here are her own.",
    "FOR IMMEDIATE RELEASE",
    "###",
    "Media contact: press office, press@example.org",
    "jane.doe@example.com",
]
NOT_TRAILERS = [
    "Officials released a satellite image: it showed the bridge cut in two.",
    "The photo: a burned tank on the road to the village, taken on Monday.",
    "By nightfall, the town had fallen.",
    "By Monday, Russian forces had taken the village.",
    "Related talks broke down on Tuesday, officials said.",
    "Video, shared on social media, showed troops crossing the river.",
    "Reuters could not verify the claims.",
    "Follow-up talks are planned for next week.",
    "Copyright aside, the footage was widely shared, he said.",
    "Subscribers to the channel saw the video first.",
    "The brigade said it had lost 40 vehicles.",
]


@pytest.mark.parametrize("paragraph", TRAILERS)
def test_trailer_is_recognised(paragraph: str) -> None:
    assert is_trailer(paragraph)


@pytest.mark.parametrize("paragraph", NOT_TRAILERS)
def test_report_text_is_not_a_trailer(paragraph: str) -> None:
    assert not is_trailer(paragraph)
    assert not is_boilerplate(paragraph)


@pytest.mark.parametrize("paragraph", TRAILERS)
def test_trailers_are_dropped_from_the_ends_of_an_article(paragraph: str) -> None:
    article = build_article(f"{paragraph}\n{BODY}{paragraph}\n")
    assert texts(article.paragraphs) == BODY.strip().split("\n")


def test_boilerplate_is_dropped_anywhere_but_bylines_only_at_the_ends() -> None:
    body = "First line of the report.\nPhoto: Jane Doe/Reuters\nBy Jane Doe\nLast line."
    assert texts(build_article(body).paragraphs) == [
        "First line of the report.",
        "By Jane Doe",
        "Last line.",
    ]


# --- fixtures of our own writing --------------------------------------------------------------

FIXTURES = {
    "wire_dateline.txt": {
        "title": "Castrovan troops pull back from Drevnik as Tarvian offensive widens",
        "source": "Northline",
        "published": None,
        "paragraphs": 9,
        "first": "DREVNIK, Castrova (Northline) — Castrovan forces withdrew",
        "last": "“There was nothing left to stay for,” she said.",
    },
    "press_release.md": {
        "title": "Aldmark Defence Forces secure Hesker Island after four-day operation",
        "source": None,
        "published": date(2024, 3, 14),
        "paragraphs": 12,
        "first": "The Joint Operations Command of the Aldmark Defence Forces announced today",
        "last": "Coalition spokesman Col. Ruben Aster, speaking on state television",
    },
    "liveblog.html": {
        "title": "Kel river crossing: Sorian forces hold bridgehead as shelling intensifies – live",
        "source": "The Harbour Courier",
        "published": date(2024, 9, 3),
        "paragraphs": 14,
        "first": "Sorian troops dug in on the eastern bank of the Kel",
        "last": "Soria's prime minister, Anja Holt, said on Monday evening",
    },
    "oped.txt": {
        "title": "The war over the Merran Pass will not be won by waiting",
        "source": None,
        "published": None,
        "paragraphs": 6,
        "first": "Every winter since the fighting began",
        "last": "The diplomats who meet again this autumn",
    },
}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_ingests_cleanly(name: str) -> None:
    expected = FIXTURES[name]
    path = ARTICLES / name
    words = len(path.read_text(encoding="utf-8").split())
    article = read_article(str(path))
    assert article.title == expected["title"]
    assert article.source == expected["source"]
    assert article.published == expected["published"]
    assert len(article.paragraphs) == expected["paragraphs"]
    assert straight(article.paragraphs[0].text).startswith(straight(str(expected["first"])))
    assert straight(article.paragraphs[-1].text).startswith(straight(str(expected["last"])))
    assert 250 <= article.words <= 500, (name, article.words, words)
    for trailer in ("By ", "contributed", "Copyright", "©", "Sign up", "Advertisement"):
        assert not any(p.text.startswith(trailer) for p in article.paragraphs), trailer
    assert "<" not in article.text and "**" not in article.text and "](" not in article.text


# --- no input ever escapes as anything but InputError -----------------------------------------


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400), name=st.sampled_from(["a.txt", "a.md", "a.html", "<stdin>"]))
def test_any_bytes_give_an_article_or_input_error(data: bytes, name: str) -> None:
    try:
        article = article_from_bytes(data, name=name)
    except InputError as exc:
        assert str(exc).startswith(f"{name}: ")
        assert "\n" not in str(exc)
    else:
        assert article.paragraphs and article.text.strip()


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("ab #*_[]()!<>`-|:.\n\t“”’—0123456789ÉéA")), max_size=300
    ),
    name=st.sampled_from(["a.txt", "a.md", "<stdin>"]),
)
def test_any_text_gives_an_article_or_input_error(text: str, name: str) -> None:
    try:
        article = article_from_bytes(text.encode(), name=name)
    except InputError:
        return
    for s in article.sentences:
        assert article.text[s.start : s.end] == s.text
