"""A local web server for ingest tests: pages and feeds the tests write, plus hostile answers
(slow-loris, huge bodies, redirect loops). Real HTTP on 127.0.0.1 only."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape

from aiohttp import web

LOOPBACK = "127.0.0.0/8"


@dataclass
class Site:
    """What the server answers: ``pages[path] = (content type, body)``; ``redirects[path] =
    location``; the special routes below. ``hits`` counts requests per path."""

    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    conditional: list[str] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)  # path -> 503s before success
    delays: dict[str, float] = field(default_factory=dict)  # path -> seconds before answering
    modified: datetime = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    etags: bool = True  # False: only Last-Modified, answered by If-Modified-Since
    base: str = ""

    def put(self, path: str, body: str | bytes, content_type: str = "text/html") -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.pages[path] = (content_type, data)

    def url(self, path: str) -> str:
        return self.base + path


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'


def make_app(site: Site) -> web.Application:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            return await answer(request)
        except ConnectionResetError:  # the client gave up (as it should): nothing to log
            return web.Response(status=499)

    async def answer(request: web.Request) -> web.StreamResponse:
        path = request.path
        site.hits[path] = site.hits.get(path, 0) + 1
        if path in site.redirects:
            raise web.HTTPFound(site.redirects[path])
        if path.startswith("/loop/"):
            n = int(path.rsplit("/", 1)[1])
            raise web.HTTPFound(f"/loop/{(n + 1) % 3}")
        if path == "/slow":
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            await resp.prepare(request)
            for _ in range(200):
                await resp.write(b"<p>")
                await asyncio.sleep(0.05)
            return resp
        if path == "/stall":
            await asyncio.sleep(30)
        if path == "/stall-body":  # headers and a first chunk, then nothing
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            await resp.prepare(request)
            await resp.write(b"<p>")
            await asyncio.sleep(30)
            return resp
        if path == "/huge":
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            resp.content_length = 2 * 1024**3
            await resp.prepare(request)
            chunk = b"x" * 65536
            for _ in range(2 * 1024**3 // 65536):
                await resp.write(chunk)
            return resp
        if path == "/huge-chunked":
            resp = web.StreamResponse(headers={"Content-Type": "text/html"})
            resp.enable_chunked_encoding()
            await resp.prepare(request)
            chunk = b"y" * 65536
            for _ in range(2 * 1024**3 // 65536):
                await resp.write(chunk)
            return resp
        if path in site.delays:
            await asyncio.sleep(site.delays[path])
        left = site.failures.get(path, 0)
        if left:
            site.failures[path] = left - 1
            return web.Response(status=503, text="busy")
        if path not in site.pages:
            return web.Response(status=404, text="not found")
        content_type, body = site.pages[path]
        etag = _etag(body)
        modified = format_datetime(site.modified, usegmt=True)
        if site.etags and request.headers.get("If-None-Match") == etag:
            site.conditional.append(path)
            return web.Response(status=304, headers={"ETag": etag})
        if not site.etags and request.headers.get("If-Modified-Since") == modified:
            site.conditional.append(path)
            return web.Response(status=304)
        headers = {"Content-Type": content_type, "Last-Modified": modified}
        if site.etags:
            headers["ETag"] = etag
        return web.Response(body=body, headers=headers)

    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", handle)
    return app


@asynccontextmanager
async def serve(site: Site) -> AsyncIterator[Site]:
    runner = web.AppRunner(make_app(site), shutdown_timeout=0.1)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    site.base = f"http://127.0.0.1:{port}"
    try:
        yield site
    finally:
        await runner.cleanup()


# ---------------------------------------------------------------- documents


def page(title: str, paragraphs: list[str], *, canonical: str | None = None) -> str:
    """An article page with navigation around it, as outlets publish them."""
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{escape(title)}</title>{link}"
        '<meta property="article:published_time" content="2026-11-20T07:00:00Z"></head><body>'
        '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
        f"<article><h1>{escape(title)}</h1>{body}</article>"
        "<footer>Copyright Example News</footer></body></html>"
    )


def rss(title: str, items: list[dict[str, str]]) -> str:
    """An RSS 2.0 feed; each item has title, link, guid, and optionally description, content."""
    parts = []
    for it in items:
        content = it.get("content")
        encoded = f"<content:encoded><![CDATA[{content}]]></content:encoded>" if content else ""
        parts.append(
            "<item>"
            f"<title>{escape(it['title'])}</title><link>{escape(it['link'])}</link>"
            f'<guid isPermaLink="false">{escape(it["guid"])}</guid>'
            f"<pubDate>{it.get('date', 'Fri, 20 Nov 2026 07:00:00 GMT')}</pubDate>"
            f"<description>{escape(it.get('description', ''))}</description>{encoded}"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{escape(title)}</title><link>http://example.invalid/</link>"
        f"{''.join(parts)}</channel></rss>"
    )


def atom(title: str, entries: list[dict[str, str]]) -> str:
    parts = "".join(
        "<entry>"
        f"<id>{escape(e['guid'])}</id><title>{escape(e['title'])}</title>"
        f'<link href="{escape(e["link"])}"/>'
        "<updated>2026-11-20T07:00:00Z</updated>"
        f"<summary>{escape(e.get('description', ''))}</summary>"
        + (f'<content type="html">{escape(e["content"])}</content>' if e.get("content") else "")
        + "</entry>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:example:feed</id>"
        f"<updated>2026-11-20T07:00:00Z</updated>{parts}</feed>"
    )
