"""add full-text search, article revisions and crawl runs

Revision ID: 5c2e1d7a9b30
Revises: abf18f568f14
Create Date: 2026-11-25 20:00:00

Rules for every migration of this project:
- it must work with the previous release's code still running (add first, drop later);
- renames and drops ship in two releases;
- data migrations are separate revisions from schema changes;
- it must run on SQLite (batch mode) and PostgreSQL alike.

Full-text search indexes a normalised form of title and text, so that Arabic-script spelling
variants match: ي/ى→ی, ك→ک, ە/ۀ→ه, أ/إ/آ→ا, Turkish İ/ı→I/i, and harakat, tatweel and zero-width (non-)joiners
dropped. The same folding is ``ingest.storage.fulltext.normalise`` for queries; it is copied
here (not imported) so this revision keeps meaning what it meant when it was written.

- SQLite: FTS5 external-content table ``articles_fts`` (columns title, text; rowid = articles.id)
  kept in sync by triggers. Rebuild it with the INSERT … SELECT below, never with FTS5's
  'rebuild' command, which would index the raw, unnormalised text.
- PostgreSQL: generated ``articles.search_vector`` (title weight A, text weight B, 'simple'
  configuration: no stemming, like FTS5's unicode61) with a GIN index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5c2e1d7a9b30"
down_revision: str | None = "abf18f568f14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_FOLD = {
    "ي": "ی",
    "ى": "ی",
    "ك": "ک",
    "ە": "ه",
    "ۀ": "ه",
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "İ": "I",
    "ı": "i",
}
_DROP = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640\u200b\u200c\u200d\u00ad"


def _sqlite_normalised(column: str) -> str:
    expression = f"coalesce({column}, '')"
    for source, target in _FOLD.items():
        expression = f"replace({expression}, '{source}', '{target}')"
    for char in _DROP:
        expression = f"replace({expression}, '{char}', '')"
    return expression


def _postgres_normalised(column: str) -> str:
    sources = "".join(_FOLD) + _DROP
    targets = "".join(_FOLD.values())
    return f"translate(coalesce({column}, ''), '{sources}', '{targets}')"


def upgrade() -> None:
    op.create_table(
        "article_revisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("modified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_revisions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_revisions")),
    )
    op.create_index(op.f("ix_article_revisions_article_id"), "article_revisions", ["article_id"])
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("spider", sa.String(length=64), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finish_reason", sa.String(length=64), nullable=True),
        sa.Column("pages_fetched", sa.Integer(), nullable=False),
        sa.Column("articles_new", sa.Integer(), nullable=False),
        sa.Column("articles_updated", sa.Integer(), nullable=False),
        sa.Column("articles_unchanged", sa.Integer(), nullable=False),
        sa.Column("items_dropped", _JSON, nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("stats", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    op.create_index(op.f("ix_crawl_runs_started_at"), "crawl_runs", ["started_at"])
    op.create_index(op.f("ix_articles_edition"), "articles", ["edition"])
    op.create_index(op.f("ix_articles_language"), "articles", ["language"])
    op.create_index(op.f("ix_articles_section"), "articles", ["section"])

    if op.get_bind().dialect.name == "sqlite":
        _create_sqlite_fts()
    else:
        _create_postgres_fts()


def _create_sqlite_fts() -> None:
    new_title, new_text = _sqlite_normalised("new.title"), _sqlite_normalised("new.text")
    old_title, old_text = _sqlite_normalised("old.title"), _sqlite_normalised("old.text")
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles',"
        " content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
    )
    insert_new = (
        f"INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, {new_title}, {new_text});"
    )
    delete_old = (
        "INSERT INTO articles_fts(articles_fts, rowid, title, text)"
        f" VALUES ('delete', old.id, {old_title}, {old_text});"
    )
    op.execute(
        f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN {insert_new} END"
    )
    op.execute(
        f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN {delete_old} END"
    )
    op.execute(
        "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles"
        f" BEGIN {delete_old} {insert_new} END"
    )
    op.execute(
        "INSERT INTO articles_fts(rowid, title, text)"
        f" SELECT id, {_sqlite_normalised('title')}, {_sqlite_normalised('text')} FROM articles"
    )


def _create_postgres_fts() -> None:
    op.execute(
        "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('simple'::regconfig, {_postgres_normalised('title')}), 'A') || "
        f"setweight(to_tsvector('simple'::regconfig, {_postgres_normalised('text')}), 'B')"
        ") STORED"
    )
    op.execute("CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("articles_fts_update", "articles_fts_delete", "articles_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_articles_search_vector")
        op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_vector")
    op.drop_index(op.f("ix_articles_section"), table_name="articles")
    op.drop_index(op.f("ix_articles_language"), table_name="articles")
    op.drop_index(op.f("ix_articles_edition"), table_name="articles")
    op.drop_index(op.f("ix_crawl_runs_started_at"), table_name="crawl_runs")
    op.drop_table("crawl_runs")
    op.drop_index(op.f("ix_article_revisions_article_id"), table_name="article_revisions")
    op.drop_table("article_revisions")
