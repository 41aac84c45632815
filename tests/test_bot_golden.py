"""Golden files of the replies to every slash command for the first article: the exact JSON
Discord would receive (``allowed_mentions``, flags, embeds, attachment list).

The article is copyrighted and never goes into the project, so each golden file holds one digest
per line of the pretty-printed payloads (number, length, sha256 prefix); a mismatch prints the
differing lines of the actual JSON. Rewritten only on purpose, after a change to the templates,
the extractors or the commands:

    SITREP_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_bot_golden.py

then review ``git diff tests/golden/bot`` before committing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.commands.pipeline import Invocation, answer
from bot.config import default_config
from bot.delivery.sinks import payload_with_attachments
from bot.render_config import make_renderer
from bot.store.articles import Store
from briefings import distill
from briefings.ingest import read_article

GOLDEN = Path(__file__).resolve().parent / "golden" / "bot"
UPDATE = os.environ.get("SITREP_UPDATE_GOLDEN") == "1"
NOW = datetime(2024, 11, 21, 9, 30, tzinfo=UTC)

COMMANDS = [
    ("briefing", {}),
    ("briefing", {"section": "quotes"}),
    ("quotes", {"speaker": "Geniy"}),
    ("forces", {}),
    ("frontline", {}),
    ("policy", {}),
    ("sources", {}),
    ("help", {}),
]


def digest(text: str) -> str:
    return "".join(
        f"{n:04d} {len(line):4d} {hashlib.sha256(line.encode()).hexdigest()[:12]}\n"
        for n, line in enumerate(text.split("\n"), 1)
    )


@pytest.fixture
async def store(kursk_article: Path, tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'golden.db'}")
    article = read_article(str(kursk_article))
    article = dataclasses.replace(
        article,
        title=article.title or "The battle for Kursk",
        source="The Wall Street Journal",
        published=date(2024, 11, 20),
    )
    await s.add_article(article, distill(article))
    yield s
    await s.close()


@pytest.mark.parametrize(("name", "options"), COMMANDS)
async def test_golden_reply(store: Store, name: str, options: dict[str, str]) -> None:
    renderer = make_renderer(default_config({}))
    messages = await answer(store, renderer, Invocation.of(name, options, now=NOW))
    payloads = [payload_with_attachments(m) for m in messages]
    for p in payloads:
        assert p["allowed_mentions"]["parse"] == []
    actual = json.dumps(payloads, ensure_ascii=False, indent=2, sort_keys=True)
    label = "-".join([name, *(f"{k}_{v}" for k, v in options.items())]).lower()
    path = GOLDEN / f"kursk.{label}.digest"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(digest(actual), encoding="utf-8")
        return
    if not path.is_file():
        pytest.fail(f"{path} is missing: create it with SITREP_UPDATE_GOLDEN=1 pytest {__file__}")
    old = path.read_text(encoding="utf-8").splitlines()
    new = digest(actual).splitlines()
    if old == new:
        return
    lines = actual.split("\n")
    changed = [n for n in range(max(len(old), len(new))) if old[n : n + 1] != new[n : n + 1]]
    shown = "\n".join(f"{n + 1:4d}: {lines[n] if n < len(lines) else ''}" for n in changed[:40])
    pytest.fail(
        f"/{name} {options}: reply changed at lines {[n + 1 for n in changed][:20]}:\n{shown}\n"
        f"If intended: SITREP_UPDATE_GOLDEN=1 pytest {__file__}"
    )
