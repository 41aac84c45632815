"""Redraw the README's pictures: the map of the front and a screenshot of the web archive.

    python scripts/readme_images.py

The map is that of a digest of the Ukrainian reports in tests/fixtures/theatres (our own
writing); the screenshot is of the archive of the same fixtures, taken with Debian's chromium
when it is installed (skipped, saying so, otherwise). Both go to docs/.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.commands.front_map import draw_front_map
from briefings import distill
from briefings.digest import SourceRef, build_digest
from briefings.frontmap import front_map
from briefings.ingest import read_article
from briefings.model import FrontlineItem

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "theatres"
DOCS = ROOT / "docs"


def draw_map() -> None:
    briefings = [distill(read_article(str(p))) for p in sorted(FIXTURES.glob("*.txt"))]
    ukraine = [b for b in briefings if b.article.theatre == "Ukraine"]
    digest = build_digest([(SourceRef.of(b.article), b) for b in ukraine], now=datetime.now(UTC))
    items = [d.item for d in digest.frontline if isinstance(d.item, FrontlineItem)]
    front = front_map(items)
    if front is None:
        sys.exit("no place of the fixtures was located")
    (DOCS / "front-map.png").write_bytes(draw_front_map(front, f"{len(ukraine)} reports").png)
    print(f"wrote docs/front-map.png ({len(front.points)} places)")


def screenshot() -> None:
    browser = shutil.which("chromium")
    if browser is None:
        print("no chromium: docs/site.png not redrawn")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(FIXTURES, folder / "articles")
        (folder / "sitrep.toml").write_text(
            "[store]\nurl = 'sqlite:///site.db'\n[sources]\nfolders = ['articles']\n",
            encoding="utf-8",
        )
        sitrep = [sys.executable, "-m", "bot.cli"]
        subprocess.run([*sitrep, "site", "out", "--config", "sitrep.toml"], cwd=folder, check=True)
        pages = sorted((folder / "out" / "digests").glob("*.html"))
        page = pages[-1] if pages else folder / "out" / "index.html"
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={folder / 'profile'}",
                "--window-size=1000,1300",
                f"--screenshot={DOCS / 'site.png'}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
        )
    print("wrote docs/site.png")


if __name__ == "__main__":
    DOCS.mkdir(exist_ok=True)
    draw_map()
    screenshot()
