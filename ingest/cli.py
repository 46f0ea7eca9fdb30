"""The ``ingest`` command: search, read, export and watch the article archive.

Every subcommand reads ``--db URL`` or else ``INGEST_DATABASE_URL``, the crawl's own setting.
Output is a table on a terminal and JSON with ``--json``; errors are one line on stderr and a
non-zero exit status (2 for a usage problem, 1 for a database or file problem).

Start-up time counts for a command typed by hand: this module parses the command line and
reports failures; what the subcommands do is ``ingest.cli_commands``, imported once there is
one to run, and what only some of them need (Alembic, pyarrow, warcio) is imported by those.
tests/test_layering.py keeps it that way.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import suppress
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, NoReturn

from ingest.export import FORMATS
from ingest.fields import MAX_INTEGER
from ingest.profiles import PROFILES

if TYPE_CHECKING:
    from collections.abc import Sequence


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
        # The archive's code (SQLAlchemy and all) is imported once there is a command to
        # run: `ingest --help` and a mistyped command line answer without it.
        from ingest.cli_commands import COMMANDS

        status = COMMANDS[args.command](args)
        # Here, not at exit, so that a full disk is reported like any other failure.
        sys.stdout.flush()
        return status
    except UsageError as exc:
        print(f"ingest: error: {exc}", file=sys.stderr)
        return 2
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
    except Exception as exc:
        status = _report_failure(exc)
        if status is None:
            raise
        return status


def _report_failure(exc: Exception) -> int | None:
    """Print a failure of the query or the database as one line and return the exit status;
    None for any other exception, which is a bug and keeps its traceback."""
    # Imported here: whenever one of these can have been raised, its module is loaded already.
    from sqlalchemy.exc import SQLAlchemyError

    from ingest.storage.dialects import QueryTimeout
    from ingest.storage.fulltext import QuerySyntaxError
    from ingest.storage.revision import SeveralHeads

    if isinstance(exc, QuerySyntaxError):
        print(f"ingest: error: {exc}", file=sys.stderr)
        return 2
    if isinstance(exc, QueryTimeout):
        print(f"ingest: error: {exc} (--timeout)", file=sys.stderr)
        return 1
    if isinstance(exc, (SQLAlchemyError, DatabaseProblem, SeveralHeads)):
        message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"ingest: database error: {message}", file=sys.stderr)
        return 1
    return None


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

    listing = sub.add_parser("list", help="newest articles that pass the filters")
    _add_filters(listing)
    _add_limit_json(listing)

    show = sub.add_parser("show", help="one article in full")
    show.add_argument("key", metavar="ID|URL")
    show.add_argument(
        "--history", action="store_true", help="list its earlier versions and what changed"
    )
    show.add_argument("--json", action="store_true")

    export = sub.add_parser("export", help="stream articles to a file, every field")
    _add_filters(export)
    export.add_argument("--format", choices=FORMATS, default="jsonl")
    export.add_argument(
        "--output", "-o", required=True, metavar="FILE", help="a path, or - for stdout"
    )

    stats = sub.add_parser("stats", help="what the archive holds, and the last crawl runs")
    stats.add_argument("--json", action="store_true")

    runs = sub.add_parser("runs", help="the crawl runs, newest first")
    runs.add_argument("--last", type=_positive_int, default=10, metavar="N")
    runs.add_argument("--json", action="store_true")

    page = sub.add_parser("raw", help="the stored page (HTML) an article was made from")
    page.add_argument("key", metavar="ID|URL")
    page.add_argument(
        "--revision", type=_positive_int, metavar="N", help="of its Nth earlier version, oldest 1"
    )
    page.add_argument("--warc", action="store_true", help="the WARC record itself (.warc.gz)")

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
    learned = sub.add_parser("boilerplate", help="paragraphs learned as a site's boilerplate")
    learned.add_argument("--site", help=f"site profile key ({', '.join(PROFILES)})")
    learned.add_argument("--json", action="store_true")

    db = sub.add_parser("db", help="apply or inspect the schema migrations")
    db.add_argument("action", choices=["upgrade", "current", "check"])

    spool = sub.add_parser("spool", help="store what crawls spooled while the database was away")
    spool.add_argument("action", choices=["replay"])
    spool.add_argument("--dir", metavar="DIR", help="spool folder (default: INGEST_SPOOL_DIR)")
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


def _default_database_url() -> str:
    # The crawl's own setting, so both always point at the same archive.
    from settings.base import INGEST_DATABASE_URL

    return INGEST_DATABASE_URL


def _default_raw_dir() -> str:
    from settings.base import INGEST_RAW_DIR

    return INGEST_RAW_DIR


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
    if not 1 <= number <= MAX_INTEGER:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 1 to {MAX_INTEGER}, got {value!r}"
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
