"""Spanish furniture words: so far, only those of bylines."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    author_prefixes=("por",),
    name_joiners=("y",),
    name_particles=("de", "del", "la"),
)
