"""The ``sitrep`` command as a user runs it: bad input gives one line and exit 2, never a
traceback; the JSON of every article follows the contract."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_run import sitrep

import bot.cli
from briefings.ingest import read_article

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"
FIXTURE_NAMES = [
    "wire_dateline.txt",
    "press_release.md",
    "liveblog.html",
    "oped.txt",
    "interview_transcript.txt",
    "analysis_paraphrase.txt",
]
KINDS = {"ratio", "troops", "casualties", "equipment", "territory", "rate", "other"}

NO_QUOTES_NO_NUMBERS = (
    "Autumn comes to the valley\n\n"
    "The valley was quiet on Tuesday as farmers brought in the last of the harvest.\n"
    "Families gathered in the square after the market closed, and children played by the river.\n"
    "Nobody in the village spoke of the war, which has not reached this part of the country.\n"
)


def run_cli(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    text = stdin.decode("utf-8", "surrogateescape") if stdin is not None else None
    return sitrep(*args, env=env, stdin=text)


def assert_refused(result: subprocess.CompletedProcess[str], name: str, problem: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"sitrep: {name}: "), lines[0]
    assert problem in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert_refused(run_cli("distill", str(path)), str(path), "empty file")


def test_whitespace_only(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(b" \n\t\n\r\n   ")
    assert_refused(run_cli("distill", str(path)), str(path), "only whitespace")


def test_binary(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert_refused(run_cli("distill", str(path)), str(path), "PNG image, not an article")


def test_50_mb_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.write(b"Troops advanced near the river, the army said.\n")
        fh.truncate(50 * 1024 * 1024)
    result = run_cli("distill", str(path))
    assert_refused(result, str(path), "over the limit of 5,242,880 bytes")
    assert "--max-bytes" in result.stderr


def test_max_bytes_option(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(NO_QUOTES_NO_NUMBERS * 20, encoding="utf-8")
    assert_refused(
        run_cli("distill", "--max-bytes", "1K", str(path)), str(path), "limit of 1,024 bytes"
    )
    assert run_cli("distill", "--max-bytes", "1M", "--format", "json", str(path)).returncode == 0


def test_html_with_no_body(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a>"
        "<a href='/news'>News</a></nav><footer>© 2024 Example</footer></body></html>",
        encoding="utf-8",
    )
    assert_refused(run_cli("distill", str(path)), str(path), "no article body")


def test_latin1_file_is_read_correctly(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    text = "Gen. José Muñoz said the troops held the line near Zürich on Monday."
    path.write_bytes(("Headline\n\n" + text + "\n").encode("latin-1"))
    result = run_cli("distill", "--format", "json", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data["article"]["title"] == "Headline"
    assert data["article"]["words"] == len(text.split())


def test_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "cyrillic.txt"
    path.write_bytes(("Войска продвинулись к городу, заявили в штабе. " * 8).encode("cp1251"))
    assert_refused(run_cli("distill", str(path)), str(path), "convert it to UTF-8")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    assert_refused(run_cli("distill", str(path)), str(path), "no such file")


def test_a_directory(tmp_path: Path) -> None:
    assert_refused(run_cli("distill", str(tmp_path)), str(tmp_path), "is a directory")


def test_a_named_pipe_with_no_writer_is_refused_at_once(tmp_path: Path) -> None:
    # Opening a FIFO for reading waits for a writer; none ever comes, so without the check the
    # command would hang until run_cli's timeout.
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    result = run_cli("distill", str(fifo))
    assert_refused(result, str(fifo), "is a named pipe, not a regular file")
    assert "use - to read standard input" in result.stderr


def test_a_device_is_refused() -> None:
    assert_refused(run_cli("distill", os.devnull), os.devnull, "is a character device")


def test_stdin_empty() -> None:
    assert_refused(run_cli("distill", "-", stdin=b""), "<stdin>", "empty")


def test_stdin_article() -> None:
    result = run_cli("distill", "-", "--format", "json", stdin=NO_QUOTES_NO_NUMBERS.encode())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["article"]["title"] == "Autumn comes to the valley"


def test_stdin_html_is_sniffed() -> None:
    page = (ARTICLES / "liveblog.html").read_bytes()
    result = run_cli("distill", "-", "--format", "json", stdin=page)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["article"]["source"] == "The Harbour Courier"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["distill"], "sitrep: distill: the following arguments are required: path"),
        (["distill", "a.txt", "b.txt"], "sitrep: distill: unrecognized arguments: b.txt"),
        (["dry-run", "a.txt"], "sitrep: dry-run: unrecognized arguments: a.txt"),
        (["distill", "a.txt", "--format", "yaml"], "sitrep: distill: argument --format: invalid"),
        (["frob"], "sitrep: argument COMMAND: invalid choice: 'frob'"),
        (
            ["--frob\x1b[2J\u202e"],
            "sitrep: unrecognized arguments: --frob[2J (see",
        ),  # controls dropped
    ],
)
def test_a_wrong_argument_is_one_clean_line_naming_the_command(args: list[str], line: str) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr  # no usage block, no traceback
    assert result.stderr.startswith(line), result.stderr
    assert result.stderr.rstrip().endswith("--help)")


def test_broken_pipe_is_quiet() -> None:
    code = (
        "import sys, bot.cli as c\n"
        "def flood(args):\n"
        "    for _ in range(200000):\n"
        "        print('x' * 100)\n"
        "    return 0\n"
        "c._cmd_distill = flood\n"
        "sys.exit(c.main(['distill', 'whatever.txt']))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"x" * 100 + b"\n"
    proc.stdout.close()
    stderr = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert stderr == b""


# --- in process: unexpected errors and Ctrl-C -------------------------------------------------


def _raise(exc: BaseException) -> Any:
    def command(args: object) -> int:
        raise exc

    return command


def test_unexpected_error_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SITREP_DEBUG", raising=False)
    monkeypatch.setattr(bot.cli, "_cmd_distill", _raise(RuntimeError("boom\nsecond line")))
    assert bot.cli.main(["distill", "x.txt"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "sitrep: unexpected error: RuntimeError: boom second line "
        "(set SITREP_DEBUG=1 to see the traceback)"
    ]


def test_unexpected_error_with_debug_logs_the_traceback(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SITREP_DEBUG", "1")
    monkeypatch.setattr(bot.cli, "_cmd_distill", _raise(RuntimeError("boom")))
    with caplog.at_level(logging.ERROR):
        assert bot.cli.main(["distill", "x.txt"]) == 1
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)
    assert capsys.readouterr().err.strip() == "sitrep: unexpected error: RuntimeError: boom"


def test_ctrl_c_is_quiet(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bot.cli, "_cmd_distill", _raise(KeyboardInterrupt()))
    assert bot.cli.main(["distill", "x.txt"]) == 130
    assert capsys.readouterr().err == ""


# --- the contract's JSON ----------------------------------------------------------------------


def assert_contract_json(data: dict[str, Any], sentences: int) -> None:
    assert data["schema"] == "sitrep.briefing/1"
    article = data["article"]
    for key, kind in (("title", str), ("source", str), ("published", str)):
        assert article[key] is None or isinstance(article[key], kind), key
    assert isinstance(article["words"], int) and article["words"] > 0
    assert isinstance(article["sha256"], str) and len(article["sha256"]) == 64
    sections = data["sections"]
    assert set(sections) >= {"frontline", "forces", "policy", "quotes"}
    fields = {
        "frontline": {"text": str, "places": list},
        "forces": {"text": str, "kind": str, "value": str},
        "policy": {"text": str, "actors": list},
        "quotes": {"text": str},
    }
    for name, required in fields.items():
        assert isinstance(sections[name], list), name
        for item in sections[name]:
            for key, kind in required.items():
                assert isinstance(item[key], kind), (name, key, item)
            assert item["sentences"], (name, item)
            assert all(isinstance(i, int) and 0 <= i < sentences for i in item["sentences"]), (
                name,
                item,
                sentences,
            )
            if name == "forces":
                assert item["kind"] in KINDS, item
            if name == "quotes":
                assert item["speaker"] is None or isinstance(item["speaker"], str)
    assert isinstance(data["actors"], list)
    for actor in data["actors"]:
        assert isinstance(actor["name"], str) and actor["name"], actor
        assert actor["role"] is None or isinstance(actor["role"], str), actor
        assert actor["kind"] in {"leader", "official", "commander"}, actor
        assert actor["sentences"], actor
        assert all(isinstance(i, int) and 0 <= i < sentences for i in actor["sentences"]), actor


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_distills_to_contract_json(name: str) -> None:
    path = ARTICLES / name
    result = run_cli("distill", "--format", "json", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    article = read_article(str(path))
    data = json.loads(result.stdout)
    assert_contract_json(data, len(article.sentences))
    assert data["article"]["sha256"] == article.sha256
    assert data["article"]["title"] == article.title


def test_article_with_no_quotes_or_numbers(tmp_path: Path) -> None:
    path = tmp_path / "quiet.txt"
    path.write_text(NO_QUOTES_NO_NUMBERS, encoding="utf-8")
    result = run_cli("distill", "--format", "json", str(path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert_contract_json(data, len(read_article(str(path)).sentences))
    assert data["sections"]["quotes"] == []
    assert data["sections"]["forces"] == []
    for fmt in ("markdown", "text"):
        rendered = run_cli("distill", "--format", fmt, str(path))
        assert rendered.returncode == 0, rendered.stderr
        assert rendered.stdout.strip()


def test_bare_sitrep_prints_help_and_every_command_describes_itself() -> None:
    result = run_cli()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: sitrep")
    assert "Start with `sitrep dry-run`" in result.stdout
    assert "CONTRACT.md" not in result.stdout  # no file a user does not have
    for command in ("distill", "dry-run", "run", "sync-commands", "post", "site"):
        assert command in result.stdout
        sub = run_cli(command, "--help")
        assert sub.returncode == 0, sub.stderr
        description = sub.stdout.split("\n\n")[1]
        assert description[0].isupper() and description.strip().endswith("."), (command, sub.stdout)


def test_version() -> None:
    from importlib.metadata import version

    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sitrep {version('sitrep')}"


def test_local_configuration_is_git_ignored_and_license_is_spdx() -> None:
    import tomllib

    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/config/sitrep.toml" in ignored  # it may hold a webhook URL
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
