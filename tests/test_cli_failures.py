"""Every failure of the ``ingest`` command is one line on stderr and exit 2 (usage) or 1
(database or file), and no read command creates a database, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.storage import revision
from ingest.storage.fulltext import MAX_QUERY_DEPTH, MAX_QUERY_WORDS
from tests.conftest import REPO_ROOT, insert_articles

TOO_BIG = "99999999999999999999"  # beyond a 64-bit integer


def _fails(done, status: int, *snippets: str) -> None:
    assert done.returncode == status, (done.stdout, done.stderr)
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for snippet in snippets:
        assert snippet in done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--limit", TOO_BIG),
        ("search", "Babil", "--limit", TOO_BIG),
        ("runs", "--last", TOO_BIG),
        ("--timeout", "0", "list"),
        ("--timeout", "nan", "list"),
    ],
)
def test_numbers_out_of_range_are_usage_errors(edited_archive, run_ingest, args):
    _fails(run_ingest(edited_archive, *args), 2, "expected")


def test_an_id_too_large_for_the_database_is_no_article(edited_archive, run_ingest):
    _fails(run_ingest(edited_archive, "show", TOO_BIG), 2, "no article")
    _fails(run_ingest(edited_archive, "show", "٣"), 2, "no article")  # not an ASCII id


def test_arguments_that_are_not_utf8_are_refused(edited_archive, run_ingest):
    # What Python makes of the bytes b"caf\xe9" in argv (surrogateescape).
    _fails(run_ingest(edited_archive, "search", "caf\udce9"), 2, r"b'caf\xe9'", "UTF-8")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("(" * 5000 + "Babil" + ")" * 5000, f"more than {MAX_QUERY_DEPTH} deep"),
        ("NOT " * 5000 + "Babil", f"more than {MAX_QUERY_DEPTH} deep"),
        (" ".join(["Babil"] * (MAX_QUERY_WORDS + 1)), f"at most {MAX_QUERY_WORDS}"),
        ('"' + " ".join(["Babil"] * (MAX_QUERY_WORDS + 1)) + '"', f"at most {MAX_QUERY_WORDS}"),
    ],
)
def test_queries_too_deep_or_too_long_are_refused(edited_archive, run_ingest, query, message):
    _fails(run_ingest(edited_archive, "search", query), 2, message)


def test_a_query_of_the_largest_size_is_answered(edited_archive, run_ingest):
    deep = "(" * (MAX_QUERY_DEPTH - 1) + "Babil" + ")" * (MAX_QUERY_DEPTH - 1)
    assert run_ingest(edited_archive, "search", deep, "--json").returncode == 0
    words = " OR ".join(["Babil"] * MAX_QUERY_WORDS)
    assert run_ingest(edited_archive, "search", words, "--json").returncode == 0


@pytest.mark.parametrize(
    "case",
    [
        ("--edition", "klingon", "sorani"),
        ("--language", "tlh", "ckb"),
        ("--section", "Sport-ish", "Iraq"),
        ("--site", "nosuchsite", "kurdistan24, rudaw"),
    ],
)
@pytest.mark.parametrize("command", ["search", "export"])
def test_unknown_filter_values_list_the_known_ones(
    edited_archive, run_ingest, tmp_path, command, case
):
    option, value, known = case
    args = ("search", "Babil") if command == "search" else ("export", "-o", str(tmp_path / "x"))
    done = run_ingest(edited_archive, *args, option, value)
    _fails(done, 2, f"unknown {option[2:]} {value!r}; known: ", known)
    assert not (tmp_path / "x").exists()


def test_known_filter_values_in_any_case_are_accepted(edited_archive, run_ingest):
    done = run_ingest(edited_archive, "list", "--section", "IRAQ", "--language", "en")
    assert done.returncode == 0, done.stderr
    assert "Iraq" in done.stdout


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("{tmp}/missing-dir/out.jsonl", "No such file or directory"),
        ("{tmp}", "Is a directory"),
        ("/dev/full", "No space left on device"),
    ],
)
def test_an_export_that_cannot_be_written_is_one_line_and_exit_1(
    edited_archive, run_ingest, tmp_path, output, message
):
    output = output.format(tmp=tmp_path)
    _fails(run_ingest(edited_archive, "export", "-o", output), 1, message)
    assert list(tmp_path.iterdir()) == []


def test_output_to_a_full_disk_is_one_line_and_exit_1(edited_archive):
    # The process itself is the point: Python flushes stdout at exit, after main() returns.
    for args in (("list", "--json"), ("export", "-o", "-")):
        with Path("/dev/full").open("w") as full:
            done = subprocess.run(
                [sys.executable, "-m", "ingest", "--db", edited_archive, *args],
                cwd=REPO_ROOT,
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
                check=False,
            )
        assert done.returncode == 1, done.stderr
        assert done.stderr.strip() == "ingest: error: No space left on device (output)"


READ_COMMANDS = [
    ("list",),
    ("search", "Babil"),
    ("show", "1"),
    ("export", "-o", "-"),
    ("stats",),
    ("runs",),
    ("db", "current"),
    ("db", "check"),
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=" ".join)
def test_a_read_command_never_creates_a_database(tmp_path, run_ingest, args):
    missing = tmp_path / "no" / "such.sqlite3"
    _fails(run_ingest(f"sqlite:///{missing}", *args), 2, "no archive")
    assert not missing.parent.exists()
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    _fails(run_ingest(f"sqlite:///{empty}", *args), 2, "no archive")
    assert empty.stat().st_size == 0
    assert [p.name for p in tmp_path.iterdir()] == ["empty.sqlite3"]


def test_migrations_with_two_heads_are_one_line_and_exit_1(
    edited_archive, run_ingest, tmp_path, monkeypatch
):
    for name, down in (("a", "c3a7e91f5b22"), ("b", "c3a7e91f5b22")):
        (tmp_path / f"{name}.py").write_text(f'revision = "{name}"\ndown_revision = "{down}"\n')
    monkeypatch.setattr(revision, "VERSIONS_DIR", tmp_path)
    _fails(run_ingest(edited_archive, "list"), 1, "several heads: a, b")


def test_an_unreachable_database_is_one_line_and_exit_1(run_ingest):
    done = run_ingest("postgresql+psycopg://postgres@127.0.0.1:1/none", "list")
    _fails(done, 1, "database error")


#: Documents and words of the archive a runaway query is tried on: each document holds every
#: word, so a query of many words ORed together ranks every document on every word.
RUNAWAY_ROWS = 1500
VOCABULARY = [f"w{number}" for number in range(MAX_QUERY_WORDS)]


def test_a_runaway_query_is_stopped_at_its_time_limit(db_url, run_ingest):
    words = " ".join(VOCABULARY)
    rows = [
        {
            "canonical_url": f"https://example.org/{number}",
            "url": f"https://example.org/{number}",
            "site": "example",
            "title": words,
            # Each document its own order of the words, repeated.
            "text": " ".join(VOCABULARY[number % 7 :] + VOCABULARY[: number % 7]) * 5,
        }
        for number in range(RUNAWAY_ROWS)
    ]
    insert_articles(db_url, rows, datetime(2024, 7, 1, tzinfo=UTC))
    limit = 0.05
    # Unlimited, this query takes several times the limit on either backend (1,500 rows:
    # SQLite about 0.4 s, PostgreSQL seconds, on a loaded 2-core machine).
    started = time.monotonic()
    done = run_ingest(db_url, "--timeout", str(limit), "search", " OR ".join(VOCABULARY))
    elapsed = time.monotonic() - started
    _fails(done, 1, "time limit of 0.05 s", "--timeout")
    assert elapsed < limit + 1.0
