"""Dutch furniture words: so far, only those of bylines."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    author_prefixes=("door",),
    name_joiners=("en",),
    name_particles=("van", "de", "der", "den"),
)
