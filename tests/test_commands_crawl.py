"""``scrapy crawl`` that cannot start says why in one line and exits non-zero."""

from __future__ import annotations

import pytest

from tests.conftest import run_crawl


@pytest.mark.parametrize(
    "case",
    [
        (
            "rudaw",
            "editions=klingon",
            None,
            2,
            "scrapy crawl rudaw: unknown edition(s) ['klingon'] for rudaw; known: ",
        ),
        ("urls", "file=nope", None, 2, "scrapy crawl urls: URL list 'nope' does not exist"),
        (
            "rudaw",
            "base_url=ftp:/x",
            None,
            2,
            "scrapy crawl rudaw: base_url must be an http(s) URL",
        ),
        (
            "rudaw",
            "editions=english",
            "postgresql+psycopg://postgres@127.0.0.1:1/ingest",
            1,
            "scrapy crawl rudaw: database unreachable: connection failed: ",
        ),
    ],
)
def test_start_up_failure_is_one_line(tmp_path, sqlite_url, case):
    spider, argument, database, status, line = case
    result = run_crawl(spider, tmp_path, database or sqlite_url, argument)
    assert result.returncode == status
    assert "Traceback" not in result.log
    errors = [entry for entry in result.log.splitlines() if "ERROR" in entry or "Error" in entry]
    assert errors == []
    (message,) = [entry for entry in result.log.splitlines() if entry.startswith("scrapy crawl")]
    assert message.startswith(line)
