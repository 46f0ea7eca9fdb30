"""Italian furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    read_more=("leggi anche",),
    related_headings=(r"leggi anche\b", r"articoli correlati\b"),
    name_joiners=("e",),
    name_particles=("da", "di", "del"),
)
