"""The ``ingest`` command: manage and query the article archive."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from alembic import command
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError

from ingest.storage import migrate

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

logger = logging.getLogger(__name__)


class UsageError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


def _default_database_url() -> str:
    # The crawl's own setting, so both always point at the same archive.
    from settings.base import INGEST_DATABASE_URL

    return INGEST_DATABASE_URL


def cmd_db(args: argparse.Namespace) -> int:
    if args.action == "upgrade":
        migrate.upgrade(args.db)
        print(f"database at revision {migrate.current_revision(args.db)} (head)")
    elif args.action == "current":
        current = migrate.current_revision(args.db)
        head = migrate.head_revision()
        state = "up to date" if current == head else f"behind head {head}"
        print(f"{current or 'empty (no migrations applied)'}: {state}")
    elif args.action == "check":
        if not migrate.is_up_to_date(args.db):
            raise UsageError("the database is behind its migrations; run `ingest db upgrade`")
        command.check(migrate.alembic_config(args.db))
        print("database is at head and matches the models")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ingest", description=__doc__)
    parser.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="database URL (default: INGEST_DATABASE_URL, else the project's SQLite file)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="apply or inspect migrations")
    db.add_argument("action", choices=["upgrade", "current", "check"])
    db.set_defaults(func=cmd_db)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = args.db or _default_database_url()
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except UsageError as exc:
        print(f"ingest: error: {exc}", file=sys.stderr)
        return 2
    except (SQLAlchemyError, CommandError) as exc:
        message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"ingest: database error: {message}", file=sys.stderr)
        return 1
