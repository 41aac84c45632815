"""``sitrep site OUTDIR``: the store's briefings written as a static web archive, and a look at it.

The pages are made by ``briefings.site`` (pure); this module reads the store, writes the files
(each one atomically) and, with ``--serve``, serves the folder on 127.0.0.1 until interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import http.server
import logging
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.commands.front_map import front_map_png
from bot.config import Config, default_config, find_config
from bot.store.articles import Store, load_configured
from briefings.article import build_article
from briefings.errors import SitrepError
from briefings.frontmap import front_map
from briefings.model import FrontlineItem
from briefings.site import SiteEntry, build_site

log = logging.getLogger(__name__)


async def site_entries(store: Store) -> list[SiteEntry]:
    """Every stored briefing with the sentences of its article, most recent first."""
    entries = []
    for stored, briefing, text in await store.archive():
        sentences = tuple(s.text for s in build_article(text).sentences) if text else ()
        entries.append(SiteEntry(stored.id, briefing, stored.added_at, sentences))
    return entries


def write_files(files: Mapping[str, bytes], outdir: Path) -> int:
    """Write ``files`` under ``outdir``, each replaced atomically; how many were written."""
    root = outdir.resolve()
    for rel, content in files.items():
        path = (root / rel).resolve()
        if root not in path.parents:
            raise SitrepError(f"site: refusing to write outside {outdir}: {rel}")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(content)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return len(files)


def site_map(items: Sequence[FrontlineItem]) -> bytes | None:
    """The map of a page of the archive: the same drawing as a post's."""
    return front_map_png(front_map(items))


async def build_site_async(
    config: Config, outdir: Path, *, base_url: str | None = None, now: datetime | None = None
) -> int:
    """Load the configured articles, build the archive of the whole store into ``outdir``."""
    store = await Store.open(config.store.url, origin=config.path, theatres=config.theatres)
    try:
        await load_configured(store, config)
        entries = await site_entries(store)
    finally:
        await store.close()
    files = build_site(
        entries,
        now=now or datetime.now(UTC),
        base_url=base_url,
        make_map=site_map,
    )
    return write_files(files, outdir)


def _check_outdir(outdir: Path) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise SitrepError(f"{outdir}: not a folder")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SitrepError(f"{outdir}: cannot create the folder: {exc.strerror}") from None
    if not os.access(outdir, os.W_OK):
        raise SitrepError(f"{outdir}: not writable")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        log.debug("site: " + format, *args)


def serve(outdir: Path, port: int, *, out: TextIO = sys.stdout) -> None:
    """Serve ``outdir`` on 127.0.0.1 (``port`` 0: any free port) until interrupted."""
    handler = functools.partial(_QuietHandler, directory=str(outdir))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise SitrepError(
            f"site --serve: cannot listen on 127.0.0.1:{port}: {exc.strerror}"
        ) from None
    with server:
        host, bound = server.server_address[:2]
        print(f"serving {outdir} at http://{host!s}:{bound}/index.html (Ctrl-C stops)", file=out)
        out.flush()
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


def site(
    config_path: str | None,
    outdir: str,
    *,
    serve_it: bool = False,
    port: int = 8000,
    base_url: str | None = None,
) -> int:
    config = find_config(config_path) or default_config()
    folder = Path(outdir)
    _check_outdir(folder)
    written = asyncio.run(build_site_async(config, folder, base_url=base_url))
    print(f"wrote {written} files to {folder} (open {folder / 'index.html'})")
    sys.stdout.flush()
    if serve_it:
        serve(folder, port)
    return 0
