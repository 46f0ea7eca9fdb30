"""Boilerplate a site teaches us: paragraphs that come back on many of its articles.

A moderation policy, a "follow us" line, a newsletter plug or a copyright line is printed
under every article of a site, in wording no word list can foresee. What gives it away is that
it recurs: a paragraph found on many distinct articles of one site and edition, and on a good
share of them, is not any one article's text. Both thresholds are needed: the count so that a
young site does not learn from three pages, the share so that a quote two stories share (or a
weekly column's sign-off on a busy site) survives.

Editions of one site use one template, so its boilerplate sits in the same place of the page
in every language: a paragraph that recurs in one edition at the place (counted from the end of
the text) where another edition's learned boilerplate sits is boilerplate too, even where that
edition has too few articles to reach the thresholds on its own.

Titles teach the same way: a first or last title part ("… | The Morning Ledger") that recurs
on many of an edition's articles is the outlet's name or a fixed label, whatever the outlet is
called and whether or not the page says so in ``og:site_name``; it is cut from the titles.

Pure functions: the counts are read from and written to the database by
``ingest.storage.boilerplate``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ingest.extraction.paragraphs import paragraph_key
from ingest.extraction.titles import outer_parts

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

#: Why a paragraph was learned: it recurs in its own edition, or it recurs where another
#: edition's boilerplate sits.
RECURS = "recurs"
CROSS_EDITION = "cross-edition"
#: Why a title part was learned: it ends, or starts, the titles of many of the edition's articles.
TITLE_SUFFIX = "title-suffix"
TITLE_PREFIX = "title-prefix"
# A paragraph must recur at least this often in its own edition to be taken for another
# edition's boilerplate by its place: once is every article's last line.
_CROSS_EDITION_MIN_ARTICLES = 2


def paragraph_hash(paragraph: str) -> str:
    """Return a short, stable digest of a paragraph's normalised form (see ``paragraph_key``)."""
    return hashlib.sha256(paragraph_key(paragraph).encode()).hexdigest()[:16]


def strip_learned(lines: Sequence[str], learned: Collection[str]) -> list[str]:
    """Return the lines whose digest is not among the ``learned`` boilerplate digests."""
    if not learned:
        return list(lines)
    return [line for line in lines if paragraph_hash(line) not in learned]


def affix_hash(rule: str, part: str) -> str:
    """Return the digest of a title part learned under ``rule`` (never a paragraph's)."""
    return paragraph_hash(f"{rule}\n{part}")


def strip_learned_title(title: str, learned: Collection[str]) -> tuple[str, list[str]]:
    """Return the title without its learned last and first parts, and their digests.

    A title that would be left empty keeps its parts."""
    removed = []
    _, suffix = outer_parts(title)
    if suffix and suffix[0] and (digest := affix_hash(TITLE_SUFFIX, suffix[1])) in learned:
        title = suffix[0]
        removed.append(digest)
    prefix, _ = outer_parts(title)
    if prefix and prefix[1] and (digest := affix_hash(TITLE_PREFIX, prefix[0])) in learned:
        title = prefix[1]
        removed.append(digest)
    return title, removed


@dataclass(frozen=True, slots=True)
class Finding:
    """A paragraph or title part learned as boilerplate of one edition of a site."""

    edition: str
    digest: str
    articles: int
    out_of: int
    position: int
    rule: str
    sample: str


@dataclass(slots=True)
class EditionCounts:
    """Distinct-article counts of the paragraphs and title parts of one edition's articles.

    ``position`` is where a paragraph stood, counted from the end of its article's text
    (-1: the last line); the most frequent place is kept. ``affixes`` counts the first and
    last title parts, by ``affix_hash``; ``affix_rules`` says which of the two each is.
    """

    articles: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    positions: dict[str, Counter[int]] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)
    affixes: Counter[str] = field(default_factory=Counter)
    affix_rules: dict[str, str] = field(default_factory=dict)

    def add_title(self, title: str) -> None:
        """Count the first and last parts of one article's title (call after ``add``)."""
        prefix, suffix = outer_parts(title)
        for rule, part in (
            (TITLE_PREFIX, prefix and prefix[0]),
            (TITLE_SUFFIX, suffix and suffix[1]),
        ):
            if part:
                digest = affix_hash(rule, part)
                self.affixes[digest] += 1
                self.affix_rules[digest] = rule
                self.samples.setdefault(digest, part)

    def add(self, lines: Sequence[str]) -> None:
        """Count one article: each of its paragraphs once, however often it prints it, at the
        place of its last printing."""
        self.articles += 1
        seen: set[str] = set()
        for position, line in zip(range(-1, -len(lines) - 1, -1), reversed(lines), strict=True):
            digest = paragraph_hash(line)
            if digest in seen:
                continue
            seen.add(digest)
            self.counts[digest] += 1
            self.positions.setdefault(digest, Counter())[position] += 1
            self.samples.setdefault(digest, line)

    def position(self, digest: str) -> int:
        return self.positions[digest].most_common(1)[0][0]


def learn(
    editions: dict[str, EditionCounts],
    known: dict[str, set[str]],
    places: dict[str, set[int]],
    *,
    min_articles: int,
    min_share: float,
) -> list[Finding]:
    """Return the paragraphs and title parts of one site newly found to be boilerplate.

    ``known`` holds each edition's digests already learned (not found again); ``places`` the
    places of each edition's paragraphs learned by recurrence. A paragraph of another edition
    in such a place needs only to recur twice, not ``min_articles`` times, but it must still
    reach ``min_share``: the place stands in for the count, not for the share, so that a quote
    two stories of a large edition end with is not taken.
    """
    found: list[Finding] = []
    for edition, counts in editions.items():
        for digest, articles in counts.counts.items():
            if digest in known.get(edition, set()):
                continue
            if articles >= min_articles and articles / counts.articles >= min_share:
                found.append(_finding(edition, digest, counts, RECURS))
    places = {edition: set(p) for edition, p in places.items()}
    for finding in found:
        places.setdefault(finding.edition, set()).add(finding.position)
    for edition, counts in editions.items():
        elsewhere = set().union(*(p for e, p in places.items() if e != edition))
        taken = known.get(edition, set()) | {f.digest for f in found if f.edition == edition}
        for digest, articles in counts.counts.items():
            if (
                digest in taken
                or articles < _CROSS_EDITION_MIN_ARTICLES
                or articles / counts.articles < min_share
            ):
                continue
            # The paragraph must stand in that place in every article it is in.
            place, times = counts.positions[digest].most_common(1)[0]
            if place in elsewhere and times == articles:
                found.append(_finding(edition, digest, counts, CROSS_EDITION))
    for edition, counts in editions.items():
        for digest, articles in counts.affixes.items():
            if digest in known.get(edition, set()):
                continue
            if articles >= min_articles and articles / counts.articles >= min_share:
                found.append(_affix_finding(edition, digest, counts))
    return found


def _finding(edition: str, digest: str, counts: EditionCounts, rule: str) -> Finding:
    return Finding(
        edition=edition,
        digest=digest,
        articles=counts.counts[digest],
        out_of=counts.articles,
        position=counts.position(digest),
        rule=rule,
        sample=counts.samples[digest],
    )


def _affix_finding(edition: str, digest: str, counts: EditionCounts) -> Finding:
    return Finding(
        edition=edition,
        digest=digest,
        articles=counts.affixes[digest],
        out_of=counts.articles,
        position=0,
        rule=counts.affix_rules[digest],
        sample=counts.samples[digest],
    )


def count_editions(articles: Iterable[tuple[str, str, str]]) -> dict[str, EditionCounts]:
    """Return the paragraph and title-part counts per edition of ``(edition, title, text)``."""
    editions: dict[str, EditionCounts] = {}
    for edition, title, text in articles:
        counts = editions.setdefault(edition, EditionCounts())
        counts.add([x for x in text.split("\n") if x])
        counts.add_title(title)
    return editions
