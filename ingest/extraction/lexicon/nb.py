"""Norwegian (Bokmål) furniture words: so far, only those of bylines."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    author_prefixes=("av",),
    name_joiners=("og",),
)
