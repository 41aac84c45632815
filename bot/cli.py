"""The ``sitrep`` command line (CONTRACT.md): distill, dry-run, run."""

from __future__ import annotations

import argparse
import json
import sys
from importlib import resources

from briefings import distill
from briefings.errors import SitrepError
from briefings.ingest import article_from_bytes, read_article
from briefings.render import render_messages


def _cmd_distill(args: argparse.Namespace) -> int:
    article = read_article(args.path)
    briefing = distill(article)
    if args.format == "json":
        print(json.dumps(briefing.to_json(), ensure_ascii=False, indent=2))
    else:
        for msg in render_messages(briefing):
            print(msg.content)
    return 0


def _cmd_dry_run(args: argparse.Namespace) -> int:
    data = resources.files("briefings").joinpath("data/demo_article.txt").read_bytes()
    article = article_from_bytes(data, name="demo article")
    for msg in render_messages(distill(article)):
        print(msg.content)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitrep", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("distill", help="distill one article and print its briefing")
    p.add_argument("path", help="article file (.txt, .md, .html) or - for standard input")
    p.add_argument("--format", choices=["json", "markdown", "text"], default="markdown")
    p.set_defaults(func=_cmd_distill)
    p = sub.add_parser("dry-run", help="print what would be posted, without Discord")
    p.set_defaults(func=_cmd_dry_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except SitrepError as exc:
        print(f"sitrep: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
