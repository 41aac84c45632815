"""sitrep distills war reporting into four-section situation briefings (frontline, forces and
numbers, policy, quotes) and posts them to Discord. Start with `sitrep dry-run`: the bundled
demo article's briefing, exactly as it would be posted, offline. `sitrep COMMAND --help` says
more about each command."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from importlib import resources
from typing import Any, NoReturn

from briefings import distill
from briefings.errors import SitrepError
from briefings.ingest import DEFAULT_MAX_BYTES, INPUT_FORMATS, article_from_bytes, read_article
from briefings.sanitize import clean_line

log = logging.getLogger(__name__)


def _item_limit(text: str) -> int:
    """``--max-items N``: a whole number from 1 to 1,000."""
    if not text.strip().isdecimal() or len(text) > 20 or not 1 <= int(text) <= 1000:
        raise argparse.ArgumentTypeError(f"{text[:20]!r}: a whole number from 1 to 1000")
    return int(text)


def _cmd_distill(args: argparse.Namespace) -> int:
    if args.format == "json" and (args.all or args.max_items is not None):
        flag = "--all" if args.all else "--max-items"
        raise SitrepError(f"distill: {flag} applies to markdown and text; json has every item")
    article = read_article(args.path, max_bytes=args.max_bytes, input_format=args.input_format)
    briefing = distill(article)
    if args.format == "json":
        print(json.dumps(briefing.to_json(), ensure_ascii=False, indent=2))
        return 0
    from briefings.model import SECTIONS
    from briefings.render import Renderer, RenderOptions  # Jinja2 only where it renders

    if args.all:
        options = RenderOptions(max_items=())
    elif args.max_items is not None:
        options = RenderOptions(
            max_items=tuple((s, args.max_items) for s in SECTIONS), fit_text=None
        )
    else:
        options = RenderOptions()
    if args.format == "text":
        print(Renderer(options).text(briefing), end="")
    else:
        messages = Renderer(options).markdown_messages(briefing)
        for n, msg in enumerate(messages, 1):
            if len(messages) > 1:
                if n > 1:
                    print()
                print(f"===== message {n} of {len(messages)} =====")
            print(msg.content)
    return 0


def _check_dry_run_flags(args: argparse.Namespace) -> None:
    """Refuse flags that would be silently ignored: each dry-run does one thing."""
    given = {"--until": args.until is not None, "--fast": args.fast, "--now": args.now is not None}
    schedule = [flag for flag, on in given.items() if on]
    if args.command is not None and schedule:
        raise SitrepError(
            f"dry-run: --command and {schedule[0]} do not go together: --command answers one "
            "slash command, --until rehearses the schedules"
        )
    for flag, on in (("--json", args.json), ("--out", args.out is not None)):
        if on and args.command is None:
            raise SitrepError(f"dry-run: {flag} only applies with --command")


def _cmd_dry_run(args: argparse.Namespace) -> int:
    _check_dry_run_flags(args)
    if args.until is not None or args.fast or args.now is not None:
        from bot.rehearsal import run_dry_schedule

        return run_dry_schedule(args.config, args.until, fast=args.fast, now=args.now)
    from bot.config import config_path  # the rule every command follows

    if args.command is not None or config_path(args.config) is not None:
        from bot.runner import dry_run

        return dry_run(args.config, args.command, as_json=args.json, attachment_dir=args.out)
    from briefings.render import Renderer, format_for_console

    data = resources.files("briefings").joinpath("data/demo_article.txt").read_bytes()
    article = article_from_bytes(data, name="demo article")
    messages = Renderer().post_messages(distill(article), now=datetime.now(UTC))
    print(format_for_console(messages), end="")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, with a wrong argument answered as every other bad input is: one clean line on
    standard error (``_say``) naming the command and where its help is, then exit 2."""

    def error(self, message: str) -> NoReturn:
        _say(
            f"{self.prog.removeprefix('sitrep ')}: {message} (see {self.prog} --help)"
            if self.prog != "sitrep"
            else f"{message} (see sitrep --help)"
        )
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sitrep", description=__doc__)
    parser.add_argument("--version", action="version", version=f"sitrep {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = _add(sub, "distill", "distill one article and print its briefing")
    p.add_argument("path", help="article file (.txt, .md, .html) or - for standard input")
    p.add_argument("--format", choices=["json", "markdown", "text"], default="markdown")
    p.add_argument(
        "--max-bytes",
        type=_byte_size,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"refuse articles over N bytes (K, M, G suffixes; default {DEFAULT_MAX_BYTES:,})",
    )
    p.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        default=None,
        help="how to read the article (default: by extension, else by its content)",
    )
    shown = p.add_mutually_exclusive_group()
    shown.add_argument(
        "--all", action="store_true", help="markdown and text: every item of every section"
    )
    shown.add_argument(
        "--max-items",
        type=_item_limit,
        metavar="N",
        help="markdown and text: at most N items a section (default 5 frontline, 7 figures, "
        "3 policy, 3 quotes)",
    )
    p.set_defaults(func=_cmd_distill)
    p = _add(sub, "dry-run", "print what would be posted, without Discord")
    _bot_options(p)
    p.set_defaults(func=_cmd_dry_run)
    p = _add(sub, "run", "run the bot against Discord (needs DISCORD_TOKEN)")
    p.add_argument("--config", metavar="FILE", help="configuration (default config/sitrep.toml)")
    p.set_defaults(func=_cmd_run)
    p = _add(sub, "sync-commands", "publish the slash commands to Discord")
    p.add_argument("--config", metavar="FILE", help="configuration (default config/sitrep.toml)")
    p.add_argument(
        "--guild",
        type=_snowflake,
        action="append",
        metavar="ID",
        help="sync to this guild only (instant; repeatable); default: [discord] guild_ids, "
        "else globally",
    )
    p.set_defaults(func=_cmd_sync_commands)
    p = _add(sub, "post", "post a briefing through the configured webhook")
    p.add_argument("--config", metavar="FILE", help="configuration (default config/sitrep.toml)")
    p.add_argument("--article", metavar="TITLE", help="which article (default: the latest)")
    p.add_argument(
        "--section", action="append", metavar="NAME", help="only this section (repeatable)"
    )
    p.set_defaults(func=_cmd_post)
    p = _add(sub, "site", "write the stored briefings as a static web archive")
    p.add_argument("outdir", metavar="OUTDIR", help="the folder to write (created if missing)")
    p.add_argument("--config", metavar="FILE", help="configuration (default config/sitrep.toml)")
    p.add_argument("--serve", action="store_true", help="then serve it on 127.0.0.1")
    p.add_argument("--port", type=_port, default=8000, help="with --serve (default 8000; 0: any)")
    p.add_argument(
        "--base-url", metavar="URL", help="where the site will live (absolute feed links)"
    )
    p.set_defaults(func=_cmd_site)
    return parser


def _add(sub: Any, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand whose one-line ``summary`` is also the first line of its own help."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name, help=summary, description=f"{summary[0].upper()}{summary[1:]}."
    )
    parser.set_defaults(parser=parser)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sitrep")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _bot_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        metavar="FILE",
        help="configuration (default $SITREP_CONFIG, else config/sitrep.toml if there; "
        "none: the demo article)",
    )
    p.add_argument(
        "--command",
        metavar="'/CMD opt:value'",
        help='answer one slash command as the bot would, e.g. "/quotes speaker:NAME"',
    )
    p.add_argument(
        "--json", action="store_true", help="with --command: print the exact Discord payloads"
    )
    p.add_argument("--out", metavar="DIR", help="where attachments (the /forces chart) are written")
    p.add_argument(
        "--until",
        metavar="TIME",
        help="run the configuration's schedules until TIME (ISO 8601, e.g. 2026-01-02T00:00Z, "
        "or +DURATION from the start, e.g. +1h), printing every post with its time",
    )
    p.add_argument("--fast", action="store_true", help="with --until: replay the schedules at once")
    p.add_argument("--now", metavar="TIME", help="with --fast: start from TIME instead of now")


def _cmd_run(args: argparse.Namespace) -> int:
    from bot.runner import run

    return run(args.config)


def _cmd_sync_commands(args: argparse.Namespace) -> int:
    from bot.runner import sync_commands

    return sync_commands(args.config, args.guild)


def _cmd_post(args: argparse.Namespace) -> int:
    from bot.runner import post_webhook

    return post_webhook(args.config, args.article, args.section)


def _cmd_site(args: argparse.Namespace) -> int:
    from bot.site import site

    return site(
        args.config, args.outdir, serve_it=args.serve, port=args.port, base_url=args.base_url
    )


def _port(value: str) -> int:
    if not value.strip().isdecimal() or len(value) > 20 or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value[:40]!r}")
    return int(value)


def _snowflake(value: str) -> int:
    from bot.config import SNOWFLAKE_LIMIT

    if not value.strip().isdecimal() or len(value) > 20 or not 0 < int(value) < SNOWFLAKE_LIMIT:
        raise argparse.ArgumentTypeError(f"not a Discord id: {value[:40]!r}")
    return int(value)


def _byte_size(value: str) -> int:
    """``--max-bytes`` values: a positive number of bytes, optionally with K, M or G (1024s)."""
    m = re.fullmatch(r"\s*(\d+)\s*([kmg]?)i?b?\s*", value, re.IGNORECASE)
    if not m or int(m.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"not a positive size in bytes: {value!r}")
    return int(m.group(1)) << (10 * " kmg".index(m.group(2).lower() or " "))


def _say(message: str) -> None:
    """One line on standard error, whatever the message holds: no control or bidi character
    of a file name or a value reaches the terminal (``clean_line``)."""
    line = clean_line(message)
    with contextlib.suppress(OSError, ValueError):  # standard error closed: nothing to tell
        print(f"sitrep: {line}", file=sys.stderr, flush=True)


def _silence_stdout() -> None:
    # The reader of our output has gone (``sitrep distill x | head``): point standard output at
    # /dev/null so that the interpreter's final flush does not complain about the broken pipe.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run one command. Exit codes (CONTRACT.md): 0 done, 2 bad input or configuration (one line
    on standard error), 1 anything unexpected (one line; the traceback with SITREP_DEBUG=1)."""
    debug = os.environ.get("SITREP_DEBUG", "").strip() not in {"", "0"}
    try:
        parser = build_parser()
        args, extra = parser.parse_known_args(argv)
        if extra:  # named against the command they were given to, not the top level
            getattr(args, "parser", parser).error(f"unrecognized arguments: {' '.join(extra)}")
        if getattr(args, "func", None) is None:  # bare ``sitrep``: what it can do
            parser.print_help()
            return 0
        code: int = args.func(args)
        sys.stdout.flush()
        return code
    except SitrepError as exc:
        _say(str(exc))
        return 2
    except BrokenPipeError:
        _silence_stdout()
        return 141  # what a shell reports for a writer stopped by SIGPIPE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if debug:
            if not logging.getLogger().handlers:
                logging.basicConfig(level=logging.DEBUG)
            log.exception("unexpected error")
        hint = "" if debug else " (set SITREP_DEBUG=1 to see the traceback)"
        _say(f"unexpected error: {type(exc).__name__}: {exc}{hint}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
