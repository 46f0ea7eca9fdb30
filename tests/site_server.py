"""Serve a fixture site on 127.0.0.1 (Scrapy's MockServer pattern): ``python -m tests.site_server DIR``.

URL path P (query Q) is answered by the first of ``DIR/P.html``, ``DIR/P.xml``, ``DIR/P.txt``,
``DIR/P/index.html``; with a query, the file is ``P@Q.<ext>``. ``DIR/_site.json`` adds
redirects, forced statuses, header overrides and slow paths (see tests/fixtures/sites/README.md).
``latency`` adds that many seconds to every response, as a distant site would; ``requests``
logs every path asked for, in order.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import unquote, urlsplit

_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain"}
SLOW_SECONDS = 30.0


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing when a client hangs up (a crawl that timed out or stopped): in a test
        process the default report lands in whatever test is capturing stderr then."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class BackgroundServer:
    """An HTTP server on a free port of 127.0.0.1, answering from a thread while a test (or
    the eval) runs; ``handler`` answers the requests and reaches the server as ``self.site``."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        handler = type("Handler", (handler,), {"site": self})
        self._httpd = _Server(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class SiteServer(BackgroundServer):
    """A fixture site served from a folder in a background thread; ``root`` may be swapped live."""

    def __init__(self, root: Path | str, *, latency: float = 0.0, slow: bool = False) -> None:
        self.root = Path(root)
        self.latency = latency
        # The site's slow URLs sleep only where a test is about timeouts: every other crawl
        # would wait out its download timeout on them for nothing.
        self.slow = slow
        self.requests: list[str] = []
        super().__init__(_Handler)

    def config(self) -> dict[str, Any]:
        path = self.root / "_site.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def resolve(self, target: str) -> Path | None:
        parts = urlsplit(target)
        path = unquote(parts.path).strip("/") or "index"
        stem = f"{path}@{parts.query}" if parts.query else path
        # Files named with their own extension (robots.txt, sitemap.xml) first.
        candidates = [self.root / stem] if Path(stem).suffix in _TYPES else []
        candidates += [self.root / f"{stem}{ext}" for ext in _TYPES]
        if not parts.query:
            candidates.append(self.root / path / "index.html")
        root = self.root.resolve()
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved.is_file() and resolved.is_relative_to(root):
                return resolved
        return None


class _Handler(BaseHTTPRequestHandler):
    site: SiteServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.site.requests.append(self.path)
        if self.site.latency:
            time.sleep(self.site.latency)
        config = self.site.config()
        path = urlsplit(self.path).path.rstrip("/") or "/"
        if self.site.slow and path in config.get("slow", []):
            time.sleep(SLOW_SECONDS)
        if target := config.get("redirects", {}).get(path):
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", {"Location": target})
            return
        if status := config.get("status", {}).get(path):
            self._send(
                status, b"<html><body><h1>Error</h1></body></html>", {"Content-Type": "text/html"}
            )
            return
        file = self.site.resolve(self.path)
        if file is None:
            self._send(
                HTTPStatus.NOT_FOUND,
                b"<html><body>Not found</body></html>",
                {"Content-Type": "text/html"},
            )
            return
        headers = {"Content-Type": _TYPES.get(file.suffix, "application/octet-stream")}
        headers.update(config.get("headers", {}).get(path, {}))
        self._send(HTTPStatus.OK, file.read_bytes(), headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def main(argv: list[str]) -> None:
    root = (
        Path(argv[1]) if len(argv) > 1 else Path(__file__).parent / "fixtures" / "sites" / "rudaw"
    )
    with SiteServer(root) as server:
        print(server.url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv)
