"""What extraction makes of one page, before cleaning.

A module of its own, without trafilatura: extraction workers send an ``Extracted`` to the
crawl process by pickle, which imports the module that defines the class, and the crawl
process, which never extracts a page itself when it has workers, need not load trafilatura
(about 60 modules, 3.5 MB) to read the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Extracted:
    """What one page yields before cleaning; ``lines`` are the body's paragraphs, raw."""

    lines: tuple[str, ...]
    title: str | None
    authors: tuple[str, ...]
    published_at: datetime | None
    modified_at: datetime | None
    section: str | None
    tags: tuple[str, ...]
    language: str | None
    image_url: str | None
    image_caption: str | None
    canonical_url: str | None
    page_type: str | None
    #: trafilatura's own text of the whole, unpruned page (comments left out): what the
    #: over-pruning safety net compares the cleaned text with (``ingest.extraction.fallback``);
    #: empty where pruning cannot have lost enough for the net to act (``may_fall_back``).
    reference_lines: tuple[str, ...] = ()
    #: The lines trafilatura found printed as headings (h1-h6) in the body: the article's own
    #: subheadings, which the header cleaning must not take for section labels.
    headings: frozenset[str] = frozenset()
