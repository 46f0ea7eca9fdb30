"""search head: a small vector of title, caption and tags, kept in the row, to rank matches by

Revision ID: 4e8a1c6f2b95
Revises: 7d2f4b9e1a63
Create Date: 2026-12-02 09:00:00

Rules for every migration of this project:
- it must work with the previous release's code still running (add first, drop later);
- renames and drops ship in two releases;
- data migrations are separate revisions from schema changes;
- it must run on SQLite (batch mode) and PostgreSQL alike.

PostgreSQL only. Ranking every match of a common word by ``ts_rank_cd(search_vector, …)``
read each match's whole vector, ~5 kB kept out of line in TOAST: one second for a word in
half of 200,000 articles. The generated column ``search_head`` holds the short fields only,
weighted as in ``search_vector`` (title A, caption C, tags D, normalised the same way), a few
hundred bytes. Its storage is MAIN, so that it stays in the row, next to the columns a search
filters on, rather than being moved out of line with the text: ``ingest.storage.dialects.
postgresql`` orders the matches by it and ranks only the best of them over the whole vector.
No index: it is read from the rows the GIN index on ``search_vector`` finds.

Adding a stored generated column rewrites ``articles`` (its rows, not the out-of-line text and
vectors): 2.5 min for 200,000 articles on 2 cores. SQLite's ranking (bm25 over FTS5) needs no
such column: nothing changes there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "4e8a1c6f2b95"
down_revision: str | None = "7d2f4b9e1a63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The folding of revision 5c2e1d7a9b30, copied so that this revision keeps meaning what it
# meant: the head must hold the same words as search_vector.
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
# jsonb's text form for the tags: the values, in quotes and brackets the parser skips.
_FIELDS = (("title", "A"), ("image_caption", "C"), ("tags::text", "D"))


def _normalised(expression: str) -> str:
    sources = "".join(_FOLD) + _DROP
    targets = "".join(_FOLD.values())
    return f"translate(coalesce({expression}, ''), '{sources}', '{targets}')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    parts = " || ".join(
        f"setweight(to_tsvector('simple'::regconfig, {_normalised(value)}), '{weight}')"
        for value, weight in _FIELDS
    )
    # One statement: the storage is set before the rewrite that fills the column.
    op.execute(
        f"ALTER TABLE articles ADD COLUMN search_head tsvector GENERATED ALWAYS AS ({parts})"
        " STORED, ALTER COLUMN search_head SET STORAGE MAIN"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    op.execute("ALTER TABLE articles DROP COLUMN search_head")
