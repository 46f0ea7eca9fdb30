"""Several processes on one database: racing writers, racing and interrupted migrations."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import func, make_url, select

from ingest.storage import migrate
from ingest.storage.models import Article, ArticleRevision
from ingest.storage.session import make_engine, make_sessionmaker
from tests.conftest import REPO_ROOT

ARTICLES = 100

# Stores the same articles as its twin process, in the same order, one transaction each, as
# soon as the start file appears; prints the count of each outcome, and of errors, as JSON.
_WRITER = """
import json, sys, time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from ingest.storage.repository import upsert_article
from ingest.storage.session import make_engine, make_sessionmaker

url, start, count = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
sessions = make_sessionmaker(make_engine(url).execution_options(sqlite_begin="IMMEDIATE"))
outcomes = Counter()
while not start.exists():
    time.sleep(0.001)
for number in range(count):
    values = {
        "canonical_url": f"https://example.org/news/{number}",
        "url": f"https://example.org/news/{number}",
        "site": "example", "edition": None, "language": "en", "section": None,
        "title": f"Story {number}", "text": "Body of the story.", "authors": [], "tags": [],
    }
    try:
        with sessions.begin() as session:
            outcomes[upsert_article(session, values, datetime.now(UTC))] += 1
    except Exception as exc:
        outcomes["error: " + type(exc).__name__] += 1
print(json.dumps(outcomes))
"""


def _start(program: str, *args: str) -> subprocess.Popen[str]:
    """Start ``program`` in a fresh interpreter from the repository root, its output piped."""
    return subprocess.Popen(
        [sys.executable, "-c", program, *args],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_storing_the_same_new_articles_store_each_once(db_url, tmp_path):
    migrate.upgrade(db_url)
    start = tmp_path / "start"
    writers = [_start(_WRITER, db_url, str(start), str(ARTICLES)) for _ in range(2)]
    time.sleep(2)  # both have imported and connected; then they start at once
    start.touch()
    results = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        results.append(json.loads(out))
    # Every article was inserted by exactly one process and found unchanged by the other.
    assert sum(r.get("new", 0) for r in results) == ARTICLES
    assert sum(r.get("unchanged", 0) for r in results) == ARTICLES
    assert not [k for r in results for k in r if k.startswith("error")]
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Article)) == ARTICLES
        assert session.scalar(select(func.count()).select_from(ArticleRevision)) == 0
    engine.dispose()


_MIGRATE = "import sys; from ingest.storage import migrate; migrate.upgrade(sys.argv[1])"


def test_two_processes_migrating_a_fresh_database_both_succeed(db_url):
    processes = [_start(_MIGRATE, db_url) for _ in range(2)]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert migrate.is_up_to_date(db_url)
    command.check(migrate.alembic_config(db_url))


# From the file's creation, the migration's DDL runs about 0.1 to 0.3 s later on a busy machine.
@pytest.mark.parametrize("delay", [0.1, 0.2, 0.3, 0.45])
def test_a_first_migration_killed_at_any_moment_is_completed_by_the_next_upgrade(tmp_path, delay):
    database = tmp_path / "archive.sqlite3"
    url = f"sqlite:///{database}"
    process = _start(_MIGRATE, url)
    # The file appears when the migration connects; kill it from then on, at several moments.
    deadline = time.monotonic() + 60
    while not database.exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    # Whatever the moment, the database holds the whole schema or none of it.
    engine = make_engine(url)
    with engine.connect() as connection:
        tables = {
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='table'"
            )
        }
    engine.dispose()
    assert not tables or {"alembic_version", *_SCHEMA_TABLES} <= tables, tables
    migrate.upgrade(url)
    assert migrate.is_up_to_date(url)
    command.check(migrate.alembic_config(url))
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as session:
        session.add(
            Article(
                canonical_url="https://example.org/a",
                url="https://example.org/a",
                site="example",
                content_hash="0" * 64,
                first_seen_at=datetime.now(UTC),
                last_seen_at=datetime.now(UTC),
                title="A",
                text="Body.",
            )
        )
    engine.dispose()


_SCHEMA_TABLES = {"articles", "article_revisions", "crawl_runs"}


def test_a_crawls_migration_runs_in_a_child_and_leaves_alembic_out(db_url):
    # How a crawl migrates (StorePipeline): the schema at head, and Alembic, 11 MB, never
    # loaded into the process that goes on crawling.
    code = (
        "import sys; from ingest.storage import migrate;"
        "migrate.upgrade_in_child(sys.argv[1]); print(migrate.is_up_to_date(sys.argv[1]));"
        "print('\\n'.join(sys.modules))"
    )
    process = _start(code, db_url)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    up_to_date, *loaded = out.split()
    assert up_to_date == "True"
    assert "alembic" not in {name.split(".")[0] for name in loaded}
    command.check(migrate.alembic_config(db_url))


def test_a_migration_that_fails_in_the_child_says_why_in_one_line(postgresql_url):
    missing = make_url(postgresql_url).set(database="ingest_no_such_database")
    with pytest.raises(RuntimeError) as failed:
        migrate.upgrade_in_child(missing.render_as_string(hide_password=False))
    message = str(failed.value)
    assert message.startswith("migrating the database failed: ")
    assert "ingest_no_such_database" in message
    assert "\n" not in message


# Opens each of a row of new database files as soon as its start file appears, and writes to it
# as the crawl's writer does (BEGIN IMMEDIATE).
_OPENER = """
import sys, time
from pathlib import Path
from sqlalchemy import text
from ingest.storage.session import make_engine

folder, rounds = Path(sys.argv[1]), int(sys.argv[2])
for number in range(rounds):
    while not (folder / f"go-{number}").exists():
        time.sleep(0.001)
    engine = make_engine(f"sqlite:///{folder / f'fresh-{number}.sqlite3'}")
    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    engine.dispose()
print("ok")
"""


def test_processes_opening_a_new_sqlite_file_at_once_all_get_in(tmp_path):
    # Each connection switches a new file to WAL, and SQLite refuses all but one of several
    # at once ("database is locked", without waiting): two crawls started together on a
    # fresh archive lost one of them. Several rounds, each on a new file, all at once.
    rounds, openers = 10, 4
    processes = [_start(_OPENER, str(tmp_path), str(rounds)) for _ in range(openers)]
    time.sleep(1.5)  # all of them past their imports
    for number in range(rounds):
        (tmp_path / f"go-{number}").touch()
        time.sleep(0.2)
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert (process.returncode, out.strip()) == (0, "ok"), err
    for number in range(rounds):
        engine = make_engine(f"sqlite:///{tmp_path / f'fresh-{number}.sqlite3'}")
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == openers
        engine.dispose()
