"""The raw page store: every page an article was stored from, kept as WARC (ISO 28500) records.

Pages are written with warcio, one gzip member per record, so any record can be read alone
from its file offset and length (which the article rows keep) and every file is a valid
``.warc.gz`` for pywb, ReplayWeb.page or ``warcio index``. No Scrapy and no SQLAlchemy here:
the crawl's pipeline stage and ``ingest raw``/``ingest reextract`` share this module.

Crash safety: a process writes only its own files, named with its host, pid, start time and a
counter, under a ``.open`` suffix until they are full or the crawl ends. Each record pair is
built in memory and written with one ``write`` and an ``fsync`` before its location is handed
on, so a database row never points at a record that is not wholly on disk. A process killed in
the middle of a write can leave a torn last record in its ``.open`` file; the next store opened
on the same host cuts that tail off and renames the file (``seal_abandoned``).
"""

from __future__ import annotations

import base64
import hashlib
import http
import io
import logging
import os
import re
import socket
import threading
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_datetime
from warcio.warcwriter import WARCWriter

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from warcio.recordloader import ArcWarcRecord

logger = logging.getLogger(__name__)

SUFFIX = ".warc.gz"
OPEN_SUFFIX = ".open"
# Headers that describe the bytes on the wire, not the body kept: Scrapy has already undone
# the content and transfer encodings, so the record says what it holds (replay tools serve
# the payload with these headers as they are).
_WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})
_NAME_RE = re.compile(
    r"^(?P<prefix>[\w.]+)-(?P<stamp>\d{20})-(?P<serial>\d{5})-(?P<pid>\d+)-(?P<host>.+)$"
)


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A response as a crawl received it, with the request that asked for it."""

    url: str
    fetched_at: datetime
    status: int
    protocol: str | None
    request_headers: Sequence[tuple[str, str]]
    response_headers: Sequence[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class RecordLocation:
    """Where a page's WARC response record is: a file of the store, and its gzip member."""

    file: str
    offset: int
    length: int
    #: The WARC payload digest ("sha1:<base32>"): the same digest is the same page.
    digest: str


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A page read back from the store."""

    url: str
    fetched_at: datetime
    content_type: str | None
    body: bytes


def payload_digest(body: bytes) -> str:
    """Return the digest WARC tools compare payloads by (warcio's and Heritrix's form)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


class WarcStore:
    """Append fetched pages to rotating WARC files in ``directory``.

    Thread-safe: the crawl writes from worker threads so that ``fsync`` never blocks the
    reactor. A file is closed and renamed to its final ``.warc.gz`` name once it holds
    ``max_bytes`` or more, and when the store is closed.
    """

    def __init__(self, directory: Path, max_bytes: int, *, prefix: str = "ingest") -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.prefix = prefix
        self.host = re.sub(r"[^A-Za-z0-9.]+", "_", socket.gethostname()) or "host"
        self._lock = threading.Lock()
        self._serial = 0
        self._fd: int | None = None
        self._name = ""
        self._size = 0

    def open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        for path in seal_abandoned(self.directory, self.host):
            logger.warning("sealed %s, left open by a process that is gone", path.name)

    def close(self) -> None:
        with self._lock:
            self._finish_file()

    def write(self, page: FetchedPage, previous: RecordLocation | None) -> RecordLocation:
        """Store the page; return where its payload is.

        ``previous`` is where the article's page was stored before. When the payload is the
        same, a ``revisit`` record notes the fetch and the previous location is returned.
        """
        digest = payload_digest(page.body)
        if previous is not None and previous.digest == digest:
            original = self._original_headers(previous)
            if original is not None:
                self._append(self._revisit_records(page, digest, *original), page.url)
                return previous
        return self._append(self._response_records(page), page.url, digest=digest)

    def _original_headers(self, location: RecordLocation) -> tuple[str, str] | None:
        """Return the target URI and date of a stored record, or None if it cannot be read."""
        try:
            record = _load_record(self.directory, location)
        except (OSError, ValueError) as exc:
            logger.warning("stored page %s unreadable (%s); storing the page again", location, exc)
            return None
        headers = record.rec_headers
        return headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date")

    def _response_records(self, page: FetchedPage) -> list[ArcWarcRecord]:
        writer = WARCWriter(io.BytesIO(), gzip=True)
        response = writer.create_warc_record(
            page.url,
            "response",
            payload=io.BytesIO(page.body),
            length=len(page.body),
            http_headers=_response_headers(page),
            warc_headers_dict={"WARC-Date": _warc_date(page.fetched_at)},
        )
        return [response, self._request_record(writer, page, response)]

    def _revisit_records(
        self, page: FetchedPage, digest: str, refers_to_uri: str, refers_to_date: str
    ) -> list[ArcWarcRecord]:
        writer = WARCWriter(io.BytesIO(), gzip=True)
        revisit = writer.create_revisit_record(
            page.url,
            digest,
            refers_to_uri,
            refers_to_date,
            http_headers=_response_headers(page),
            warc_headers_dict={"WARC-Date": _warc_date(page.fetched_at)},
        )
        return [revisit, self._request_record(writer, page, revisit)]

    @staticmethod
    def _request_record(
        writer: WARCWriter, page: FetchedPage, response: ArcWarcRecord
    ) -> ArcWarcRecord:
        parts = urlsplit(page.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = StatusAndHeaders(
            f"GET {target} {page.protocol or 'HTTP/1.1'}",
            list(page.request_headers),
            is_http_request=True,
        )
        return writer.create_warc_record(
            page.url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            http_headers=headers,
            warc_headers_dict={
                "WARC-Date": response.rec_headers.get_header("WARC-Date"),
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )

    def _append(
        self, records: list[ArcWarcRecord], url: str, *, digest: str | None = None
    ) -> RecordLocation:
        """Write the records as one block; return the first one's location."""
        members = [_gzip_member(record) for record in records]
        first_length = len(members[0])
        data = b"".join(members)
        with self._lock:
            if self._fd is None:
                self._start_file()
            assert self._fd is not None
            offset = self._size
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            os.fsync(self._fd)
            self._size += len(data)
            location = RecordLocation(self._name, offset, first_length, digest or "")
            if self._size >= self.max_bytes:
                self._finish_file()
        logger.debug("stored %s in %s at %d", url, location.file, location.offset)
        return location

    def _start_file(self) -> None:
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        self._name = f"{self.prefix}-{stamp}-{self._serial:05d}-{os.getpid()}-{self.host}{SUFFIX}"
        path = self.directory / (self._name + OPEN_SUFFIX)
        # O_EXCL: two writers can never share a file, even if every part of the name collided.
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        writer = WARCWriter(io.BytesIO(), gzip=False)
        info = writer.create_warcinfo_record(
            self._name, {"software": "ingest (warcio)", "format": "WARC File Format 1.0"}
        )
        member = _gzip_member(info)
        os.write(self._fd, member)
        self._size = len(member)

    def _finish_file(self) -> None:
        if self._fd is None:
            return
        os.fsync(self._fd)
        os.close(self._fd)
        self._fd = None
        final = self.directory / self._name
        (self.directory / (self._name + OPEN_SUFFIX)).rename(final)
        _fsync_directory(self.directory)


def seal_abandoned(directory: Path, host: str) -> list[Path]:
    """Close the ``.open`` files of this host's dead processes: cut a torn last record, rename.

    Files of other hosts are left alone: from here there is no telling whether their writer
    is still running.
    """
    sealed = []
    for path in sorted(directory.glob(f"*{SUFFIX}{OPEN_SUFFIX}")):
        match = _NAME_RE.match(path.name.removesuffix(SUFFIX + OPEN_SUFFIX))
        if not match or match["host"] != host or _is_running(int(match["pid"])):
            continue
        whole = whole_records_end(path)
        if whole < path.stat().st_size:
            logger.warning("%s: cutting a torn record after byte %d", path.name, whole)
            os.truncate(path, whole)
        final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
        path.rename(final)
        sealed.append(final)
    return sealed


def whole_records_end(path: Path) -> int:
    """Return the end of the last whole gzip member of ``path`` (each member is one record)."""
    end = position = 0
    member = zlib.decompressobj(zlib.MAX_WBITS | 16)
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            data = chunk
            while data:
                try:
                    member.decompress(data)
                except zlib.error:
                    return end
                if not member.eof:
                    position += len(data)
                    break
                position += len(data) - len(member.unused_data)
                end = position
                data = member.unused_data
                member = zlib.decompressobj(zlib.MAX_WBITS | 16)
    return end


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# zlib's default level: the pages compress as small as at warcio's level 9 (within 1 % on
# the article-extraction-benchmark pages) in two thirds of the time.
_GZIP_LEVEL = 6


def _gzip_member(record: ArcWarcRecord) -> bytes:
    """Return one record as a gzip member of its own, so that it can be read alone."""
    buffer = io.BytesIO()
    WARCWriter(buffer, gzip=False).write_record(record)
    compressor = zlib.compressobj(_GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(buffer.getbuffer()) + compressor.flush()


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable: without this a power cut can undo it."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _response_headers(page: FetchedPage) -> StatusAndHeaders:
    headers = [(k, v) for k, v in page.response_headers if k.lower() not in _WIRE_HEADERS]
    headers.append(("Content-Length", str(len(page.body))))
    try:
        reason = http.HTTPStatus(page.status).phrase
    except ValueError:
        reason = ""
    return StatusAndHeaders(
        f"{page.status} {reason}".strip(), headers, protocol=page.protocol or "HTTP/1.1"
    )


def _warc_date(when: datetime) -> str:
    return datetime_to_iso_date(when.astimezone(UTC).replace(tzinfo=None), use_micros=True)


# -- reading --------------------------------------------------------------------------------


def record_path(directory: Path, name: str) -> Path:
    """Return the file a record is in: its final name, or the ``.open`` one while written."""
    path = directory / name
    if not path.exists() and (directory / (name + OPEN_SUFFIX)).exists():
        return directory / (name + OPEN_SUFFIX)
    return path


def read_record_bytes(directory: Path, location: RecordLocation) -> bytes:
    """Return the stored record itself: one gzip member, a valid ``.warc.gz`` on its own."""
    with record_path(directory, location.file).open("rb") as file:
        file.seek(location.offset)
        data = file.read(location.length)
    if len(data) != location.length:
        raise ValueError(f"{location.file} ends before byte {location.offset + location.length}")
    return data


def read_page(directory: Path, location: RecordLocation) -> StoredPage:
    """Return the page stored at ``location``.

    Raises:
        OSError: the file cannot be read.
        ValueError: there is no whole response record at that place.
    """
    record = _load_record(directory, location)
    body = record.content_stream().read()
    when = record.rec_headers.get_header("WARC-Date")
    return StoredPage(
        url=record.rec_headers.get_header("WARC-Target-URI"),
        fetched_at=iso_date_to_datetime(when).replace(tzinfo=UTC),
        content_type=record.http_headers.get_header("Content-Type")
        if record.http_headers
        else None,
        body=body,
    )


def _load_record(directory: Path, location: RecordLocation) -> ArcWarcRecord:
    records = ArchiveIterator(io.BytesIO(read_record_bytes(directory, location)))
    try:
        record = next(iter(records))
    except StopIteration:
        raise ValueError(f"no record at {location.file}:{location.offset}") from None
    if record.rec_type != "response":
        raise ValueError(f"{location.file}:{location.offset} is a {record.rec_type} record")
    return record


def warc_files(directory: Path) -> Iterator[Path]:
    """Yield the store's files, finished and still open."""
    if directory.is_dir():
        yield from sorted(
            p for p in directory.iterdir() if p.name.endswith((SUFFIX, SUFFIX + OPEN_SUFFIX))
        )


def store_size(directory: Path) -> tuple[int, int]:
    """Return how many WARC files the store holds and their total size in bytes."""
    sizes = [p.stat().st_size for p in warc_files(directory)]
    return len(sizes), sum(sizes)
