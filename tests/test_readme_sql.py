"""The SQL examples of the README run, and return rows, on archives filled by a real crawl."""

from __future__ import annotations

import re
import shutil
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from ingest.storage.session import make_engine
from tests.conftest import REPO_ROOT, SITES, fresh_database, run_crawl
from tests.site_server import SiteServer

if TYPE_CHECKING:
    from collections.abc import Iterator

_BLOCK_RE = re.compile(r"```sql\n-- (both|sqlite|postgresql)\n(.*?)```", re.DOTALL)
QUERIES = _BLOCK_RE.findall((REPO_ROOT / "README.md").read_text(encoding="utf-8"))
GOLDEN = "english/middleeast/iraq/240720241.html"


def test_readme_has_the_promised_queries():
    dialects = [d for d, _ in QUERIES]
    assert dialects.count("both") + min(dialects.count("sqlite"), dialects.count("postgresql")) >= 5
    assert dialects.count("sqlite") == dialects.count("postgresql")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def archive(request, tmp_path_factory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("readme")
    site = directory / "site"
    shutil.copytree(SITES / "rudaw", site)
    with fresh_database(request.param, directory) as url, SiteServer(site) as server:
        assert run_crawl("rudaw", directory, url, f"base_url={server.url}").returncode == 0
        page = site / GOLDEN
        page.write_text(
            page.read_text(encoding="utf-8").replace("Babil province", "Babylon province"),
            encoding="utf-8",
        )
        assert run_crawl("rudaw", directory, url, f"base_url={server.url}").returncode == 0
        yield url


def test_readme_queries_return_rows(archive):
    engine = make_engine(archive)
    applicable = [sql for dialect, sql in QUERIES if dialect in ("both", engine.dialect.name)]
    assert len(applicable) >= 6
    with engine.connect() as connection:
        for sql in applicable:
            assert connection.execute(text(sql)).all(), sql
    engine.dispose()
