"""Serve the corpus pages on 127.0.0.1 under their original paths, from memory, in a thread."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import unquote

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


def key(target: str) -> str:
    """Compare request targets unquoted, so Scrapy's re-encoding of a path still finds it."""
    return unquote(target.split("#", 1)[0])


class CorpusServer:
    """Answers each page's path with its bytes as ``text/html`` without a charset (the saved
    files carry no headers, so the page's own declaration or detection must decide); anything
    else, robots.txt included, is 404."""

    def __init__(self, files: Mapping[str, Path]) -> None:
        self.files = {key(p): f for p, f in files.items()}
        self.served: set[str] = set()
        handler = type("Handler", (_Handler,), {"server_ref": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
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


class _Handler(BaseHTTPRequestHandler):
    server_ref: CorpusServer

    def do_GET(self) -> None:
        import gzip

        file = self.server_ref.files.get(key(self.path))
        if file is None:
            self.send_error(404)
            return
        body = gzip.decompress(file.read_bytes())
        self.server_ref.served.add(key(self.path))
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass
