"""The ``ingest`` command: search, read, export and watch the article archive.

Every subcommand reads ``--db URL`` or else ``INGEST_DATABASE_URL``, the crawl's own setting.
Output is a table on a terminal and JSON with ``--json``; errors are one line on stderr and a
non-zero exit status (2 for a usage problem, 1 for a database or file problem).

Start-up time counts for a command typed by hand: what only some subcommands need (Alembic,
pyarrow) is imported by those subcommands, and tests/test_layering.py keeps it that way.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import json
import os
import shutil
import sys
from contextlib import closing, contextmanager, nullcontext, suppress
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ingest import raw, records
from ingest.export import FORMATS, SHAPES, write_articles
from ingest.profiles import PROFILES
from ingest.storage import boilerplate, queries, revision, stream
from ingest.storage.dialects import QueryTimeout, time_limit
from ingest.storage.fulltext import QuerySyntaxError
from ingest.storage.models import Article
from ingest.storage.session import make_engine, make_sessionmaker

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from sqlalchemy.orm import Session


class UsageError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


class DatabaseProblem(Exception):
    """A problem with the database that Alembic reports; one line, exit status 1."""


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    try:
        _require_utf8(arguments)
        args = build_parser().parse_args(arguments)
        args.db = args.db or _default_database_url()
        args.raw_dir = args.raw_dir if args.raw_dir is not None else _default_raw_dir()
        func: Callable[[argparse.Namespace], int] = args.func
        status = func(args)
        # Here, not at exit, so that a full disk is reported like any other failure.
        sys.stdout.flush()
        return status
    except (UsageError, QuerySyntaxError) as exc:
        print(f"ingest: error: {exc}", file=sys.stderr)
        return 2
    except QueryTimeout as exc:
        print(f"ingest: error: {exc} (--timeout)", file=sys.stderr)
        return 1
    except (SQLAlchemyError, DatabaseProblem, revision.SeveralHeads) as exc:
        message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"ingest: database error: {message}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `ingest export … - | head` closes the pipe early; that is not an error.
        _drop_stdout()
        return 0
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else " (output)"
        print(f"ingest: error: {exc.strerror or exc}{where}", file=sys.stderr)
        _drop_stdout()
        return 1
    except KeyboardInterrupt:
        print("ingest: interrupted", file=sys.stderr)
        return 130


def _require_utf8(arguments: Sequence[str]) -> None:
    """Refuse arguments that are not UTF-8 (Python hands them over with lone surrogates,
    which no database takes and no terminal prints)."""
    for argument in arguments:
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"argument {os.fsencode(argument)!r} is not valid UTF-8") from None


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so that flushing what is left at exit cannot fail again."""
    # ValueError, OSError: stdout is no real file (tests capture it), so nothing is left to flush.
    with suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other error of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ingest", description="Query and manage the news archive.")
    parser.add_argument("--db", metavar="URL", help="database URL (default: INGEST_DATABASE_URL)")
    parser.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=_default_timeout(),
        metavar="SECONDS",
        help="stop any query that runs longer (default: %(default)g; export is not limited)",
    )
    parser.add_argument(
        "--raw-dir", metavar="DIR", help="the WARC files of the pages (default: INGEST_RAW_DIR)"
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    search = sub.add_parser("search", help="full-text search, best matches first")
    search.add_argument("query", help='words, "a phrase", OR, NOT word or -word, parentheses')
    _add_filters(search)
    _add_limit_json(search)
    search.set_defaults(func=cmd_search)

    listing = sub.add_parser("list", help="newest articles that pass the filters")
    _add_filters(listing)
    _add_limit_json(listing)
    listing.set_defaults(func=cmd_list)

    show = sub.add_parser("show", help="one article in full")
    show.add_argument("key", metavar="ID|URL")
    show.add_argument(
        "--history", action="store_true", help="list its earlier versions and what changed"
    )
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)

    export = sub.add_parser("export", help="stream articles to a file, every field")
    _add_filters(export)
    export.add_argument("--format", choices=FORMATS, default="jsonl")
    export.add_argument(
        "--output", "-o", required=True, metavar="FILE", help="a path, or - for stdout"
    )
    export.set_defaults(func=cmd_export)

    stats = sub.add_parser("stats", help="what the archive holds, and the last crawl runs")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_stats)

    runs = sub.add_parser("runs", help="the crawl runs, newest first")
    runs.add_argument("--last", type=_positive_int, default=10, metavar="N")
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(func=cmd_runs)

    page = sub.add_parser("raw", help="the stored page (HTML) an article was made from")
    page.add_argument("key", metavar="ID|URL")
    page.add_argument(
        "--revision", type=_positive_int, metavar="N", help="of its Nth earlier version, oldest 1"
    )
    page.add_argument("--warc", action="store_true", help="the WARC record itself (.warc.gz)")
    page.set_defaults(func=cmd_raw)

    again = sub.add_parser(
        "reextract", help="make the articles again from their stored pages with this version"
    )
    _add_filters(again)
    again.add_argument("--limit", type=_positive_int, metavar="N", help="at most N articles")
    again.add_argument("--dry-run", action="store_true", help="count and show a few diffs only")
    again.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="extraction processes (default: INGEST_EXTRACT_WORKERS)",
    )
    again.set_defaults(func=cmd_reextract)
    learned = sub.add_parser("boilerplate", help="paragraphs learned as a site's boilerplate")
    learned.add_argument("--site", help=f"site profile key ({', '.join(PROFILES)})")
    learned.add_argument("--json", action="store_true")
    learned.set_defaults(func=cmd_boilerplate)

    db = sub.add_parser("db", help="apply or inspect the schema migrations")
    db.add_argument("action", choices=["upgrade", "current", "check"])
    db.set_defaults(func=cmd_db)

    spool = sub.add_parser("spool", help="store what crawls spooled while the database was away")
    spool.add_argument("action", choices=["replay"])
    spool.add_argument("--dir", metavar="DIR", help="spool folder (default: INGEST_SPOOL_DIR)")
    spool.set_defaults(func=cmd_spool)
    return parser


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", help=f"site profile key ({', '.join(PROFILES)})")
    parser.add_argument(
        "--edition", help="edition key: english, sorani, kurmanci, arabic, turkish, …"
    )
    parser.add_argument("--language", help="language code: en, ckb, ar, ku, tr, …")
    parser.add_argument("--section", help='section label, any case: "Iraq"')
    parser.add_argument("--author", help="part of an author's name, any case")
    parser.add_argument(
        "--since", type=_date_arg, help="published on or after (YYYY-MM-DD or ISO time; UTC)"
    )
    parser.add_argument(
        "--until", type=_until_arg, help="published on or before (YYYY-MM-DD: that whole day)"
    )


def _add_limit_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=_positive_int, default=20, metavar="N")
    parser.add_argument("--json", action="store_true", help="machine-readable output (see README)")


# -- commands -----------------------------------------------------------------------------


def cmd_search(args: argparse.Namespace) -> int:
    with _session(args) as session:
        filters = _filters(args, session)
        hits = queries.search(session, args.query, filters, limit=args.limit)
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
    with _session(args) as session:
        articles = queries.list_articles(session, _filters(args, session), limit=args.limit)
        if args.json:
            _print_json([_brief(a) for a in articles])
            return 0
        rows = [
            (
                str(a.id),
                _date(a.published_at),
                f"{a.site}/{a.edition or '-'}",
                a.section or "-",
                a.title,
            )
            for a in articles
        ]
        _print_table(("id", "published", "site/edition", "section", "title"), rows)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    with _session(args) as session:
        article = queries.get_article(session, args.key)
        if article is None:
            raise UsageError(f"no article with id or URL {args.key!r}")
        history = queries.revisions(session, article.id) if args.history else []
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
    with _session(args, limited=False) as session:
        filters = _filters(args, session)
        batches = stream.iter_article_rows(
            session, filters, records.ARTICLE_FIELDS, shape=SHAPES[args.format]
        )
        # closing: on a closed pipe, stop the read-ahead thread before the session goes.
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
    with _session(args) as session:
        total = session.scalar(select(queries.func.count()).select_from(Article)) or 0
        report = {
            "articles": total,
            "by_site": [list(r) for r in queries.count_by(session, Article.site)],
            "by_edition": [
                list(r) for r in queries.count_by(session, Article.site, Article.edition)
            ],
            "by_section": [
                list(r) for r in queries.count_by(session, Article.site, Article.section)
            ],
            "by_day": [list(r) for r in queries.articles_per_day(session, days=14)],
            "coverage": queries.field_coverage(session),
            "raw_pages": _raw_store_report(session, args.raw_dir),
            "last_runs": [records.run_record(r) for r in queries.crawl_runs(session, last=5)],
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
    with _session(args) as session:
        runs = [records.run_record(r) for r in queries.crawl_runs(session, last=args.last)]
    if args.json:
        _print_json(runs)
    else:
        _print_runs(runs)
    return 0


def _raw_store_report(session: Session, directory: str) -> dict[str, Any]:
    files, size = raw.store_size(Path(directory)) if directory else (0, 0)
    return {
        "directory": directory or None,
        "files": files,
        "bytes": size,
        "articles_with_page": queries.pages_kept(session),
    }


def cmd_raw(args: argparse.Namespace) -> int:
    with _session(args) as session:
        article = queries.get_article(session, args.key)
        if article is None:
            raise UsageError(f"no article with id or URL {args.key!r}")
        version: Any = article
        if args.revision is not None:
            history = queries.revisions(session, article.id)
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

    with _session(args) as session:
        filters = _filters(args, session)
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
    with _session(args) as session:
        rows = [boilerplate.record(r) for r in boilerplate.learned_paragraphs(session, args.site)]
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


# -- helpers ------------------------------------------------------------------------------


def _default_database_url() -> str:
    # The crawl's own setting, so both always point at the same archive.
    from settings.base import INGEST_DATABASE_URL

    return INGEST_DATABASE_URL


def _raw_dir(args: argparse.Namespace) -> Path:
    if not args.raw_dir:
        raise UsageError("the raw page store is off: set INGEST_RAW_DIR or pass --raw-dir")
    return Path(args.raw_dir)


def _default_raw_dir() -> str:
    from settings.base import INGEST_RAW_DIR

    return INGEST_RAW_DIR


def _require_database_file(url: str) -> None:
    parsed = make_url(url)
    database = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if database and database != ":memory:":
        path = Path(database).expanduser()
        # An empty file too: opening it would write a database header into it.
        if not path.is_file() or path.stat().st_size == 0:
            raise UsageError(f"no archive at {database}: run a crawl or `ingest db upgrade` first")


@contextmanager
def _session(args: argparse.Namespace, *, limited: bool = True) -> Iterator[Session]:
    """Open the archive for reading, refusing one that is missing or behind its migrations;
    ``limited``: every query stops after ``--timeout`` seconds."""
    _require_database_file(args.db)
    engine = make_engine(args.db)
    try:
        with make_sessionmaker(engine)() as session:
            current = revision.revision_of(session.connection())
            if current is None:
                raise UsageError(
                    "the database has no archive yet: run a crawl or `ingest db upgrade`"
                )
            if current != revision.head_revision():
                raise UsageError("the database is behind its migrations; run `ingest db upgrade`")
            with time_limit(session, args.timeout) if limited else nullcontext():
                yield session
    finally:
        engine.dispose()


def _filters(args: argparse.Namespace, session: Session) -> queries.Filters:
    editions = {e.key for p in PROFILES.values() for e in p.editions}
    languages = {e.language for p in PROFILES.values() for e in p.editions}
    for name, value, column, declared in (
        ("site", args.site, Article.site, set(PROFILES)),
        ("edition", args.edition, Article.edition, editions),
        ("language", args.language, Article.language, languages),
    ):
        if value is not None and value not in declared:
            # Also what the archive holds: sites and editions of profiles since removed, and
            # languages that pages declared themselves.
            known = declared | {v for v in queries.distinct_values(session, column) if v}
            if value not in known:
                raise UsageError(f"unknown {name} {value!r}; known: {', '.join(sorted(known))}")
    if args.section is not None:
        sections = {v for v in queries.distinct_values(session, Article.section) if v}
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


def _parse_when(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"bad date {value!r}: use YYYY-MM-DD or an ISO 8601 time"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _date_arg(value: str) -> datetime:
    return _parse_when(value)


def _until_arg(value: str) -> datetime:
    parsed = _parse_when(value)
    # A bare date means the whole day: stop at the next midnight.
    return parsed + timedelta(days=1) if len(value) == 10 and parsed.time() == time(0) else parsed


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    # Beyond a 64-bit integer neither database can take it (SQLite raises OverflowError).
    if not 1 <= number <= queries.MAX_INTEGER:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 1 to {queries.MAX_INTEGER}, got {value!r}"
        )
    return number


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    # A day: beyond it a limit means nothing, and PostgreSQL takes milliseconds as a 32-bit int.
    if not 0 < seconds <= 86_400:
        raise argparse.ArgumentTypeError(f"expected seconds from 0 to 86400, got {value!r}")
    return seconds


def _default_timeout() -> float:
    from settings.base import INGEST_QUERY_TIMEOUT

    return INGEST_QUERY_TIMEOUT


def _brief(article: Article) -> dict[str, Any]:
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


def _print_history(article: Article, history: list[Any]) -> None:
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
