"""Shared test fixtures: where the real articles and their gold files are."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ARTICLES = SHARED / "articles"
GOLD = SHARED / "gold"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
