"""French furniture words: so far, only those of bylines."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    author_prefixes=("par",),
    name_joiners=("et",),
    place_words=("à",),
    name_particles=("de", "du", "la", "le"),
)
