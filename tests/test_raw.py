"""The raw page store: WARC files that warcio reads back, revisits, rotation, and what a
writer killed with SIGKILL leaves behind (a killed ``scrapy crawl``: tests/test_resilience.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from ingest.raw import (
    FetchedPage,
    RecordLocation,
    WarcStore,
    payload_digest,
    read_page,
    read_record_bytes,
    whole_records_end,
)
from tests.conftest import REPO_ROOT

WARCIO = str(Path(sys.executable).parent / "warcio")


def _page(url: str, body: bytes) -> FetchedPage:
    return FetchedPage(
        url=url,
        fetched_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        status=200,
        protocol="HTTP/1.1",
        request_headers=[("User-Agent", "ingest-test"), ("Accept-Encoding", "gzip")],
        # What Scrapy hands on after undoing the gzip: the body kept is not the one on the wire.
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Encoding", "gzip"),
            ("Content-Length", "12"),
        ],
        body=body,
    )


def _warcio_index(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WARCIO, "index", *map(str, files)], capture_output=True, text=True, check=False
    )


def _kinds(path: Path) -> list[str]:
    with path.open("rb") as file:
        return [record.rec_type for record in ArchiveIterator(file)]


def test_pages_read_back_with_warcio_and_by_location(tmp_path):
    store = WarcStore(tmp_path, max_bytes=10**9)
    store.open()
    bodies = [f"<html><p>page {n} — ڕووداو</p></html>".encode() for n in range(3)]
    locations = [
        store.write(_page(f"http://site.test/a/{n}?x=1", b), None) for n, b in enumerate(bodies)
    ]
    # Until the store closes its file carries the .open suffix, and is readable all the same.
    (open_file,) = tmp_path.iterdir()
    assert open_file.name.endswith(".warc.gz.open")
    assert read_page(tmp_path, locations[1]).body == bodies[1]
    store.close()
    (path,) = tmp_path.iterdir()
    assert path.name == locations[0].file
    assert _warcio_index(path).returncode == 0
    assert _kinds(path) == ["warcinfo"] + ["response", "request"] * 3
    for location, body in zip(locations, bodies, strict=True):
        page = read_page(tmp_path, location)
        assert page.body == body
        assert page.url.startswith("http://site.test/a/")
        assert page.content_type == "text/html; charset=utf-8"
        assert location.digest == payload_digest(body)
    with path.open("rb") as file:
        response = next(r for r in ArchiveIterator(file) if r.rec_type == "response")
        # The headers describe the body kept: no encoding, its own length.
        assert response.http_headers.get_header("Content-Encoding") is None
        assert response.http_headers.get_header("Content-Length") == str(len(bodies[0]))
        assert response.rec_headers.get_header("WARC-Payload-Digest") == locations[0].digest


def test_same_payload_again_is_a_revisit_pointing_at_the_first(tmp_path):
    store = WarcStore(tmp_path, max_bytes=10**9)
    store.open()
    first = store.write(_page("http://site.test/a", b"<html>same</html>"), None)
    again = store.write(_page("http://site.test/a", b"<html>same</html>"), first)
    changed = store.write(_page("http://site.test/a", b"<html>edited</html>"), first)
    store.close()
    assert again == first
    assert changed != first
    (path,) = tmp_path.iterdir()
    fetched = ["response", "request"]
    assert _kinds(path) == ["warcinfo", *fetched, "revisit", "request", *fetched]
    with path.open("rb") as file:
        revisit = next(r for r in ArchiveIterator(file) if r.rec_type == "revisit")
        assert revisit.rec_headers.get_header("WARC-Refers-To-Target-URI") == "http://site.test/a"
        assert revisit.rec_headers.get_header("WARC-Payload-Digest") == first.digest


def test_files_rotate_at_the_size_limit_with_unique_names(tmp_path):
    store = WarcStore(tmp_path, max_bytes=2_000)
    store.open()
    locations = [
        store.write(_page(f"http://site.test/{n}", os.urandom(700)), None) for n in range(6)
    ]
    store.close()
    files = sorted(tmp_path.iterdir())
    assert len(files) >= 3
    assert {location.file for location in locations} == {f.name for f in files}
    host, pid = store.host, str(os.getpid())
    for path in files:
        assert f"-{pid}-{host}.warc.gz" in path.name
        assert path.stat().st_size < 2_000 + 1_500
    assert _warcio_index(*files).returncode == 0
    for location in locations:
        assert read_record_bytes(tmp_path, location)[:2] == b"\x1f\x8b"


_KILLED_WRITER = textwrap.dedent(
    """
    import json, os, signal, sys
    from datetime import UTC, datetime
    from pathlib import Path
    from ingest.raw import FetchedPage, WarcStore

    store = WarcStore(Path(sys.argv[1]), max_bytes=10**9)
    store.open()
    for n in range(3):
        page = FetchedPage(url=f"http://site.test/{n}", fetched_at=datetime.now(UTC), status=200,
                           protocol="HTTP/1.1", request_headers=[], response_headers=[],
                           body=os.urandom(5000))
        location = store.write(page, None)
        print(json.dumps([location.file, location.offset, location.length, location.digest]),
              flush=True)
    # The kernel's short write when SIGKILL lands in the middle of a record: half of one.
    record = Path(sys.argv[1], location.file + ".open").read_bytes()[location.offset:]
    with open(Path(sys.argv[1], location.file + ".open"), "ab") as file:
        file.write(record[: len(record) // 2])
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_torn_record_of_a_killed_writer_is_cut_when_the_next_store_opens(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_WRITER, str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    locations = [RecordLocation(*json.loads(line)) for line in done.stdout.splitlines()]
    (left,) = tmp_path.iterdir()
    assert left.name.endswith(".open")
    assert whole_records_end(left) < left.stat().st_size
    # Every record whose location was handed on is whole, torn tail or not.
    for location in locations:
        assert len(read_page(tmp_path, location).body) == 5000

    WarcStore(tmp_path, max_bytes=10**9).open()

    (sealed,) = tmp_path.iterdir()
    assert sealed.name == locations[0].file
    assert whole_records_end(sealed) == sealed.stat().st_size
    assert _warcio_index(sealed).returncode == 0
    assert _kinds(sealed) == ["warcinfo"] + ["response", "request"] * 3
    for location in locations:
        assert len(read_page(tmp_path, location).body) == 5000
