"""Polish furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    read_more=("czytaj (?:też|także|również|więcej)", "zobacz (?:też|także|również)"),
    related_headings=(r"czytaj (?:też|także)\b", r"zobacz (?:też|także)\b", r"podobne artykuły\b"),
    author_prefixes=("przez",),
    name_joiners=("i",),
)
