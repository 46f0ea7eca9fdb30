"""Serve the corpus pages on 127.0.0.1 under their original paths, from memory, in a thread."""

from __future__ import annotations

import gzip
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from ingest.urls import normalise_url
from tests.site_server import BackgroundServer

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


def key(target: str) -> str:
    """Compare request targets in the crawl's normal form (``ingest.urls.normalise_url``: no
    trailing slash, sorted query, no tracking parameters) and unquoted, so that the address
    the crawl fetches finds the page listed under its original path."""
    parts = urlsplit(normalise_url(f"http://eval.invalid{target}"))
    return unquote(f"{parts.path}?{parts.query}" if parts.query else parts.path)


class CorpusServer(BackgroundServer):
    """Answers each page's path with its bytes as ``text/html`` without a charset (the saved
    files carry no headers, so the page's own declaration or detection must decide); anything
    else, robots.txt included, is 404."""

    def __init__(self, files: Mapping[str, Path]) -> None:
        self.files = {key(p): f for p, f in files.items()}
        self.served: set[str] = set()
        super().__init__(_Handler)


class _Handler(BaseHTTPRequestHandler):
    site: CorpusServer

    def do_GET(self) -> None:
        file = self.site.files.get(key(self.path))
        if file is None:
            self.send_error(404)
            return
        body = gzip.decompress(file.read_bytes())
        self.site.served.add(key(self.path))
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass
