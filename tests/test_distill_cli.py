"""``sitrep distill`` and how much of the briefing it shows (the real CLI in a subprocess)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_run import sitrep

DEMO = Path(__file__).resolve().parent.parent / "briefings" / "data" / "demo_article.txt"


def items(markdown: str) -> int:
    return sum(1 for line in markdown.splitlines() if line.startswith(("- ", "> ")))


def test_all_shows_every_item_and_says_nothing_is_left(tmp_path: Path) -> None:
    capped = sitrep("distill", str(DEMO), "--max-items", "2", cwd=tmp_path)
    everything = sitrep("distill", str(DEMO), "--all", cwd=tmp_path)
    assert capped.returncode == everything.returncode == 0, capped.stderr + everything.stderr
    assert "-# More with /briefing section:" in capped.stdout
    assert "More with" not in everything.stdout
    assert items(everything.stdout) > items(capped.stdout)


def test_max_items_caps_every_section(tmp_path: Path) -> None:
    r = sitrep("distill", str(DEMO), "--max-items", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert items(r.stdout) == 4  # one line a section
    text = sitrep("distill", str(DEMO), "--format", "text", "--max-items", "1", cwd=tmp_path)
    assert text.returncode == 0 and "more: /briefing section:frontline" in text.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--max-items", "0"], "a whole number from 1 to 1000"),
        (["--max-items", "many"], "a whole number from 1 to 1000"),
        (["--max-items", "\u00b2"], "'²': a whole number from 1 to 1000"),  # isdigit, not int
        (["--max-items", "9" * 5000], "a whole number from 1 to 1000"),  # past int()'s digits
        (["--all", "--max-items", "2"], "not allowed with argument --all"),
        (["--format", "json", "--all"], "json has every item"),
    ],
)
def test_a_wrong_item_option_is_one_clear_error(tmp_path: Path, args: list[str], says: str) -> None:
    r = sitrep("distill", str(DEMO), *args, cwd=tmp_path)
    assert r.returncode == 2 and not r.stdout
    assert says in r.stderr and "Traceback" not in r.stderr


def test_an_error_never_echoes_control_or_bidi_characters(tmp_path: Path) -> None:
    """A file name holding a terminal escape and a right-to-left override is named without
    them: the error cannot clear the screen or reorder what the reader sees."""
    r = sitrep("distill", "a\x1b[2J\u202eb.txt", cwd=tmp_path)
    assert r.returncode == 2
    assert "\x1b" not in r.stderr and "\u202e" not in r.stderr
    assert "a[2Jb.txt" in r.stderr and len(r.stderr.strip().splitlines()) == 1
