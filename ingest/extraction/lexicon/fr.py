"""French furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    read_more=("(?:à )?lire aussi", "(?:à )?voir aussi"),
    related_headings=(r"(?:à )?lire aussi\b", r"sur le même sujet\b", r"articles? similaires?\b"),
    author_prefixes=("par",),
    name_joiners=("et",),
    place_words=("à",),
    name_particles=("de", "du", "la", "le"),
)
