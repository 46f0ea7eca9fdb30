"""Per-site boilerplate in the database: learn it from stored articles, re-clean what it soiled.

Boilerplate is paragraphs and title parts (the outlet's name around every headline).

Learning reads the texts of a site's latest articles (``window`` per edition: the current
template is what matters, and the cost stays bounded however large the archive grows), counts
each paragraph once per article (``ingest.extraction.site_boilerplate``), and stores the
paragraphs found to be boilerplate. Articles stored before a paragraph crossed the thresholds
still carry it: they are re-cleaned the moment it is learned, so the archive converges on the
text a crawl would store today. A re-clean is our cleaning, not the site's edit, so it makes no
revision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select, update

from ingest.extraction.site_boilerplate import (
    RECURS,
    count_editions,
    learn,
    paragraph_hash,
    strip_learned,
    strip_learned_title,
)
from ingest.storage.models import Article, BoilerplateParagraph
from ingest.storage.repository import content_hash
from ingest.storage.tables import boilerplate_paragraphs

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

    from sqlalchemy import Connection, Row
    from sqlalchemy.orm import Session

    from ingest.extraction.site_boilerplate import Finding

# Rows re-cleaned per UPDATE statement.
_BATCH = 500


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a recurring paragraph counts as boilerplate (see ``settings/base.py``)."""

    min_articles: int
    min_share: float
    window: int


def load_learned(session: Session) -> dict[tuple[str, str], frozenset[str]]:
    """Return the learned digests per (site, edition); edition "" is a site without editions.

    A database not yet migrated to the table has learned nothing.
    """
    if not inspect(session.connection()).has_table(boilerplate_paragraphs.name):
        return {}
    learned: dict[tuple[str, str], set[str]] = {}
    rows = session.execute(
        select(BoilerplateParagraph.site, BoilerplateParagraph.edition, BoilerplateParagraph.digest)
    )
    for site, edition, digest in rows:
        learned.setdefault((site, edition), set()).add(digest)
    return {key: frozenset(digests) for key, digests in learned.items()}


def learn_site(session: Session, site: str, thresholds: Thresholds) -> tuple[int, int]:
    """Learn a site's boilerplate from its stored articles and re-clean them of what is new.

    Returns the number of paragraphs newly learned and of articles re-cleaned.
    """
    known: dict[str, set[str]] = {}
    places: dict[str, set[int]] = {}
    for edition, digest, position, rule in session.execute(
        select(
            BoilerplateParagraph.edition,
            BoilerplateParagraph.digest,
            BoilerplateParagraph.position,
            BoilerplateParagraph.rule,
        ).where(BoilerplateParagraph.site == site)
    ):
        known.setdefault(edition, set()).add(digest)
        if rule == RECURS:
            places.setdefault(edition, set()).add(position)
    editions = count_editions(_latest_texts(session, site, thresholds.window))
    found = learn(
        editions,
        known,
        places,
        min_articles=thresholds.min_articles,
        min_share=thresholds.min_share,
    )
    if not found:
        return 0, 0
    held, recleaned = _reclean(session, site, found)
    now = datetime.now(UTC)
    for finding in found:
        session.add(
            BoilerplateParagraph(
                site=site,
                edition=finding.edition,
                digest=finding.digest,
                articles=finding.articles,
                out_of=finding.out_of,
                position=finding.position,
                rule=finding.rule,
                sample=finding.sample,
                learned_at=now,
                recleaned=held.get(finding.digest, 0),
            )
        )
    return len(found), recleaned


def learned_paragraphs(db: Connection | Session, site: str | None = None) -> list[Row[Any]]:
    """Return what was learned, per site and edition, most widespread first (rows of
    ``boilerplate_paragraphs``: ``ingest boilerplate`` reads them without the ORM)."""
    table = boilerplate_paragraphs
    query = select(table).order_by(
        table.c.site, table.c.edition, table.c.articles.desc(), table.c.id
    )
    if site is not None:
        query = query.where(table.c.site == site)
    return list(db.execute(query))


def record(row: Row[Any]) -> dict[str, object]:
    """Return a learned paragraph as plain values (``ingest boilerplate --json``)."""
    return {
        "site": row.site,
        "edition": row.edition or None,
        "articles": row.articles,
        "out_of": row.out_of,
        "position": row.position,
        "rule": row.rule,
        "sample": row.sample,
        "learned_at": row.learned_at.isoformat(),
        "recleaned": row.recleaned,
    }


def _edition_filter(edition: str) -> object:
    return Article.edition.is_(None) if edition == "" else Article.edition == edition


def _latest_texts(session: Session, site: str, window: int) -> Iterator[tuple[str, str, str]]:
    """Yield (edition, title, text) of the ``window`` latest-seen articles of each edition."""
    editions = session.scalars(select(Article.edition).where(Article.site == site).distinct())
    for edition in [e or "" for e in editions]:
        rows = session.execute(
            select(Article.title, Article.text)
            .where(Article.site == site, _edition_filter(edition))
            .order_by(Article.last_seen_at.desc(), Article.id.desc())
            .limit(window)
        )
        for title, text in rows:
            yield edition, title, text


def _reclean(session: Session, site: str, found: Collection[Finding]) -> tuple[dict[str, int], int]:
    """Strip newly learned paragraphs and title parts from every stored article of their editions.

    Returns how many articles held each digest, and how many articles changed. Rows are read
    a page at a time by id, so that no cursor stays open while they are updated.
    """
    per_edition: dict[str, set[str]] = {}
    for finding in found:
        per_edition.setdefault(finding.edition, set()).add(finding.digest)
    held: dict[str, int] = {}
    changed = 0
    for edition, digests in per_edition.items():
        last_id = 0
        while True:
            rows = session.execute(
                select(Article.id, Article.title, Article.text)
                .where(Article.site == site, _edition_filter(edition), Article.id > last_id)
                .order_by(Article.id)
                .limit(_BATCH)
            ).all()
            if not rows:
                break
            last_id = rows[-1].id
            updates = []
            for article_id, title, text in rows:
                lines = text.split("\n")
                kept = strip_learned(lines, digests)
                new_title, affixes = strip_learned_title(title, digests)
                if len(kept) == len(lines) and not affixes:
                    continue
                for digest in ({paragraph_hash(x) for x in lines} & digests) | set(affixes):
                    held[digest] = held.get(digest, 0) + 1
                cleaned = "\n".join(kept)
                updates.append(
                    {
                        "id": article_id,
                        "title": new_title,
                        "text": cleaned,
                        "lead": kept[0] if kept else None,
                        "content_hash": content_hash(new_title, cleaned),
                    }
                )
            if updates:
                session.execute(update(Article), updates)
                changed += len(updates)
    return held, changed
