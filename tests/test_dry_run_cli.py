"""``sitrep dry-run`` as a new user meets it, end to end (the real CLI in a subprocess): it finds
its configuration by the rule every command follows (``--config``, ``$SITREP_CONFIG``, then
./config/sitrep.toml) and still prints the demo briefing with no configuration at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "sitrep.example.toml"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bot"
SITREP = [sys.executable, "-m", "bot.cli"]
# The README's example, word for word.
REPLAY = ["dry-run", "--until", "2026-01-02T00:00Z", "--fast", "--now", "2026-01-01T00:00Z"]


def sitrep(*args: str, cwd: Path, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    base = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "SITREP_CONFIG")}
    return subprocess.run(
        [*SITREP, *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def checkout(folder: Path, extra: str = "", name: str = "sitrep.toml") -> Path:
    """``folder`` as a checkout whose user ran ``cp config/sitrep.example.toml
    config/sitrep.toml`` and then appended ``extra``; returns the configuration."""
    (folder / "config").mkdir(exist_ok=True)
    articles = folder / "articles"
    articles.mkdir(exist_ok=True)
    (articles / "river_crossing.txt").write_bytes((FIXTURES / "river_crossing.txt").read_bytes())
    cfg = folder / "config" / name
    cfg.write_text(EXAMPLE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return cfg


def declared(channel: int) -> str:
    return (
        '\n[[articles]]\npath = "../articles/river_crossing.txt"\n'
        f'\n[[subscriptions]]\nchannel = {channel}\nschedule = "daily 08:00"\n'
    )


def test_the_readme_replay_reads_config_sitrep_toml(tmp_path: Path) -> None:
    checkout(tmp_path, declared(123456789012345678))
    r = sitrep(*REPLAY, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "channel 123456789012345678 · post 1" in r.stdout
    assert "2026-01-01 08:00:00 UTC" in r.stdout
    assert "Defenders Hold the Bridgehead" in r.stdout
    assert "dry-run: 1 scheduled runs" in r.stdout


def test_the_example_configuration_as_copied_says_what_is_missing(tmp_path: Path) -> None:
    cfg = checkout(tmp_path)
    r = sitrep(*REPLAY, cwd=tmp_path)
    assert r.returncode == 2
    assert "needs a configuration" not in r.stderr
    assert "no subscriptions to run" in r.stderr and "[[subscriptions]]" in r.stderr
    assert str(Path("config") / cfg.name) in r.stderr or str(cfg) in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_config_option_then_environment_then_config_sitrep_toml(tmp_path: Path) -> None:
    checkout(tmp_path, declared(111))
    other = checkout(tmp_path, declared(222), name="other.toml")
    third = checkout(tmp_path, declared(333), name="third.toml")

    def channel(*args: str, env: dict[str, str] | None = None) -> str:
        r = sitrep(*REPLAY, *args, cwd=tmp_path, env=env)
        assert r.returncode == 0, r.stderr
        found = {c for c in ("111", "222", "333") if f"channel {c} · post" in r.stdout}
        assert len(found) == 1, r.stdout
        return found.pop()

    assert channel() == "111"  # config/sitrep.toml
    assert channel(env={"SITREP_CONFIG": str(other)}) == "222"  # the environment wins over it
    assert channel("--config", str(third), env={"SITREP_CONFIG": str(other)}) == "333"


def test_dry_run_and_command_read_config_sitrep_toml(tmp_path: Path) -> None:
    checkout(tmp_path, declared(123))
    r = sitrep("dry-run", cwd=tmp_path)  # the latest post of the configured articles
    assert r.returncode == 0, r.stderr
    assert "Defenders Hold the Bridgehead" in r.stdout
    r = sitrep("dry-run", "--command", "/sources", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Defenders Hold the Bridgehead" in r.stdout


@pytest.mark.parametrize("command", [[], ["--command", "/briefing section:quotes"]])
def test_no_configuration_at_all_is_the_demo_briefing(tmp_path: Path, command: list[str]) -> None:
    r = sitrep("dry-run", *command, cwd=tmp_path, env={"HOME": str(tmp_path / "home")})
    assert r.returncode == 0, r.stderr
    assert "River crossing holds as attackers press toward Velyka Dolyna" in r.stdout or (
        "Key quotes" in r.stdout
    )
    assert "===== message 1 of" in r.stdout
    assert r.stderr == ""
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == []


def test_no_configuration_and_until_names_where_one_is_looked_for(tmp_path: Path) -> None:
    r = sitrep(*REPLAY, cwd=tmp_path)
    assert r.returncode == 2
    assert "--config FILE" in r.stderr and "config/sitrep.toml" in r.stderr
    assert len(r.stderr.splitlines()) == 1
