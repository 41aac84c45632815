"""Parsing ``--command "/name option:value ..."`` for dry-run, as Discord would split it."""

from __future__ import annotations

import pytest

from bot.commands.pipeline import CommandError, Invocation, parse_command


@pytest.mark.parametrize(
    ("line", "name", "options"),
    [
        ("/help", "help", ()),
        ("  /sources  ", "sources", ()),
        ("quotes", "quotes", ()),
        ("/quotes speaker:Anna Bell", "quotes", (("speaker", "Anna Bell"),)),
        (
            "/briefing section:quotes article:War: the long road",
            "briefing",
            (("section", "quotes"), ("article", "War: the long road")),
        ),
        ("/BRIEFING Section:forces", "briefing", (("section", "forces"),)),
        ("/frontline place:", "frontline", (("place", ""),)),
    ],
)
def test_parse(line: str, name: str, options: tuple[tuple[str, str], ...]) -> None:
    inv = parse_command(line)
    assert (inv.name, inv.options) == (name, options)


def test_empty_option_means_absent() -> None:
    assert parse_command("/frontline place:").get("place") is None
    assert Invocation.of("quotes", {"speaker": None, "article": "x"}).options == (("article", "x"),)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("", "Not a command"),
        ("/weather", "Unknown command /weather"),
        ("/quotes Anna", "Write options as name:value, for example /quotes speaker:Anna."),
        ("/quotes who:Anna", "Unknown option 'who' for /quotes. Options: speaker, article."),
        ("/help me:now", "/help takes no options."),
        ("/quotes speaker:a speaker:b", "Option 'speaker' is given twice."),
        ("/weather @everyone", "Unknown command /weather"),
    ],
)
def test_bad_lines(line: str, message: str) -> None:
    with pytest.raises(CommandError) as exc:
        parse_command(line)
    assert message in str(exc.value)
    assert "@everyone" not in str(exc.value)
