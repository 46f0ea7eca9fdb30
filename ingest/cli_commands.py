"""What each ``ingest`` subcommand does (``ingest.cli`` parses the command line).

Imported only once there is a command to run. What only some commands need is imported by
those: Alembic (``db``), trafilatura (``reextract``), warcio (``raw``, ``stats``) and the
learned boilerplate (``boilerplate``); pyarrow by the Parquet writer.
"""

from __future__ import annotations

import difflib
import itertools
import json
import shutil
import sys
from contextlib import closing, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from ingest import records
from ingest.cli import DatabaseProblem, UsageError
from ingest.export import SHAPES, write_articles
from ingest.profiles import PROFILES
from ingest.storage import dialects, queries, revision, stream
from ingest.storage.dialects import time_limit
from ingest.storage.session import make_engine
from ingest.storage.tables import articles

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterator, Sequence
    from datetime import datetime

    from sqlalchemy import Connection, Row


def cmd_search(args: argparse.Namespace) -> int:
    with _connection(args) as connection:
        filters = _filters(args, connection)
        hits = queries.search(connection, args.query, filters, limit=args.limit)
        if args.json:
            _print_json(
                [
                    {**_brief(h.article), "rank": round(h.rank, 6), "snippet": h.snippet}
                    for h in hits
                ]
            )
            return 0
        if not hits:
            print("no matches")
            return 0
        for number, hit in enumerate(hits, 1):
            article = hit.article
            print(_bold(f"{number}. {article.title}"))
            print(
                f"   {_date(article.published_at)} · {article.site}/{article.edition or '-'} · {article.canonical_url}"
            )
            print(f"   {_highlight(hit.snippet)}\n")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with _connection(args) as connection:
        found = queries.list_articles(connection, _filters(args, connection), limit=args.limit)
        if args.json:
            _print_json([_brief(a) for a in found])
            return 0
        rows = [
            (
                str(a.id),
                _date(a.published_at),
                f"{a.site}/{a.edition or '-'}",
                a.section or "-",
                a.title,
            )
            for a in found
        ]
        _print_table(("id", "published", "site/edition", "section", "title"), rows)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _connection(args) as connection:
        article = queries.get_article(connection, args.key)
        if article is None:
            raise UsageError(f"no article with id or URL {args.key!r}")
        history = queries.revisions(connection, article.id) if args.history else []
        if args.json:
            record = records.article_record(article)
            if args.history:
                record["revisions"] = [records.revision_record(r) for r in history]
            _print_json(record)
            return 0
        record = records.article_record(article)
        text = record.pop("text")
        width = max(len(k) for k in record)
        for key, value in record.items():
            shown = ", ".join(value) if isinstance(value, list) else value
            print(f"{key:>{width}}  {shown if shown not in (None, '') else '-'}")
        print("\n" + text)
        if args.history:
            _print_history(article, history)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    # An export runs as long as the archive is big: the time limit is for interactive queries.
    with _connection(args, limited=False) as connection:
        filters = _filters(args, connection)
        batches = stream.iter_article_rows(
            connection, filters, records.ARTICLE_FIELDS, shape=SHAPES[args.format]
        )
        # closing: on a closed pipe, stop the read-ahead thread before the connection goes.
        with closing(batches):
            counted = _progress(batches, sys.stderr)
            if args.output == "-":
                count = write_articles(counted, args.format, sys.stdout.buffer)
                sys.stdout.flush()
            else:
                count = _export_to_file(Path(args.output), counted, args.format)
    print(f"exported {count} articles", file=sys.stderr)
    return 0


def _export_to_file(path: Path, batches: Iterator[Sequence[Any]], fmt: str) -> int:
    """Write the export to ``path``; a failed export leaves no half file that looks whole."""
    with path.open("wb") as out:
        try:
            return write_articles(batches, fmt, out)
        except BaseException:
            if path.is_file():
                path.unlink()
            raise


def _progress(batches: Iterator[Sequence[Any]], terminal: TextIO) -> Iterator[Sequence[Any]]:
    """Pass the batches on; on a terminal, keep a running count on one line meanwhile."""
    if not terminal.isatty():
        yield from batches
        return
    done = 0
    for batch in batches:
        yield batch
        done += len(batch)
        print(f"\rexporting… {done:,} articles", end="", file=terminal, flush=True)
    print("\r\033[K", end="", file=terminal, flush=True)


def cmd_stats(args: argparse.Namespace) -> int:
    with _connection(args) as connection:
        total = connection.scalar(select(func.count()).select_from(articles)) or 0
        report = {
            "articles": total,
            "by_site": [list(r) for r in queries.count_by(connection, articles.c.site)],
            "by_edition": [
                list(r) for r in queries.count_by(connection, articles.c.site, articles.c.edition)
            ],
            "by_section": [
                list(r) for r in queries.count_by(connection, articles.c.site, articles.c.section)
            ],
            "by_day": [list(r) for r in queries.articles_per_day(connection, days=14)],
            "coverage": queries.field_coverage(connection),
            "raw_pages": _raw_store_report(connection, args.raw_dir),
            "last_runs": [records.run_record(r) for r in queries.crawl_runs(connection, last=5)],
        }
    if args.json:
        _print_json(report)
        return 0
    print(_bold(f"{total} articles"))
    for title, key in (
        ("site", "by_site"),
        ("site / edition", "by_edition"),
        ("site / section", "by_section"),
    ):
        print(f"\nper {title}:")
        for *values, count in report[key][:15]:
            print(f"  {' / '.join(str(v) if v is not None else '-' for v in values):40} {count:>8}")
    if report["by_day"]:
        print("\nper publication day (UTC, latest 14):")
        peak = max(count for _, count in report["by_day"])
        for day, count in report["by_day"]:
            bar = "█" * max(1, round(30 * count / peak))
            print(f"  {day}  {bar} {count}")
    store = report["raw_pages"]
    print(
        f"\nraw pages: {store['articles_with_page']} articles have their page kept;"
        f" {store['files']} WARC files, {store['bytes'] / 1e6:,.1f} MB"
        f" in {store['directory'] or '- (INGEST_RAW_DIR is empty: off)'}"
    )
    print("\nfield coverage:")
    for name, share in report["coverage"].items():
        print(f"  {name:14} {share:6.1%}")
    _print_runs(report["last_runs"])
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    with _connection(args) as connection:
        runs = [records.run_record(r) for r in queries.crawl_runs(connection, last=args.last)]
    if args.json:
        _print_json(runs)
    else:
        _print_runs(runs)
    return 0


def _raw_store_report(connection: Connection, directory: str) -> dict[str, Any]:
    from ingest import raw

    files, size = raw.store_size(Path(directory)) if directory else (0, 0)
    return {
        "directory": directory or None,
        "files": files,
        "bytes": size,
        "articles_with_page": queries.pages_kept(connection),
    }


def cmd_raw(args: argparse.Namespace) -> int:
    from ingest import raw

    with _connection(args) as connection:
        article = queries.get_article(connection, args.key)
        if article is None:
            raise UsageError(f"no article with id or URL {args.key!r}")
        version: Any = article
        if args.revision is not None:
            history = queries.revisions(connection, article.id)
            if args.revision > len(history):
                raise UsageError(f"article {article.id} has {len(history)} earlier version(s)")
            version = history[args.revision - 1]
        location = queries.location_of(version)
    if location is None:
        raise UsageError(f"the page of article {article.id} is not kept (stored without a raw dir)")
    try:
        if args.warc:
            data = raw.read_record_bytes(_raw_dir(args), location)
        else:
            data = raw.read_page(_raw_dir(args), location).body
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the page from {args.raw_dir}: {exc}") from exc
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    return 0


def cmd_reextract(args: argparse.Namespace) -> int:
    # Imported here, by the one command that extracts: trafilatura doubles the start-up time.
    from ingest.reextract import reextract
    from settings.base import INGEST_EXTRACT_WORKERS, INGEST_MIN_TEXT_CHARS

    with _connection(args) as connection:
        filters = _filters(args, connection)
    report = reextract(
        args.db,
        _raw_dir(args),
        filters,
        limit=args.limit,
        dry_run=args.dry_run,
        workers=INGEST_EXTRACT_WORKERS if args.workers is None else args.workers,
        min_chars=INGEST_MIN_TEXT_CHARS,
        progress=sys.stderr if sys.stderr.isatty() else None,
    )
    for diff in report.diffs:
        print(diff + "\n")
    failed = sum(report.failed.values())
    verb = "would change" if args.dry_run else "changed"
    print(
        f"{'dry run: ' if args.dry_run else ''}read {report.read} of {report.total} stored pages"
        f" in {report.seconds:.1f}s: {verb} {report.changed}, unchanged {report.unchanged},"
        f" failed {failed}" + (" (interrupted)" if report.interrupted else "")
    )
    for reason, count in report.failed.most_common():
        print(f"  {reason}: {count}")
    for line in report.examples:
        print(f"  e.g. {line}")
    if report.error:
        print(f"ingest: error: {report.error}; run again to carry on", file=sys.stderr)
        return 1
    return 130 if report.interrupted else 0


def cmd_boilerplate(args: argparse.Namespace) -> int:
    from ingest.storage import boilerplate

    with _connection(args) as connection:
        rows = [
            boilerplate.record(r) for r in boilerplate.learned_paragraphs(connection, args.site)
        ]
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("nothing learned yet" + (f" for {args.site}" if args.site else ""))
    for key, group in itertools.groupby(rows, lambda r: (r["site"], r["edition"])):
        print(_bold(" / ".join(k or "-" for k in key)))
        for r in group:
            share = f"{r['articles']}/{r['out_of']}"
            print(f"  {share:>9}  at {r['position']:>3}  {r['rule']:13}  {r['sample'][:70]}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    # Alembic: imported here, by the one command that migrates (see the module docstring).
    from alembic import command
    from alembic.util import CommandError

    from ingest.storage import migrate

    try:
        if args.action == "upgrade":
            migrate.upgrade(args.db)
            print(f"database at revision {revision.current_revision(args.db)} (head)")
            return 0
        _require_database_file(args.db)
        current = revision.current_revision(args.db)
        head = revision.head_revision()
        if args.action == "current":
            state = "up to date" if current == head else f"behind head {head}"
            print(f"{current or 'empty (no migrations applied)'}: {state}")
            return 0
        if current != head:
            raise UsageError("the database is behind its migrations; run `ingest db upgrade`")
        command.check(migrate.alembic_config(args.db))
    except CommandError as exc:
        raise DatabaseProblem(str(exc)) from None
    print("database is at head and matches the models")
    return 0


def cmd_spool(args: argparse.Namespace) -> int:
    from ingest.storage.replay import DatabaseUnavailable, replay_spool

    if args.dir is None:
        from settings.base import INGEST_SPOOL_DIR

        args.dir = INGEST_SPOOL_DIR
    try:
        done = replay_spool(args.db, Path(args.dir))
    except DatabaseUnavailable as exc:
        print(f"ingest: database unavailable, spool kept: {exc}", file=sys.stderr)
        return 1
    print(f"replayed {done.outcomes.total()} articles: {dict(sorted(done.outcomes.items()))}")
    if done.refused:
        print(f"ingest: the database refused {done.refused} spooled articles", file=sys.stderr)
        return 1
    return 0


def _raw_dir(args: argparse.Namespace) -> Path:
    if not args.raw_dir:
        raise UsageError("the raw page store is off: set INGEST_RAW_DIR or pass --raw-dir")
    return Path(args.raw_dir)


def _require_database_file(url: str) -> None:
    parsed = make_url(url)
    path = dialects.for_url(parsed).database_file(parsed)
    # An empty file too: opening it would write a database header into it.
    if path is not None and (not path.is_file() or path.stat().st_size == 0):
        raise UsageError(
            f"no archive at {parsed.database}: run a crawl or `ingest db upgrade` first"
        )


@contextmanager
def _connection(args: argparse.Namespace, *, limited: bool = True) -> Iterator[Connection]:
    """Open the archive for reading, refusing one that is missing or behind its migrations;
    ``limited``: every query stops after ``--timeout`` seconds."""
    _require_database_file(args.db)
    engine = make_engine(args.db)
    try:
        with engine.connect() as connection:
            current = revision.revision_of(connection)
            if current is None:
                raise UsageError(
                    "the database has no archive yet: run a crawl or `ingest db upgrade`"
                )
            if current != revision.head_revision():
                raise UsageError("the database is behind its migrations; run `ingest db upgrade`")
            with time_limit(connection, args.timeout) if limited else nullcontext():
                yield connection
    finally:
        engine.dispose()


def _filters(args: argparse.Namespace, connection: Connection) -> queries.Filters:
    editions = {e.key for p in PROFILES.values() for e in p.editions}
    languages = {e.language for p in PROFILES.values() for e in p.editions}
    for name, value, column, declared in (
        ("site", args.site, articles.c.site, set(PROFILES)),
        ("edition", args.edition, articles.c.edition, editions),
        ("language", args.language, articles.c.language, languages),
    ):
        if value is not None and value not in declared:
            # Also what the archive holds: sites and editions of profiles since removed, and
            # languages that pages declared themselves.
            known = declared | {v for v in queries.distinct_values(connection, column) if v}
            if value not in known:
                raise UsageError(f"unknown {name} {value!r}; known: {', '.join(sorted(known))}")
    if args.section is not None:
        sections = {v for v in queries.distinct_values(connection, articles.c.section) if v}
        if args.section.lower() not in {s.lower() for s in sections}:
            raise UsageError(
                f"unknown section {args.section!r}; known: {', '.join(sorted(sections))}"
            )
    if args.since and args.until and args.since >= args.until:
        raise UsageError("--since must be before --until")
    return queries.Filters(
        site=args.site,
        edition=args.edition,
        language=args.language,
        section=args.section,
        author=args.author,
        since=args.since,
        until=args.until,
    )


def _brief(article: Row[Any]) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "published_at": records.iso(article.published_at),
        "site": article.site,
        "edition": article.edition,
        "language": article.language,
        "section": article.section,
        "url": article.url,
        "canonical_url": article.canonical_url,
    }


def _print_history(article: Row[Any], history: list[Row[Any]]) -> None:
    if not history:
        print("\nno earlier versions")
        return
    print(_bold(f"\n{len(history)} earlier version(s):"))
    versions = [*history, article]
    for older, newer in itertools.pairwise(versions):
        why = " by a re-extraction" if older.reason == "reextract" else ""
        print(
            f"\n— version seen until {_date(older.seen_at)}, replaced {_date(older.replaced_at)}{why}"
        )
        if older.title != newer.title:
            print(f"  title: {older.title!r} → {newer.title!r}")
        for line in difflib.ndiff(older.text.splitlines(), newer.text.splitlines()):
            if line[:1] in "+-":
                print(f"  {line}")


def _print_runs(runs: list[dict[str, Any]]) -> None:
    print("\nlast crawl runs:" if runs else "\nno crawl runs recorded")
    rows = [
        (
            str(r["id"]),
            r["spider"],
            (r["started_at"] or "")[:19].replace("T", " "),
            r["verdict"] or r["finish_reason"] or "running",
            str(r["pages_fetched"]),
            f"{r['articles_new']}/{r['articles_updated']}/{r['articles_unchanged']}",
            ", ".join(f"{k} {v}" for k, v in r["items_dropped"].items()) or "-",
            str(r["errors"]),
            r["verdict_reason"] or "",
        )
        for r in runs
    ]
    if rows:
        _print_table(
            (
                "id",
                "spider",
                "started (UTC)",
                "verdict",
                "pages",
                "new/upd/same",
                "dropped",
                "errors",
                "why",
            ),
            rows,
        )


def _print_table(header: Sequence[str], rows: list[Sequence[str]]) -> None:
    if not rows:
        print("no articles")
        return
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    total = shutil.get_terminal_size((120, 20)).columns
    # The last column takes what is left of the terminal and is cut to fit.
    widths[-1] = max(20, min(widths[-1], total - sum(widths[:-1]) - 2 * (len(widths) - 1)))
    for row in (header, *rows):
        cells = [
            str(c) if len(str(c)) <= w else str(c)[: w - 1] + "…"
            for c, w in zip(row, widths, strict=True)
        ]
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())


def _print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def _date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "undated"


def _bold(text: str) -> str:
    return f"\033[1m{text}\033[0m" if sys.stdout.isatty() else text


def _highlight(snippet: str) -> str:
    if sys.stdout.isatty():
        return snippet.replace("[", "\033[1;33m").replace("]", "\033[0m")
    return snippet


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "search": cmd_search,
    "list": cmd_list,
    "show": cmd_show,
    "export": cmd_export,
    "stats": cmd_stats,
    "runs": cmd_runs,
    "raw": cmd_raw,
    "reextract": cmd_reextract,
    "boilerplate": cmd_boilerplate,
    "db": cmd_db,
    "spool": cmd_spool,
}
