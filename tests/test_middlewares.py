"""Polite and safe on the open web: one crawl of a misbehaving server, every page accounted for."""

from __future__ import annotations

import asyncio
import gzip
import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from scrapy import Request
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from sqlalchemy import select

from ingest.downloadermiddlewares import (
    OffsiteRedirect,
    PrivateRedirect,
    SameSiteRedirectMiddleware,
    gzip_complete,
    retry_after,
)
from ingest.storage.models import Article
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import run_crawl

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_SIZE = 200_000


def article(name: str, words: str = "the council met on Tuesday about the water supply") -> str:
    paragraphs = "".join(f"<p>Paragraph {i} of {name}: {words}.</p>" for i in range(6))
    return f"<html><head><title>{name}</title></head><body><article><h1>{name}</h1>{paragraphs}</article></body></html>"


GOOD = article("Good").encode()


def refresh_to(url: str, body: str = "") -> bytes:
    head = f'<html><head><meta http-equiv="refresh" content="0; url={url}"></head>'
    return f"{head}<body>{body}</body></html>".encode()


class Misbehaving(BaseHTTPRequestHandler):
    """Each path misbehaves in one way; ``seen`` records (path, time) of every request."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, float]]
    other_port: int

    def do_GET(self) -> None:
        self.seen.append((self.path, time.monotonic()))
        hits = sum(1 for path, _ in self.seen if path == self.path)
        page = getattr(self, "page_" + self.path.strip("/").replace("-", "_"), None)
        if page is None:
            self._send(404, b"not found")
        else:
            page(hits)

    def _send(self, status: int, body: bytes, **headers: Any) -> None:
        self.send_response(status)
        headers.setdefault("Content_Type", "text/html; charset=utf-8")
        headers.setdefault("Content_Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def page_good(self, hits: int) -> None:
        self._send(200, GOOD)

    def page_gzip_cut(self, hits: int) -> None:
        packed = gzip.compress(article("Cut gzip").encode() * 20)
        self._send(200, packed[: len(packed) // 2], Content_Encoding="gzip")

    def page_short(self, hits: int) -> None:
        body = article("Short").encode()
        self._send(200, body[: len(body) // 2], Content_Length=str(len(body)))
        self.close_connection = True

    def page_reset(self, hits: int) -> None:
        body = article("Reset").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[:100])
        self.wfile.flush()
        # SO_LINGER 0: close() sends a TCP reset instead of a clean end.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def page_busy(self, hits: int) -> None:
        if hits == 1:
            self._send(429, b"slow down", Retry_After="1")
        else:
            self._send(200, article("Busy").encode())

    def page_away(self, hits: int) -> None:
        self._send(503, b"maintenance", Retry_After="3600")

    def page_to_private(self, hits: int) -> None:
        # Another loopback host: not the host of the listed page.
        self._send(302, b"", Location=f"http://127.0.0.2:{self.other_port}/good")

    def page_to_localhost(self, hits: int) -> None:
        # An allowed host (see the crawl's settings) whose name resolves to loopback.
        port = self.server.server_address[1]
        self._send(302, b"", Location=f"http://localhost:{port}/good")

    def page_to_short_ip(self, hits: int) -> None:
        # 127.1 is 127.0.0.1 to the resolver, and no IP address to the ipaddress module.
        port = self.server.server_address[1]
        self._send(302, b"", Location=f"http://127.1:{port}/good")

    def page_to_metadata(self, hits: int) -> None:
        refresh = b'<html><head><meta http-equiv="refresh" content="0; url=http://169.254.169.254/latest/meta-data/"></head><body></body></html>'
        self._send(200, refresh)

    def page_loop_a(self, hits: int) -> None:
        self._send(302, b"", Location="/loop-b")

    def page_loop_b(self, hits: int) -> None:
        self._send(302, b"", Location="/loop-a")

    def page_refresh_a(self, hits: int) -> None:
        self._send(200, refresh_to("/refresh-b"))

    def page_refresh_b(self, hits: int) -> None:
        # A long page: its refresh is read from its head alone.
        self._send(200, refresh_to("/refresh-a", "<p>Ein langer Absatz über Flüsse.</p>" * 2000))

    def page_refresh_self(self, hits: int) -> None:
        # Served compressed: the refresh is only seen once the body is inflated.
        self._send(200, gzip.compress(refresh_to("/refresh-self#top")), Content_Encoding="gzip")

    def page_big_length(self, hits: int) -> None:
        self._send(200, b"<p>x</p>" * (MAX_SIZE // 4))

    def page_big_stream(self, hits: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()  # no length: the body ends when the connection closes
        self.wfile.write(b"<p>x</p>" * (MAX_SIZE // 4))
        self.close_connection = True

    def page_big_gzip(self, hits: int) -> None:
        self._send(200, gzip.compress(b"<p>x</p>" * MAX_SIZE), Content_Encoding="gzip")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def misbehaving() -> Iterator[tuple[str, list[tuple[str, float]]]]:
    seen: list[tuple[str, float]] = []
    other = ThreadingHTTPServer(("127.0.0.2", 0), type("Other", (Misbehaving,), {"seen": seen}))
    handler = type("H", (Misbehaving,), {"seen": seen, "other_port": other.server_address[1]})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    for s in (server, other):
        s.daemon_threads = True
        threading.Thread(target=s.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    for s in (server, other):
        s.shutdown()
        s.server_close()


def test_a_misbehaving_server_never_gets_a_page_stored_wrongly(misbehaving, tmp_path, sqlite_url):
    url, seen = misbehaving
    paths = [
        "good", "gzip-cut", "short", "reset", "busy", "away", "to-private", "to-metadata",
        "to-localhost", "to-short-ip", "loop-a", "refresh-a", "refresh-self", "big-length", "big-stream", "big-gzip",
    ]  # fmt: skip
    listed = tmp_path / "urls.txt"
    listed.write_text("\n".join(f"{url}/{p}" for p in paths))
    result = run_crawl(
        "urls",
        tmp_path,
        sqlite_url,
        f"file={listed}",
        RETRY_TIMES=1,
        INGEST_RETRY_BACKOFF=0.2,
        INGEST_RETRY_BACKOFF_MAX=5,
        DOWNLOAD_MAXSIZE=MAX_SIZE,
        DOWNLOAD_WARNSIZE=MAX_SIZE // 2,
        INGEST_HEALTH_ENABLED=False,
        INGEST_REDIRECT_ALLOWED_HOSTS="localhost,127.1",
    )
    assert "Traceback" not in result.log, result.log[-3000:]
    failed = {
        k.removeprefix("ingest/fetch/failed/"): v
        for k, v in result.stats.items()
        if k.startswith("ingest/fetch/failed/")
    }
    assert failed == {
        "data_loss": 3,  # gzip-cut, short, reset: each retried once, then counted
        "http_503": 1,  # away: Retry-After an hour is beyond the cap, so not retried
        # to-private, to-metadata by address; to-localhost and to-short-ip by what they resolve to
        "private_redirect": 4,
        "redirect_loop": 3,  # loop-a (302), refresh-a (meta refresh), refresh-self (gzipped)
        "too_large": 3,  # by Content-Length, by streaming, by inflating
    }, result.log[-4000:]
    assert result.stats["ingest/fetch/retry_after_too_long"] == 1
    engine = make_engine(sqlite_url)
    with make_sessionmaker(engine)() as session:
        titles = sorted(a.title for a in session.scalars(select(Article)))
    engine.dispose()
    assert titles == ["Busy", "Good"]
    times = {path: [t for p, t in seen if p == path] for path in ("/busy", "/away", "/short")}
    # 429 with Retry-After: 1 was retried once, a second later.
    assert len(times["/busy"]) == 2
    assert times["/busy"][1] - times["/busy"][0] >= 0.9
    assert len(times["/away"]) == 1
    assert len(times["/short"]) == 2
    # Nothing ever reached the other loopback host or the metadata address.
    assert not [p for p, _ in seen if p == "/good"][1:]


def test_retry_after_reads_seconds_and_dates():
    assert retry_after(b"120") == 120.0
    from datetime import UTC, datetime

    now = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert retry_after(b"Tue, 01 Dec 2026 08:01:30 GMT", now=now) == 90.0
    assert retry_after(b"soon") is None
    assert retry_after(None) is None


def test_gzip_completeness_and_inflated_size():
    packed = gzip.compress(b"a" * 100_000)
    assert gzip_complete(packed, 0) == (True, 100_000)
    assert gzip_complete(packed[:-20], 0)[0] is False
    complete, size = gzip_complete(packed, 50_000)
    assert not complete
    assert size > 50_000


@pytest.mark.parametrize(
    ("target", "refused"),
    [
        ("http://127.0.0.1:8080/b", None),  # the listed host itself
        ("http://[::1]/", PrivateRedirect),
        ("http://[::ffff:127.0.0.1]/", PrivateRedirect),  # IPv4 in IPv6 clothing
        ("http://0.0.0.0/", PrivateRedirect),
        ("http://10.1.2.3/", PrivateRedirect),
        ("http://100.64.0.1/", PrivateRedirect),  # carrier-grade NAT
        ("http://224.0.0.1/", PrivateRedirect),  # multicast
        ("http://192.0.2.1/", PrivateRedirect),  # documentation range
        ("http://8.8.8.8/", None),  # public, and allowed below
        ("http://9.9.9.9/", OffsiteRedirect),  # public, not allowed
    ],
)
def test_which_redirect_targets_are_refused(target: str, refused: type[Exception] | None):
    crawler = get_crawler(settings_dict={"INGEST_REDIRECT_ALLOWED_HOSTS": ["8.8.8.8"]})
    middleware = build_from_crawler(SameSiteRedirectMiddleware, crawler)
    request = Request(target, meta={"redirect_urls": ["http://127.0.0.1:8080/a"]})
    if refused is None:
        assert asyncio.run(middleware.process_request(request)) is None
    else:
        with pytest.raises(refused):
            asyncio.run(middleware.process_request(request))
