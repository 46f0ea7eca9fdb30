"""Italian furniture words: so far, only those of bylines."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    name_joiners=("e",),
    name_particles=("da", "di", "del"),
)
