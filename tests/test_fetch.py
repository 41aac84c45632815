"""Safe fetching (bot.sources.fetch) against a real server on 127.0.0.1."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import AsyncIterator

import pytest
from web_fakes import LOOPBACK, Site, serve

from bot.sources.fetch import (
    BlockedAddress,
    Fetcher,
    FetchPolicy,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    TooLarge,
    TooManyRedirects,
    Validators,
    canonical_url,
    check_address,
    parse_networks,
)

ALLOW = parse_networks([LOOPBACK])


def policy(**kw: object) -> FetchPolicy:
    base: dict[str, object] = {
        "allow_networks": ALLOW,
        "total_timeout": 2.0,
        "read_timeout": 1.0,
        "retries": 2,
        "backoff": 0.01,
        "max_bytes": 100_000,
    }
    base.update(kw)
    return FetchPolicy(**base)  # type: ignore[arg-type]


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async with serve(Site()) as s:
        yield s


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared address space
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002:7f00:1::",
        "ff02::1",
    ],
)
def test_private_and_special_addresses_are_refused(address: str) -> None:
    assert check_address(address) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_pass(address: str) -> None:
    assert check_address(address) is None


def test_an_allowed_network_lifts_the_check_for_it_only() -> None:
    allow = (ipaddress.ip_network("127.0.0.0/8"),)
    assert check_address("127.0.0.1", allow) is None
    assert check_address("10.0.0.1", allow) is not None
    assert check_address("::1", allow) is not None


async def test_fetches_a_page_and_answers_304_to_a_conditional_request(site: Site) -> None:
    site.put("/a", "<p>hello</p>")
    async with Fetcher(policy()) as f:
        first = await f.fetch(site.url("/a"))
        assert first.status == 200 and first.body == b"<p>hello</p>"
        assert first.validators.etag and first.validators.last_modified
        again = await f.fetch(site.url("/a"), validators=first.validators)
    assert again.not_modified and again.body == b""
    assert site.conditional == ["/a"]


async def test_loopback_is_refused_unless_allowed(site: Site) -> None:
    site.put("/a", "x")
    async with Fetcher(policy(allow_networks=())) as f:
        with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1 is a loopback address"):
            await f.fetch(site.url("/a"))
        with pytest.raises(BlockedAddress, match=r"resolves to (127\.0\.0\.1|::1)"):
            await f.fetch(site.url("/a").replace("127.0.0.1", "localhost"))
    assert site.hits == {}


async def test_a_redirect_to_a_private_address_is_refused(site: Site) -> None:
    site.redirects["/go"] = "http://169.254.169.254/latest/meta-data/"
    async with Fetcher(policy()) as f:
        with pytest.raises(BlockedAddress, match=r"169\.254\.169\.254 is a link-local address"):
            await f.fetch(site.url("/go"))


async def test_redirects_are_followed_up_to_five(site: Site) -> None:
    for n in range(5):
        site.redirects[f"/r{n}"] = f"/r{n + 1}"
    site.put("/r5", "end")
    async with Fetcher(policy()) as f:
        result = await f.fetch(site.url("/r0"))
        assert result.body == b"end" and len(result.redirects) == 5
        assert result.url == site.url("/r5")
        site.redirects["/r5"] = "/r6"
        site.put("/r6", "too far")
        with pytest.raises(TooManyRedirects, match="more than 5 redirects"):
            await f.fetch(site.url("/r0"))


async def test_a_redirect_loop_ends_with_a_clear_error(site: Site) -> None:
    async with Fetcher(policy()) as f:
        with pytest.raises(TooManyRedirects, match=r"a redirect loop"):
            await f.fetch(site.url("/loop/0"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("ftp://example.com/x", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("http://", "no host name"),
        ("http://user:pw@example.com/", "user name or password"),
        ("http://[::1/", "not a valid URL"),
    ],
)
async def test_bad_urls_are_refused_before_any_request(url: str, message: str) -> None:
    async with Fetcher(policy()) as f:
        with pytest.raises(InvalidURL, match=message):
            await f.fetch(url)


async def test_a_redirect_to_another_scheme_is_refused(site: Site) -> None:
    site.redirects["/f"] = "file:///etc/passwd"
    async with Fetcher(policy()) as f:
        with pytest.raises(InvalidURL, match="only http and https"):
            await f.fetch(site.url("/f"))


async def test_a_huge_response_is_refused_without_reading_it(site: Site) -> None:
    async with Fetcher(policy()) as f:
        started = time.monotonic()
        with pytest.raises(TooLarge, match="2,147,483,648 bytes announced"):
            await f.fetch(site.url("/huge"))
        with pytest.raises(TooLarge, match="cut off while reading"):
            await f.fetch(site.url("/huge-chunked"))
    assert time.monotonic() - started < 2


async def test_a_slow_loris_server_ends_at_the_total_timeout(site: Site) -> None:
    async with Fetcher(policy(total_timeout=0.5, read_timeout=0.4, retries=0)) as f:
        started = time.monotonic()
        with pytest.raises(FetchTimeout, match=r"within 0\.5 s"):
            await f.fetch(site.url("/slow"))
        with pytest.raises(FetchTimeout):
            await f.fetch(site.url("/stall"))
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("path", ["/stall", "/stall-body"])
async def test_a_read_stall_is_reported_as_one_with_the_read_timeout(site: Site, path: str) -> None:
    # aiohttp's ServerTimeoutError is a TimeoutError: it must not be taken for the total timeout
    async with Fetcher(policy(total_timeout=5.0, read_timeout=0.3, retries=0)) as f:
        started = time.monotonic()
        with pytest.raises(FetchTimeout) as info:
            await f.fetch(site.url(path))
    assert time.monotonic() - started < 2
    assert info.value.problem == "the server sent nothing for 0.3 s (stalled)"


async def test_5xx_is_retried_with_backoff_then_succeeds(site: Site) -> None:
    site.put("/busy", "ok")
    site.failures["/busy"] = 2
    async with Fetcher(policy()) as f:
        result = await f.fetch(site.url("/busy"))
    assert result.body == b"ok" and result.attempts == 3


async def test_5xx_after_the_retries_and_404_are_errors(site: Site) -> None:
    site.put("/down", "never")
    site.failures["/down"] = 10
    async with Fetcher(policy(retries=1)) as f:
        with pytest.raises(HTTPStatusError, match="answered 503"):
            await f.fetch(site.url("/down"))
        with pytest.raises(HTTPStatusError, match="answered 404"):
            await f.fetch(site.url("/missing"))
    assert site.hits["/down"] == 2 and site.hits["/missing"] == 1


async def test_a_closed_port_is_a_network_error() -> None:
    async with Fetcher(policy(retries=0)) as f:
        with pytest.raises(Exception, match="cannot connect") as info:
            await f.fetch("http://127.0.0.1:9/")
    assert info.value.status == "unreachable"  # type: ignore[attr-defined]


def test_validators_make_conditional_headers() -> None:
    v = Validators(etag='"abc"', last_modified="Fri, 20 Nov 2026 08:00:00 GMT")
    assert v.headers() == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Fri, 20 Nov 2026 08:00:00 GMT",
    }


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "HTTPS://News.Example.COM:443/world/story/?utm_source=x#top",
            "https://news.example.com/world/story",
        ),
        ("http://example.com:8080/a?b=1&fbclid=z", "http://example.com:8080/a?b=1"),
        ("http://example.com", "http://example.com/"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_policy_refuses_more_than_five_redirects() -> None:
    with pytest.raises(ValueError, match="max_redirects"):
        FetchPolicy(max_redirects=6)


async def test_the_connector_resolver_refuses_what_the_check_refuses() -> None:
    # The address connected to is the address checked: a name that answers differently at
    # connection time (DNS rebinding) is refused by the resolver itself.
    from bot.sources.fetch import _CheckingResolver, _Refused

    strict = _CheckingResolver(())
    with pytest.raises(_Refused, match="localhost resolves to"):
        await strict.resolve("localhost", 80)
    await strict.close()
    lenient = _CheckingResolver(parse_networks(["127.0.0.0/8", "::1/128"]))
    assert await lenient.resolve("localhost", 80)
    await lenient.close()


async def test_numeric_host_spellings_of_loopback_are_refused(site: Site) -> None:
    port = site.base.rsplit(":", 1)[1]
    async with Fetcher(policy(allow_networks=())) as f:
        for host in ("2130706433", "0x7f000001", "127.1", "[::1]", "[::ffff:127.0.0.1]"):
            with pytest.raises(BlockedAddress):
                await f.fetch(f"http://{host}:{port}/a")
    assert site.hits == {}
