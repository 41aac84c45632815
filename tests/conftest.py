"""Shared test fixtures: where the real articles and their gold files are."""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ARTICLES = SHARED / "articles"
GOLD = SHARED / "gold"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _test_cache_dir() -> Path:
    """Where the suite keeps the gazetteer indexes: one folder per installation (this checkout's
    Python environment), kept between runs. The user's shared cache is keyed by the installed
    data's file times, and every install deletes the others' index as stale: two checkouts (or
    their suites) on one machine rebuilt both indexes, 6 s of CPU, in nearly every subprocess."""
    key = hashlib.sha256(f"{sys.prefix}|{ROOT}".encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"sitrep-test-cache-{os.getuid()}-{key}"


# Set before any test runs, so that in-process loads and every subprocess (cli_run keeps it) share
# it; a test of the cache itself sets its own.
os.environ.setdefault("SITREP_CACHE_DIR", str(_test_cache_dir()))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that mostly wait for the wall clock run first (marked ``waits_for_the_clock``): in
    parallel their wait overlaps the rest of the suite instead of ending it."""
    items.sort(key=lambda item: item.get_closest_marker("waits_for_the_clock") is None)


@pytest.fixture
def shared_articles() -> Path:
    """The real articles of ../shared/articles; the test is skipped where they are absent."""
    if not ARTICLES.is_dir():
        pytest.skip(
            f"real articles not available: {ARTICLES} is absent (they live beside the checkout)"
        )
    return ARTICLES


@pytest.fixture
def gold_dir() -> Path:
    if not GOLD.is_dir():
        pytest.skip(f"gold files not available: {GOLD} is absent (they live beside the checkout)")
    return GOLD


@pytest.fixture
def kursk_article(shared_articles: Path) -> Path:
    path = shared_articles / "00_wsj_kursk.txt"
    if not path.is_file():
        pytest.skip(f"the first article is absent: {path}")
    return path
