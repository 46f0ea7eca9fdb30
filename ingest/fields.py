"""The fields of a stored article, declared once.

Everything that lists an article's fields is made from ``ARTICLE``: the ``articles`` table's
columns (``ingest.storage.tables.articles``), the item extraction fills
(``ingest.items.ArticleItem``), the columns an upsert writes (``ingest.storage.repository``),
and the fields of exports and ``ingest show --json`` (``ingest.records``). Adding a column
is a row here plus a migration. No SQLAlchemy here: spawned extraction workers import the
item, and must stay light.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from types import NoneType, UnionType
from typing import Any, Literal, get_args, get_origin


class Role(enum.StrEnum):
    """What a field is for, which decides where it appears."""

    #: The article's identity: on the item, the row's unique key, exported; never updated.
    KEY = "key"
    #: What extraction yields: on the item, written by every upsert (a re-crawl may change
    #: it), exported.
    CONTENT = "content"
    #: Kept by the store itself (when seen, the content's hash): exported, not on the item.
    RECORD = "record"
    #: Where the raw page store keeps the page (``ingest.raw``): on the item and the row, not
    #: exported.
    RAW = "raw"


Kind = Literal["text", "list", "time", "int"]


@dataclass(frozen=True, slots=True)
class Field:
    """One field: its name, its Python type (``X | None``: optional), and how it is stored.

    ``size``: a string's column size (``String(size)``; none: ``Text``), or 8 for an
    integer that needs 64 bits. ``repr``: shown in the item's repr (Scrapy logs dropped
    items; a whole body does not belong in a log line).
    """

    name: str
    type: Any
    role: Role
    size: int | None = None
    index: bool = False
    unique: bool = False
    repr: bool = True

    @property
    def optional(self) -> bool:
        return isinstance(self.type, UnionType) and NoneType in get_args(self.type)

    @property
    def kind(self) -> Kind:
        members = get_args(self.type) if isinstance(self.type, UnionType) else (self.type,)
        base = next(t for t in members if t is not NoneType)
        if get_origin(base) is list:
            return "list"
        if base is datetime:
            return "time"
        return "int" if base is int else "text"


K, C, R, W = Role.KEY, Role.CONTENT, Role.RECORD, Role.RAW

#: The fields of an article, in the order of exports and ``show --json`` (append only: the
#: README documents the order). Their meanings:
#:
#: - ``url``/``canonical_url``: normalised (``ingest.urls.normalise_url``) whoever builds the
#:   item, so that the same page is always stored under the same key, with or without a
#:   canonical link.
#: - ``language``: the page's language code (``en``, ``ckb``, ``ar``, ``ku``, ``tr``).
#: - ``section``: the human section label shown on the page ("Iraq").
#: - ``text``: the clean body, one paragraph per line joined by ``"\n"``.
#: - ``lead``: the first paragraph of ``text`` (the standfirst or dateline paragraph).
#: - ``authors``: names only, in page order; ``["Rudaw"]`` when the byline is the outlet.
#: - ``published_at``/``modified_at``: the publisher's own times, timezone-aware UTC.
#: - ``image_caption``: the lead photo's caption, never part of ``text``.
#: - ``content_hash``: sha256 of the title and text; a re-crawl with the same hash is no
#:   change.
ARTICLE: tuple[Field, ...] = (
    Field("url", str, C, index=True),
    Field("canonical_url", str, K, unique=True),
    Field("site", str, C, size=64, index=True),
    Field("edition", str | None, C, size=64, index=True),
    Field("language", str | None, C, size=16, index=True),
    Field("section", str | None, C, size=200, index=True),
    Field("title", str, C),
    Field("lead", str | None, C),
    Field("text", str, C, repr=False),
    Field("authors", list[str], C),
    Field("published_at", datetime | None, C, index=True),
    Field("modified_at", datetime | None, C),
    Field("tags", list[str], C),
    Field("image_url", str | None, C),
    Field("image_caption", str | None, C),
    Field("content_hash", str, R, size=64),
    Field("first_seen_at", datetime, R),
    Field("last_seen_at", datetime, R),
    Field("warc_file", str | None, W, size=255),
    Field("warc_offset", int | None, W, size=8),
    Field("warc_length", int | None, W),
    Field("warc_digest", str | None, W, size=64),
)

#: The largest id or count either backend stores (a signed 64-bit integer).
MAX_INTEGER = 2**63 - 1


def names(*roles: Role) -> tuple[str, ...]:
    """Return the names of the article fields with one of these roles, in order."""
    return tuple(f.name for f in ARTICLE if f.role in roles)
