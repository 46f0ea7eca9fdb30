"""Portuguese furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    read_more=("leia (?:também|mais)", "veja também", "saiba mais"),
    related_headings=(r"(?:notícias|matérias) relacionadas\b", r"leia também\b", r"veja também\b"),
    author_prefixes=("por",),
    name_joiners=("e",),
    place_words=("em",),
    name_particles=("da", "de"),
)
