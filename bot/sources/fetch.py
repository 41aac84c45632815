"""Fetching a URL safely (aiohttp): the only place sitrep reaches the network for articles.

Every request goes through one ``Fetcher`` and its ``FetchPolicy``:

* only ``http`` and ``https``; no user name or password in the URL;
* the host is resolved and *every* address checked: private, loopback, link-local (cloud
  metadata), multicast, reserved, shared and unspecified addresses, IPv4 or IPv6 (also IPv4
  inside IPv6), are refused unless a network in ``allow_networks`` contains them. The check runs
  again for each redirect, and the connection itself resolves through a resolver that applies the
  same check, so a name that changes its answer between the check and the connection is refused;
* at most ``max_redirects`` redirects (5), each re-checked;
* a total timeout per attempt and a read timeout (a server that trickles bytes ends at the total);
* a size limit checked against ``Content-Length`` before reading and enforced while streaming, on
  the decompressed bytes;
* conditional requests (``If-None-Match``, ``If-Modified-Since``): a 304 is a result, not an error;
* retries with exponential backoff for 5xx answers, 429 and lost connections.

Failures are ``FetchError`` subclasses whose message names the URL and says what happened; their
``status`` is a short word for a source's status line.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from bot.config import shown
from briefings.errors import SitrepError
from briefings.ingest.files import DEFAULT_MAX_BYTES as INGEST_MAX_BYTES

__all__ = [
    "BlockedAddress",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "FetchTimeout",
    "Fetcher",
    "HTTPStatusError",
    "InvalidURL",
    "NetworkError",
    "TooLarge",
    "TooManyRedirects",
    "Validators",
    "canonical_url",
    "check_address",
    "parse_networks",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = INGEST_MAX_BYTES  # one limit for files and pages
USER_AGENT = "sitrep/0.1 (news briefings; +https://github.com/)"
_REDIRECTS = {301, 302, 303, 307, 308}
_RETRY_STATUSES = {429, 500, 502, 503, 504}
_CHUNK = 64 * 1024


# ---------------------------------------------------------------- errors


class FetchError(SitrepError):
    """A URL that could not be fetched; ``status`` is a short word for a status line."""

    status = "error"

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"{_shown(url)}: {problem}")
        self.url = url
        self.problem = problem


class InvalidURL(FetchError):
    status = "bad url"


class BlockedAddress(FetchError):
    status = "blocked"


class TooManyRedirects(FetchError):
    status = "redirects"


class FetchTimeout(FetchError):
    status = "timeout"


class TooLarge(FetchError):
    status = "too large"


class NetworkError(FetchError):
    status = "unreachable"


class HTTPStatusError(FetchError):
    status = "http error"

    def __init__(self, url: str, code: int, reason: str = "") -> None:
        super().__init__(url, f"the server answered {code}{' ' + reason if reason else ''}")
        self.code = code


def _shown(url: str) -> str:
    """A URL in a message: one line, at most 200 characters."""
    one = " ".join(str(url).split())
    return one if len(one) <= 200 else one[:199] + "…"


# ---------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """What a ``Fetcher`` may do. ``allow_networks`` lifts the address check for those networks
    only (tests allow ``127.0.0.0/8``)."""

    allow_networks: tuple[IPNetwork, ...] = ()
    max_bytes: int = DEFAULT_MAX_BYTES
    total_timeout: float = 30.0
    read_timeout: float = 15.0
    connect_timeout: float = 10.0
    max_redirects: int = MAX_REDIRECTS
    retries: int = 2
    backoff: float = 0.5
    max_backoff: float = 30.0
    user_agent: str = USER_AGENT

    def __post_init__(self) -> None:
        if not 0 <= self.max_redirects <= MAX_REDIRECTS:
            raise ValueError(f"max_redirects must be 0 to {MAX_REDIRECTS}")
        if self.max_bytes <= 0 or self.total_timeout <= 0 or self.read_timeout <= 0:
            raise ValueError("limits and timeouts must be positive")


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional request sends back: the ``ETag`` and ``Last-Modified`` last seen."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.etag:
            out["If-None-Match"] = self.etag
        if self.last_modified:
            out["If-Modified-Since"] = self.last_modified
        return out


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One fetched URL. ``url`` is where the body came from (after redirects); a 304 has an
    empty body and ``not_modified``."""

    requested: str
    url: str
    status: int
    body: bytes = b""
    content_type: str | None = None
    validators: Validators = field(default_factory=Validators)
    redirects: tuple[str, ...] = ()
    attempts: int = 1

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# ---------------------------------------------------------------- addresses


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``["127.0.0.0/8", "::1"]`` -> networks; ``ValueError`` naming a bad one."""
    out: list[IPNetwork] = []
    for v in values:
        try:
            out.append(ipaddress.ip_network(v.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP network: {shown(v)} (write 127.0.0.0/8 or ::1)") from None
    return tuple(out)


def _refusal(ip: IPAddress) -> str | None:
    """Why ``ip`` may not be fetched from, or None when it is a public address."""
    mapped = getattr(ip, "ipv4_mapped", None) or getattr(ip, "sixtofour", None)
    if mapped is not None:
        inner = _refusal(mapped)
        return f"{inner} (inside an IPv6 address)" if inner else None
    if isinstance(ip, ipaddress.IPv6Address) and ip in ipaddress.ip_network("64:ff9b::/96"):
        inner = _refusal(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        return f"{inner} (through NAT64)" if inner else None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "an address that is not public"
    return None


def check_address(ip: IPAddress | str, allow: tuple[IPNetwork, ...] = ()) -> str | None:
    """Why ``ip`` is refused under ``allow`` (None: it may be used)."""
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(addr, ipaddress.IPv6Address) and addr.scope_id:
        addr = ipaddress.IPv6Address(str(addr).split("%", 1)[0])
    if any(addr.version == net.version and addr in net for net in allow):
        return None
    return _refusal(addr)


class _Refused(OSError):
    """Raised inside the connector: the name resolved to an address that is not allowed."""


class _CheckingResolver(AbstractResolver):
    """Resolves like aiohttp's threaded resolver, then refuses the answer if any address is not
    allowed (so the address connected to is the address checked)."""

    def __init__(self, allow: tuple[IPNetwork, ...]) -> None:
        self._inner = ThreadedResolver()
        self._allow = allow

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        for entry in found:
            why = check_address(entry["host"], self._allow)
            if why:
                raise _Refused(f"{host} resolves to {entry['host']}, {why}")
        return found

    async def close(self) -> None:
        await self._inner.close()


# ---------------------------------------------------------------- URLs

_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid", "smid", "_ga")


def canonical_url(url: str) -> str:
    """The URL an article is known by: scheme and host in lower case, no default port, no
    fragment, no tracking parameters, no trailing slash on a path."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and not (
        (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
    ):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING)
    ]
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def _validate_url(url: str) -> tuple[str, str]:
    """(scheme, host) of an http(s) URL; ``InvalidURL`` otherwise."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError as exc:
        raise InvalidURL(url, f"not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        what = f"the scheme {scheme!r}" if scheme else "no scheme"
        raise InvalidURL(url, f"{what} is not fetched: only http and https URLs")
    if not parts.hostname:
        raise InvalidURL(url, "no host name in the URL")
    if len(parts.hostname) > 253:  # DNS's bound; longer would fail deep in IDNA encoding
        raise InvalidURL(url, f"the host name is too long ({len(parts.hostname):,} characters)")
    try:
        parts.hostname.encode("idna")
    except UnicodeError:
        raise InvalidURL(url, "not a valid host name") from None
    if parts.username or parts.password:
        raise InvalidURL(url, "a user name or password in the URL is not accepted")
    return scheme, parts.hostname


# ---------------------------------------------------------------- the fetcher


class Fetcher:
    """Fetches URLs under one policy; one connection pool. ``await close()`` when done (or use
    ``async with``). Create it inside the running event loop."""

    def __init__(self, policy: FetchPolicy = FetchPolicy()) -> None:
        self.policy = policy
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=_CheckingResolver(self.policy.allow_networks),
                use_dns_cache=False,
                limit=32,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                trust_env=False,
                headers={"User-Agent": self.policy.user_agent, "Accept-Encoding": "gzip, deflate"},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def check_url(self, url: str) -> None:
        """Refuse ``url`` (``InvalidURL``, ``BlockedAddress``, ``NetworkError``) unless it is an
        http(s) URL whose host resolves only to allowed addresses."""
        _, host = _validate_url(url)
        try:
            literal = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            literal = None
        if literal is not None:
            why = check_address(literal, self.policy.allow_networks)
            if why:
                raise BlockedAddress(url, f"refused: {host} is {why}")
            return
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, None, type=socket.SOCK_STREAM),
                self.policy.connect_timeout,
            )
        except (TimeoutError, OSError) as exc:
            raise NetworkError(url, f"cannot resolve {host} ({_reason(exc)})") from None
        for info in infos:
            address = str(info[4][0])
            why = check_address(address, self.policy.allow_networks)
            if why:
                raise BlockedAddress(url, f"refused: {host} resolves to {address}, {why}")

    async def fetch(
        self, url: str, *, validators: Validators | None = None, accept: str | None = None
    ) -> FetchResult:
        """GET ``url`` under the policy; retried with backoff on 5xx, 429 and lost connections.
        Raises a ``FetchError`` subclass; a 304 is returned (``not_modified``)."""
        p = self.policy
        attempt = 0
        while True:
            attempt += 1
            try:
                result = await self._fetch_once(url, validators, accept)
            except (NetworkError, _Retry) as exc:
                if attempt > p.retries:
                    if isinstance(exc, _Retry):
                        raise exc.error from None
                    raise
                delay = min(p.max_backoff, p.backoff * 2 ** (attempt - 1))
                if isinstance(exc, _Retry) and exc.retry_after is not None:
                    delay = min(p.max_backoff, max(delay, exc.retry_after))
                await asyncio.sleep(delay)
                continue
            return replace(result, attempts=attempt)

    async def _fetch_once(
        self, url: str, validators: Validators | None, accept: str | None
    ) -> FetchResult:
        p = self.policy
        session = self._open()
        timeout = aiohttp.ClientTimeout(
            total=p.total_timeout, sock_connect=p.connect_timeout, sock_read=p.read_timeout
        )
        headers = dict(validators.headers()) if validators else {}
        if accept:
            headers["Accept"] = accept
        current = url
        hops: list[str] = []
        seen: set[str] = {url}
        try:
            async with asyncio.timeout(p.total_timeout):
                while True:
                    try:
                        await self.check_url(current)
                    except FetchError as exc:
                        if current == url:
                            raise
                        raise type(exc)(
                            url, f"redirected to {_shown(current)}, {exc.problem}"
                        ) from None
                    async with session.get(
                        current,
                        headers=headers,
                        allow_redirects=False,
                        timeout=timeout,
                        max_line_size=16384,
                        max_field_size=16384,
                    ) as resp:
                        if resp.status in _REDIRECTS and "Location" in resp.headers:
                            target = str(resp.url.join(URL(resp.headers["Location"])))
                            if len(hops) >= p.max_redirects:
                                loop = " (a redirect loop)" if target in seen else ""
                                raise TooManyRedirects(
                                    url, f"more than {p.max_redirects} redirects{loop}"
                                )
                            try:
                                _validate_url(target)
                            except FetchError as exc:
                                raise InvalidURL(
                                    url, f"redirected to {_shown(target)}, {exc.problem}"
                                ) from None
                            hops.append(target)
                            seen.add(target)
                            current = target
                            continue
                        return await self._read(url, current, resp, tuple(hops))
        except FetchError:
            raise
        # aiohttp's timeouts are TimeoutErrors too: the specific ones come before the total
        except aiohttp.ConnectionTimeoutError:
            raise FetchTimeout(
                url, f"cannot connect within {p.connect_timeout:g} s (no answer from the host)"
            ) from None
        except aiohttp.ServerTimeoutError:
            raise FetchTimeout(
                url, f"the server sent nothing for {p.read_timeout:g} s (stalled)"
            ) from None
        except TimeoutError:
            raise FetchTimeout(
                url, f"no complete answer within {p.total_timeout:g} s (slow or stalled server)"
            ) from None
        except aiohttp.ClientConnectorError as exc:
            refused = _refused_in(exc)
            if refused:
                raise BlockedAddress(url, f"refused: {refused}") from None
            raise NetworkError(url, f"cannot connect ({_reason(exc)})") from None
        except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError) as exc:
            raise NetworkError(url, f"the connection broke ({_reason(exc)})") from None
        except aiohttp.ClientResponseError as exc:
            raise HTTPStatusError(url, exc.status, f"({_reason(exc)})") from None
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            refused = _refused_in(exc)
            if refused:
                raise BlockedAddress(url, f"refused: {refused}") from None
            raise NetworkError(url, f"request failed ({_reason(exc)})") from None

    async def _read(
        self, url: str, final: str, resp: aiohttp.ClientResponse, hops: tuple[str, ...]
    ) -> FetchResult:
        p = self.policy
        found = Validators(resp.headers.get("ETag"), resp.headers.get("Last-Modified"))
        if resp.status == 304:
            return FetchResult(url, final, 304, validators=found, redirects=hops)
        if resp.status in _RETRY_STATUSES:
            raise _Retry(
                HTTPStatusError(url, resp.status, resp.reason or ""),
                _retry_after(resp.headers.get("Retry-After")),
            )
        if resp.status in _REDIRECTS:
            raise HTTPStatusError(url, resp.status, "(a redirect without a Location)")
        if not 200 <= resp.status < 300:
            raise HTTPStatusError(url, resp.status, resp.reason or "")
        length = resp.content_length
        if length is not None and length > p.max_bytes:
            raise TooLarge(
                url, f"{length:,} bytes announced, over the limit of {p.max_bytes:,} bytes"
            )
        chunks: list[bytes] = []
        total = 0
        async for chunk in resp.content.iter_chunked(_CHUNK):
            total += len(chunk)
            if total > p.max_bytes:
                raise TooLarge(url, f"more than {p.max_bytes:,} bytes (cut off while reading)")
            chunks.append(chunk)
        content_type = resp.headers.get("Content-Type")
        return FetchResult(url, final, resp.status, b"".join(chunks), content_type, found, hops)


class _Retry(Exception):
    def __init__(self, error: FetchError, retry_after: float | None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None


def _refused_in(exc: BaseException) -> str | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _Refused):
            return str(current)
        current = current.__cause__ or current.__context__ or getattr(current, "os_error", None)
    return None


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text or type(exc).__name__)[:200]
