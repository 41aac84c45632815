"""``sitrep site``: the static archive built from a real store, end to end through the CLI.

The store holds our own fixture articles and, where ../shared is present, the real articles. Every
page is parsed: its links resolve, every briefing line links to a source sentence on the page, the
Atom feed validates with feedparser; then a real headless Chromium opens two pages.
"""

from __future__ import annotations

import html.parser
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import cli_run
import feedparser
import pytest
from cli_run import SITREP, clean_env
from conftest import ARTICLES

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def sitrep(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return cli_run.sitrep(*args, cwd=cwd, timeout=300)


class Page(html.parser.HTMLParser):
    """The links, ids and briefing lines of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.lines: list[list[str]] = []  # per briefing line: its source links
        self.scripts = 0
        self._section: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if a.get("id"):
            self.ids.add(str(a["id"]))
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(str(a[key]))
        classes = (a.get("class") or "").split()
        if tag == "section" and "section" in classes:
            self._section = classes[-1]
        if tag == "li" and self._section and self._section != "sources":
            self.lines.append([])
        if tag == "a" and "source" in classes and self.lines and self._section:
            self.lines[-1].append(str(a["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    (folder / "articles").mkdir()
    sources = [*(FIXTURES / "bot").glob("*.txt"), *(FIXTURES / "articles").glob("*")]
    if ARTICLES.is_dir():
        sources += sorted(ARTICLES.glob("*.txt"))
    for f in sources:
        shutil.copy(f, folder / "articles" / f.name)
    (folder / "sitrep.toml").write_text(
        "[store]\nurl = 'sqlite:///site.db'\n[sources]\nfolders = ['articles']\n"
        "[[articles]]\npath = 'articles/river_crossing.txt'\npublished = 2030-01-02\n"
        "source = 'Our Wire'\nurl = 'https://news.example/river'\n",
        encoding="utf-8",
    )
    r = sitrep("site", "out", "--config", "sitrep.toml", cwd=folder)
    assert r.returncode == 0, r.stderr
    assert "wrote" in r.stdout
    return folder / "out"


def test_the_archive_has_an_index_a_page_per_briefing_digest_and_theatre(built: Path) -> None:
    assert (built / "index.html").is_file()
    briefings = sorted((built / "briefings").glob("*.html"))
    # one page per article given: the bundled fixtures, and the real ones when present
    own = [*(FIXTURES / "bot").glob("*.txt"), *(FIXTURES / "articles").glob("*")]
    expected = len(own) + (len(list(ARTICLES.glob("*.txt"))) if ARTICLES.is_dir() else 0)
    assert len(briefings) == expected
    assert list((built / "digests").glob("*.html"))
    theatres = {p.stem for p in (built / "theatres").glob("*.html")}
    if ARTICLES.is_dir():
        assert {"ukraine", "israel-and-gaza"} <= theatres
    index = (built / "index.html").read_text(encoding="utf-8")
    assert "By theatre" in index and "By date" in index
    assert "2030-01-02" in index  # the configured date of one article


def test_every_link_resolves_and_no_page_needs_javascript(built: Path) -> None:
    pages = {p: parse(p) for p in built.rglob("*.html")}
    for path, page in pages.items():
        assert page.scripts == 0, path
        for link in page.links:
            parts = urllib.parse.urlsplit(link)
            if parts.scheme in ("http", "https"):
                continue
            assert not parts.scheme, (path, link)
            target = (path.parent / urllib.parse.unquote(parts.path)).resolve()
            assert target.is_file(), (path, link)
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in pages[target].ids, (path, link)


def test_pages_of_located_places_show_their_map(built: Path) -> None:
    maps = sorted((built / "maps").glob("*.png"))
    assert maps and all(m.read_bytes().startswith(b"\x89PNG") for m in maps)
    # Each map is shown by a page (links resolve: the test above), and a briefing whose places
    # the gazetteer knows has one; the bundled fixtures' fictional places have none.
    shown = {
        link.rsplit("/", 1)[-1]
        for p in built.rglob("*.html")
        for link in parse(p).links
        if "/maps/" in link
    }
    assert shown == {m.name for m in maps}
    assert any(name.startswith("digest-") for name in shown)
    if ARTICLES.is_dir():
        assert any(name.startswith("briefing-") for name in shown)


def test_every_briefing_line_links_to_a_source_sentence(built: Path) -> None:
    total = 0
    for path in (built / "briefings").glob("*.html"):
        page = parse(path)
        for refs in page.lines:
            assert refs, f"a line of {path.name} has no source link"
            for ref in refs:
                assert ref.startswith(f"../briefings/{path.name}#s-")
                assert ref.split("#")[1] in page.ids
            total += 1
    assert total > 20


def test_a_line_with_a_known_address_links_to_the_sentence_there(built: Path) -> None:
    pages = [p.read_text(encoding="utf-8") for p in (built / "briefings").glob("*.html")]
    river = [p for p in pages if "https://news.example/river" in p]
    assert river and "https://news.example/river#:~:text=" in river[0]


def test_article_text_cannot_inject_markup(built: Path) -> None:
    for path in built.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<@" not in text and "<#111>" not in text  # escaped, never raw
    hostile = [
        p for p in (built / "briefings").glob("*.html") if "Hostilka" in p.read_text("utf-8")
    ]
    assert hostile and "#111&gt;" in hostile[0].read_text("utf-8")


def test_the_atom_feed_validates_and_links_to_the_pages(built: Path) -> None:
    feed = feedparser.parse((built / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    pages = list((built / "briefings").glob("*.html"))
    assert len(feed.entries) == len(pages)
    for entry in feed.entries:
        assert entry.title and entry.id and entry.updated_parsed
        assert (built / entry.link).is_file()
        assert entry.tags[0].term


def test_the_digest_groups_by_theatre_and_links_each_line(built: Path) -> None:
    for path in (built / "digests").glob("*.html"):
        page = parse(path)
        assert any(link.startswith("../theatres/") for link in page.links)
        assert any(link.startswith("../briefings/") and "#s-" in link for link in page.links)


def test_serve_answers_on_loopback(built: Path) -> None:
    args = [*SITREP, "site", str(built), "--config", "sitrep.toml", "--serve", "--port", "0"]
    with subprocess.Popen(
        args,
        cwd=built.parent,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = ""
            for _ in range(3):
                line = proc.stdout.readline()
                if line.startswith("serving"):
                    break
            url = line.split(" at ")[1].split()[0]
            assert url.startswith("http://127.0.0.1:")
            with urllib.request.urlopen(url, timeout=10) as response:
                assert response.status == 200
                assert b"By theatre" in response.read()
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_an_outdir_that_is_a_file_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    r = sitrep("site", "taken", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == ["sitrep: taken: not a folder"]
    r = sitrep("site", "out", "--port", "http", cwd=tmp_path)
    assert r.returncode == 2 and "not a port number" in r.stderr


# ---------------------------------------------------------------- a real browser


def _browser() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no headless browser: Debian's chromium is not installed (.ci/run installs it)")


@pytest.mark.parametrize("page", ["index.html", "briefing"])
def test_a_real_browser_renders_the_page(built: Path, tmp_path: Path, page: str) -> None:
    from PIL import Image

    browser = _browser()
    if page == "briefing":
        target = max((built / "briefings").glob("*.html"), key=lambda p: p.stat().st_size)
    else:
        target = built / page
    shot = tmp_path / "shot.png"
    r = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1000,3000",
            f"--screenshot={shot}",
            target.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.is_file(), r.stderr[-2000:]
    console = [line for line in r.stderr.splitlines() if "CONSOLE" in line]
    assert not console, console
    with Image.open(shot) as img:
        gray = img.convert("L")
        width, height = gray.size
        background = gray.getpixel((width - 1, height - 1))
        rows = [
            y
            for y in range(0, height, 10)
            if any(gray.getpixel((x, y)) != background for x in range(0, width, 7))
        ]
    assert rows, "the page is blank"
    assert max(rows) > 300, "the page is too short to hold an archive"
