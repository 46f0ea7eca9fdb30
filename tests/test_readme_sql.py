"""The SQL examples of the README run, and return rows, on archives filled by a real crawl."""

from __future__ import annotations

import re

from sqlalchemy import text

from ingest.storage.session import make_engine
from tests.conftest import REPO_ROOT

_BLOCK_RE = re.compile(r"```sql\n-- (both|sqlite|postgresql)\n(.*?)```", re.DOTALL)
QUERIES = _BLOCK_RE.findall((REPO_ROOT / "README.md").read_text(encoding="utf-8"))


def test_readme_has_the_promised_queries():
    dialects = [d for d, _ in QUERIES]
    assert dialects.count("both") + min(dialects.count("sqlite"), dialects.count("postgresql")) >= 5
    assert dialects.count("sqlite") == dialects.count("postgresql")


def test_readme_queries_return_rows(edited_archive):
    engine = make_engine(edited_archive)
    applicable = [sql for dialect, sql in QUERIES if dialect in ("both", engine.dialect.name)]
    assert len(applicable) >= 6
    with engine.connect() as connection:
        for sql in applicable:
            assert connection.execute(text(sql)).all(), sql
    engine.dispose()
