"""The read-ahead thread of exports: errors reach the reader, an early stop ends the thread."""

from __future__ import annotations

import itertools
import threading

import pytest

from ingest.storage.stream import _read_ahead


def test_read_ahead_yields_everything_in_order():
    assert list(_read_ahead(iter(range(100)), depth=2)) == list(range(100))


def test_an_error_in_the_thread_is_raised_to_the_reader():
    def failing():
        yield 1
        raise ConnectionError("database went away")

    reader = _read_ahead(failing())
    assert next(reader) == 1
    with pytest.raises(ConnectionError, match="went away"):
        next(reader)


def test_stopping_early_closes_the_source_and_ends_the_thread():
    closed = threading.Event()

    def endless():
        try:
            yield from itertools.count()
        finally:
            closed.set()

    reader = _read_ahead(endless())
    assert [next(reader) for _ in range(3)] == [0, 1, 2]
    reader.close()
    assert closed.is_set()
    assert not [t for t in threading.enumerate() if t.name == "ingest-read-ahead"]
