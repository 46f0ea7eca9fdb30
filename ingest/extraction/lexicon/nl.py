"""Dutch furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    read_more=("lees (?:ook|meer)",),
    related_headings=(r"lees ook\b", r"gerelateerde artikelen\b"),
    author_prefixes=("door",),
    name_joiners=("en",),
    name_particles=("van", "de", "der", "den"),
)
