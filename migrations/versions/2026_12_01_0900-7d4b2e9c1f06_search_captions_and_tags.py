"""search captions and tags: the full-text index covers the photo caption and the tags too

Revision ID: 7d4b2e9c1f06
Revises: 7d41b2e9a0c3
Create Date: 2026-12-01 09:00:00

A reader searching for a person in the lead photo or for a tag the site gave the story found
nothing when the words were in neither title nor body. The index now holds four fields, each
normalised as before (the folding is copied from the revision that added search, so this one
keeps meaning what it meant):

- SQLite: ``articles_fts`` is rebuilt with the columns title, text, image_caption and tags (the
  tag list's values joined by spaces, read with ``json_each``), kept by triggers as before.
- PostgreSQL: ``search_vector`` is regenerated as title (weight A), caption (C), tags (D), text
  (B). The short fields come before the text: a tsvector position stops at 16,383, and a field
  after a long text would have all its words at that one position, breaking phrases.

Ranking keeps the title above everything else: bm25 weights 10 for the title and 1 for the
other columns (``ingest.storage.queries``), ts_rank_cd's default weights on PostgreSQL. A phrase
never runs from one field into the next on either backend.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7d4b2e9c1f06"
down_revision: str | None = "7d41b2e9a0c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
_TRIGGERS = ("articles_fts_update", "articles_fts_delete", "articles_fts_insert")


def _sqlite_normalised(expression: str) -> str:
    expression = f"coalesce({expression}, '')"
    for source, target in _FOLD.items():
        expression = f"replace({expression}, '{source}', '{target}')"
    for char in _DROP:
        expression = f"replace({expression}, '{char}', '')"
    return expression


def _postgres_normalised(expression: str) -> str:
    sources = "".join(_FOLD) + _DROP
    targets = "".join(_FOLD.values())
    return f"translate(coalesce({expression}, ''), '{sources}', '{targets}')"


def _sqlite_row(row: str, columns: Sequence[str]) -> str:
    """Return ``SELECT <row>.id, <each column indexed> FROM …`` for a trigger's new or old row.

    The tag list is joined in a subquery in FROM: nested inside the normalising replace()
    calls, it overflows SQLite's parser stack in a trigger.
    """
    fields = ", ".join(
        _sqlite_normalised("tag_words.words" if c == "tags" else f"{row}.{c}") for c in columns
    )
    tags = f"(SELECT group_concat(value, ' ') AS words FROM json_each({row}.tags)) AS tag_words"
    return f"SELECT {row}.id, {fields}" + (f" FROM {tags}" if "tags" in columns else "")


def _create_sqlite_fts(columns: Sequence[str]) -> None:
    names = ", ".join(columns)
    op.execute(
        f"CREATE VIRTUAL TABLE articles_fts USING fts5({names}, content='articles',"
        " content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
    )
    insert_new = f"INSERT INTO articles_fts(rowid, {names}) {_sqlite_row('new', columns)};"
    delete_old = (
        f"INSERT INTO articles_fts(articles_fts, rowid, {names})"
        f" SELECT 'delete', * FROM ({_sqlite_row('old', columns)});"
    )
    op.execute(
        f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN {insert_new} END"
    )
    op.execute(
        f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN {delete_old} END"
    )
    op.execute(
        f"CREATE TRIGGER articles_fts_update AFTER UPDATE OF {names} ON articles"
        f" BEGIN {delete_old} {insert_new} END"
    )
    every = ", ".join(
        _sqlite_normalised(
            "(SELECT group_concat(value, ' ') FROM json_each(articles.tags))" if c == "tags" else c
        )
        for c in columns
    )
    op.execute(f"INSERT INTO articles_fts(rowid, {names}) SELECT id, {every} FROM articles")


def _drop_sqlite_fts() -> None:
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS articles_fts")


def _create_postgres_vector(fields: Sequence[tuple[str, str]]) -> None:
    parts = " || ".join(
        f"setweight(to_tsvector('simple'::regconfig, {_postgres_normalised(value)}), '{weight}')"
        for value, weight in fields
    )
    op.execute("DROP INDEX IF EXISTS ix_articles_search_vector")
    op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_vector")
    op.execute(
        f"ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({parts}) STORED"
    )
    op.execute("CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_fts()
        _create_sqlite_fts(("title", "text", "image_caption", "tags"))
    else:
        # jsonb's text form: the tag values, in quotes and brackets the parser skips.
        _create_postgres_vector(
            (("title", "A"), ("image_caption", "C"), ("tags::text", "D"), ("text", "B"))
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_fts()
        _create_sqlite_fts(("title", "text"))
    else:
        _create_postgres_vector((("title", "A"), ("text", "B")))
