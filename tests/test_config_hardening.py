"""A bad configuration file, as a user meets it through the real CLI (issue 10): whatever the
path names (a named pipe, a folder, a device) and whatever a wrong value holds (100,000
characters, a huge list, control or bidi characters), ``sitrep`` answers at once with one short
line on standard error and exit 2, never a hang and never a traceback."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from cli_run import sitrep

from bot.config import load_config
from briefings.errors import ConfigError

HUGE = "x" * 100_000
# What must never reach the terminal from a configuration value: C0 and C1 controls (an escape
# sequence can rewrite the screen) and the bidi controls that reorder what a reader sees.
UNSAFE = re.compile("[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MAX_LINE = 300
QUICK = 30  # seconds: a refusal is immediate, a read waiting for a writer never ends


def dry_run(config: Path | str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return sitrep("dry-run", "--config", str(config), "--command", "/help", **kwargs)  # type: ignore[arg-type]


def one_line(r: subprocess.CompletedProcess[str]) -> str:
    """The single line of standard error of a refused command (exit 2, nothing on stdout)."""
    assert r.returncode == 2, r.stderr[-2000:]
    assert r.stdout == ""
    assert "Traceback" not in r.stderr
    (line,) = r.stderr.strip().splitlines()
    return line


# ---------------------------------------------------------------- not a regular file


def test_a_named_pipe_as_the_configuration_is_refused_at_once(tmp_path: Path) -> None:
    # Reading a FIFO waits for a writer; none ever comes, so without the check the command
    # would hang until the timeout.
    fifo = tmp_path / "sitrep.toml"
    os.mkfifo(fifo)
    line = one_line(dry_run(fifo, timeout=QUICK))
    assert line == f"sitrep: {fifo}: is a named pipe, not a regular file"


def test_a_named_pipe_named_by_sitrep_config_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    r = sitrep("dry-run", "--command", "/help", env={"SITREP_CONFIG": str(fifo)}, timeout=QUICK)
    assert one_line(r) == f"sitrep: {fifo}: is a named pipe, not a regular file"


def test_a_folder_as_the_configuration_is_refused(tmp_path: Path) -> None:
    line = one_line(dry_run(tmp_path, timeout=QUICK))
    assert line == f"sitrep: {tmp_path}: is a directory, not a regular file"


def test_a_device_as_the_configuration_is_refused() -> None:
    # /dev/null reads as an empty file: without the check it passed for "all defaults".
    line = one_line(dry_run(os.devnull, timeout=QUICK))
    assert line == f"sitrep: {os.devnull}: is a character device, not a regular file"


def test_a_missing_configuration_is_still_named(tmp_path: Path) -> None:
    gone = tmp_path / "gone.toml"
    assert one_line(dry_run(gone)) == f"sitrep: {gone}: no such configuration file"


def test_distill_refuses_a_named_pipe_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "article.txt"
    os.mkfifo(fifo)
    line = one_line(sitrep("distill", str(fifo), timeout=QUICK))
    assert line.startswith(f"sitrep: {fifo}: is a named pipe, not a regular file")


def test_load_config_refuses_a_named_pipe_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "sitrep.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="is a named pipe, not a regular file"):
        load_config(fifo, env={})


# ---------------------------------------------------------------- wrong values, echoed short

SUB = '[[subscriptions]]\nchannel = 123\nschedule = "daily 08:00"\n'
SRC = '[[sources]]\nurl = "https://news.example/feed"\n'
HUGE_LIST = "[" + ", ".join(str(n) for n in range(100_000)) + "]"
HUGE_TABLE = "{" + ", ".join(f"k{n} = {n}" for n in range(20_000)) + "}"

CASES = [
    # (configuration, the key the line names)
    (f'[ingest]\nmax_bytes = "{HUGE}"\n', "[ingest] max_bytes: must be an integer"),
    (f"[ingest]\nmax_bytes = {HUGE_LIST}\n", "[ingest] max_bytes: must be an integer"),
    (f"[ingest]\nmax_bytes = {HUGE_TABLE}\n", "[ingest] max_bytes: must be an integer"),
    (f'[[subscriptions]]\nchannel = "{HUGE}"\n', "[subscriptions #1] channel: must be a Discord"),
    (f'[discord]\nguild_ids = ["{HUGE}"]\n', "[discord] guild_ids: must be a Discord id"),
    (f'[sources]\nfolders = ["ok", {HUGE_LIST}]\n', "[sources] folders: must be a list of"),
    (f'[[articles]]\npath = "a.txt"\npublished = "{HUGE}"\n', "published: must be a date"),
    (f'[render]\nsections = ["{HUGE}"]\n', "[render] sections: unknown section"),
    (f'[store]\nurl = "{HUGE}://db"\n', "[store] url: unsupported database"),
    (f'{SUB}timezone = "{HUGE}"\n', "[subscriptions #1] timezone: Unknown time zone"),
    (f'{SUB}sections = ["{HUGE}"]\n', "[subscriptions #1] sections: Unknown section"),
    (f'{SRC}kind = "{HUGE}"\n', "[sources #1] kind: unknown kind"),
    (f'{SRC}interval = "{HUGE}"\n', "[sources #1] interval: Not an interval"),
    (f'[fetch]\nallow_networks = ["{HUGE}"]\n', "[fetch] allow_networks: not an IP network"),
    (f'[[sources]]\nurl = "ftp://{HUGE}"\n', "[sources #1] url: Not an http(s) URL"),
    (f'[render]\n"{HUGE}" = 1\n', "unknown key"),
    (f'[render.max_items]\n"{HUGE}" = 1\n', "unknown section"),
    (f'["{HUGE}"]\na = 1\n', "unknown table"),
]


@pytest.mark.parametrize(("text", "fragment"), CASES, ids=[c[1] for c in CASES])
def test_a_huge_wrong_value_is_echoed_in_one_short_line(
    tmp_path: Path, text: str, fragment: str
) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(text, encoding="utf-8")
    line = one_line(dry_run(cfg))
    assert fragment in line
    assert line.startswith(f"sitrep: {cfg.resolve()}: ")
    assert len(line) < MAX_LINE, line[:MAX_LINE]
    assert "…" in line  # the value is shown cut, and says so


def test_a_huge_schedule_is_refused_in_one_short_line(tmp_path: Path) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(f'[[subscriptions]]\nchannel = 1\nschedule = "{HUGE}"\n', encoding="utf-8")
    line = one_line(dry_run(cfg))
    assert "[subscriptions #1] schedule: The schedule is too long" in line
    assert len(line) < MAX_LINE


def test_a_huge_discord_url_in_the_environment_is_echoed_short(tmp_path: Path) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("", encoding="utf-8")
    line = one_line(dry_run(cfg, env={"SITREP_DISCORD_URL": "ftp://" + HUGE}))
    assert line.startswith("sitrep: SITREP_DISCORD_URL: not an http(s)://host[:port] URL")
    assert len(line) < MAX_LINE and "…" in line


def test_a_short_wrong_value_is_echoed_whole(tmp_path: Path) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text('[ingest]\nmax_bytes = "big"\n', encoding="utf-8")
    line = one_line(dry_run(cfg))
    assert line.endswith("[ingest] max_bytes: must be an integer, not 'big'")


# ---------------------------------------------------------------- Discord ids

ID_CASES = [
    # (the key, as written, and the value the line echoes): tomllib reads an integer of any size
    ("[[subscriptions]]\nchannel = 12345678901234567890123", "12345678901234567890123"),
    ("[[subscriptions]]\nchannel = 9223372036854775808", "9223372036854775808"),
    ("[[subscriptions]]\nchannel = 0", "0"),
    ('[[subscriptions]]\nchannel = "\u00b2"', "'²'"),  # a digit to str.isdigit, not to int
    ("[[subscriptions]]\nchannel = 1\nguild = 9223372036854775808", "9223372036854775808"),
    ("[discord]\nadmin_channel = 99999999999999999999999", "99999999999999999999999"),
    ("[discord]\nguild_ids = [1, 9223372036854775808]", "9223372036854775808"),
    ('[discord]\nguild_ids = ["9223372036854775808"]', "'9223372036854775808'"),
]


@pytest.mark.parametrize(("text", "value"), ID_CASES, ids=[c[0] for c in ID_CASES])
def test_a_discord_id_past_2_63_is_one_line_naming_it(
    tmp_path: Path, text: str, value: str
) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(text + "\nschedule = 'daily 08:00'\n" * text.startswith("[["), "utf-8")
    line = one_line(dry_run(cfg))
    key = "guild" if "guild =" in text else text.split("\n")[-1].split(" ")[0]
    table = "[subscriptions #1]" if text.startswith("[[") else "[discord]"
    assert line == (
        f"sitrep: {cfg.resolve()}: {table} {key}: "
        f"must be a Discord id (a positive integer below 2^63), not {value}"
    )


# ---------------------------------------------------------------- control and bidi characters

# TOML escapes: ESC [2J clears the screen, U+202E reverses what follows, U+2066 isolates.
NASTY = r"a\u001b[2J\u202eb\u2066c\u0007d\u0085e\u009bf"
CONTROL_CASES = [
    (f'[ingest]\nmax_bytes = "{NASTY}"\n', "[ingest] max_bytes: must be an integer"),
    (f'[[subscriptions]]\nchannel = "{NASTY}"\n', "channel: must be a Discord id"),
    (f'[render]\nsections = ["{NASTY}"]\n', "[render] sections: unknown section"),
    (f'{SUB}timezone = "{NASTY}"\n', "timezone: Unknown time zone"),
    (f'[[subscriptions]]\nchannel = 1\nschedule = "{NASTY}"\n', "schedule: Cannot read the"),
    (f'{SRC}kind = "{NASTY}"\n', "[sources #1] kind: unknown kind"),
    (f'[[sources]]\nurl = "ftp://{NASTY}"\n', "[sources #1] url: Not a valid URL"),
    (f'[fetch]\nallow_networks = ["{NASTY}"]\n', "not an IP network"),
    (f'[render]\n"{NASTY}" = 1\n', "unknown key"),
    (f'["{NASTY}"]\na = 1\n', "unknown table"),
]


@pytest.mark.parametrize(("text", "fragment"), CONTROL_CASES, ids=[c[1] for c in CONTROL_CASES])
def test_control_and_bidi_characters_never_reach_the_terminal(
    tmp_path: Path, text: str, fragment: str
) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(text, encoding="utf-8")
    r = dry_run(cfg)
    line = one_line(r)
    assert fragment in line
    assert UNSAFE.search(r.stderr.rstrip("\n")) is None, ascii(line)


def test_a_wrong_value_shows_its_control_characters_escaped(tmp_path: Path) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(f'[ingest]\nmax_bytes = "{NASTY}"\n', encoding="utf-8")
    line = one_line(dry_run(cfg))
    # repr's escapes: the user sees what the value holds, the terminal obeys none of it
    assert line.endswith(r"not 'a\x1b[2J\u202eb\u2066c\x07d\x85e\x9bf'")
