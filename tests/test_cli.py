"""The ``ingest`` command end to end, on archives filled by real crawls (SQLite and PostgreSQL).

The archives (one per backend, the `edited_archive` fixture) are crawled from a copy of
the fixture site with the golden article edited in between, so the revision path is real too.
The command runs in-process (``ingest.cli.main``), except where the process itself is tested.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq
import pytest

from ingest import cli_commands
from ingest.records import ARTICLE_FIELDS
from ingest.storage import migrate
from tests.conftest import EDITED_PARAGRAPH, NEW_PARAGRAPH, REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Done


@pytest.fixture
def ingest_json(run_ingest: Callable[..., Done]) -> Callable[..., Any]:
    def run(db: str, *args: str) -> Any:
        done = run_ingest(db, *args, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


@pytest.fixture
def archive(edited_archive: str) -> str:
    return edited_archive


def _golden_id(ingest_json: Callable[..., Any], db: str) -> int:
    hits = ingest_json(db, "search", "Babil PMF")
    return next(h["id"] for h in hits if h["canonical_url"].endswith("/240720241"))


def test_search_ranks_and_highlights(archive, ingest_json):
    hits = ingest_json(archive, "search", "Babil")
    assert hits[0]["canonical_url"].endswith("/240720241")
    assert "[Babil]" in hits[0]["snippet"]
    assert set(hits[0]) >= {
        "id",
        "title",
        "published_at",
        "site",
        "edition",
        "url",
        "canonical_url",
        "snippet",
    }


def test_search_phrase_and_not(archive, ingest_json):
    phrase = {h["canonical_url"] for h in ingest_json(archive, "search", '"global coalition"')}
    assert any(u.endswith("/240720241") for u in phrase)
    excluded = {h["canonical_url"] for h in ingest_json(archive, "search", "coalition -Babil")}
    assert not any(u.endswith("/240720241") for u in excluded)
    either = {h["canonical_url"] for h in ingest_json(archive, "search", "Babil OR beekeepers")}
    assert len(either) >= 2


def test_search_sorani_with_spelling_variants(archive, ingest_json):
    sorani = ingest_json(archive, "list", "--edition", "sorani", "--limit", "1")[0]
    word = max(sorani["title"].split(), key=len)
    variant = word.replace("ی", "ي").replace("ک", "ك")
    hits = ingest_json(archive, "search", variant, "--language", sorani["language"])
    assert sorani["id"] in {h["id"] for h in hits}
    assert all(h["language"] == sorani["language"] for h in hits)


def test_search_filters(archive, ingest_json):
    assert ingest_json(archive, "search", "Babil", "--edition", "sorani") == []
    assert ingest_json(archive, "search", "Babil", "--since", "2024-07-25") == []
    assert ingest_json(archive, "search", "Babil", "--until", "2024-07-24")
    assert ingest_json(archive, "search", "Babil", "--section", "iraq")


def test_list_is_newest_first_and_filters_by_author(archive, ingest_json):
    listed = ingest_json(archive, "list", "--limit", "100")
    dates = [a["published_at"] for a in listed if a["published_at"]]
    assert dates == sorted(dates, reverse=True)
    opinion = ingest_json(archive, "list", "--section", "opinion")
    assert opinion
    article = ingest_json(archive, "show", str(opinion[0]["id"]))
    surname = article["authors"][0].split()[-1].lower()
    assert opinion[0]["id"] in {a["id"] for a in ingest_json(archive, "list", "--author", surname)}


def test_show_by_id_and_url_with_every_field(archive, ingest_json):
    article_id = _golden_id(ingest_json, archive)
    by_id = ingest_json(archive, "show", str(article_id))
    assert set(ARTICLE_FIELDS) <= set(by_id)
    by_url = ingest_json(archive, "show", by_id["canonical_url"])
    assert by_url == by_id


def test_show_history_has_the_previous_version_and_its_diff(archive, ingest_json, run_ingest):
    article_id = _golden_id(ingest_json, archive)
    shown = ingest_json(archive, "show", str(article_id), "--history")
    assert NEW_PARAGRAPH in shown["text"]
    assert len(shown["revisions"]) == 1
    assert EDITED_PARAGRAPH in shown["revisions"][0]["text"]
    table = run_ingest(archive, "show", str(article_id), "--history")
    assert f"- {EDITED_PARAGRAPH}" in table.stdout
    assert f"+ {NEW_PARAGRAPH}" in table.stdout


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_every_article_every_field(archive, tmp_path, fmt, ingest_json, run_ingest):
    total = len(ingest_json(archive, "list", "--limit", "1000"))
    output = tmp_path / f"out.{fmt}"
    done = run_ingest(archive, "export", "--format", fmt, "--output", str(output))
    assert done.returncode == 0, done.stderr
    assert f"exported {total} articles" in done.stderr
    if fmt == "jsonl":
        rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
        assert len(rows) == total
        assert list(rows[0]) == list(ARTICLE_FIELDS)
    elif fmt == "csv":
        import csv

        with output.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == total
        assert json.loads(rows[0]["authors"]) is not None
    else:
        table = pq.read_table(output)
        assert table.num_rows == total
        assert table.column_names == list(ARTICLE_FIELDS)


def test_export_to_stdout_with_filters(archive, run_ingest):
    done = run_ingest(
        archive, "export", "--edition", "english", "--format", "jsonl", "--output", "-"
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows and all(r["edition"] == "english" for r in rows)


def test_stats_and_runs(archive, ingest_json, run_ingest):
    stats = ingest_json(archive, "stats")
    assert stats["articles"] == sum(n for _site, n in stats["by_site"])
    records = [
        json.loads(line) for line in run_ingest(archive, "export", "-o", "-").stdout.splitlines()
    ]
    assert stats["articles"] == len(records)
    for field in ("authors", "modified_at", "section", "tags", "image_caption", "language"):
        expected = sum(1 for r in records if r[field]) / len(records)
        assert stats["coverage"][field] == pytest.approx(expected), field
    assert 0 < stats["coverage"]["image_caption"] < 1
    by_edition = {f"{site}/{edition}": n for site, edition, n in stats["by_edition"]}
    assert by_edition["rudaw/english"] == sum(1 for r in records if r["edition"] == "english")
    runs = ingest_json(archive, "runs")
    # Newest first: the full re-fetch, the run that found the edit, the first run.
    assert [r["articles_updated"] for r in runs] == [0, 1, 0]
    assert runs[2]["articles_new"] == stats["articles"]
    assert run_ingest(archive, "stats").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("list", "--since", "yesterday"), "bad date"),
        (("list", "--site", "nosuchsite"), "unknown site"),
        (("search", "NOT Babil"), "not excluded"),
        (("search", "(Babil"), "parentheses"),
        (("show", "999999"), "no article"),
        (("runs", "--last", "0"), "whole number"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(archive, args, message, run_ingest):
    done = run_ingest(archive, *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_missing_and_outdated_databases_are_clear_errors(tmp_path, run_ingest):
    missing = run_ingest(f"sqlite:///{tmp_path / 'nothing.sqlite3'}", "list")
    assert missing.returncode == 2
    assert "no archive" in missing.stderr
    behind = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrate.upgrade(behind, "abf18f568f14")
    done = run_ingest(behind, "search", "x")
    assert done.returncode == 2
    assert "behind its migrations" in done.stderr
    assert run_ingest(behind, "db", "upgrade").returncode == 0
    assert run_ingest(behind, "db", "check").returncode == 0


def test_python_dash_m_ingest_is_the_same_command(archive, ingest_json):
    module = subprocess.run(
        [sys.executable, "-m", "ingest", "--db", archive, "list", "--json"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert module.returncode == 0, module.stderr
    assert json.loads(module.stdout) == ingest_json(archive, "list")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_export_progress_is_shown_on_a_terminal_only():
    batches = [[1, 2], [3]]
    terminal = _Terminal()
    assert list(cli_commands._progress(iter(batches), terminal)) == batches
    assert "\rexporting… 2 articles\rexporting… 3 articles" in terminal.getvalue()
    piped = io.StringIO()
    assert list(cli_commands._progress(iter(batches), piped)) == batches
    assert piped.getvalue() == ""
