"""German furniture words: so far, only those of bylines."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    photo_credits=("foto", "bild"),
    author_prefixes=("von", "autor(?:in)?", "text"),
    name_joiners=("und",),
    place_words=("in", "aus"),
    roles=(
        "redaktion",
        "redakteur",
        "redakteurin",
        "korrespondent",
        "korrespondentin",
        "autor",
        "autorin",
    ),
    name_particles=("von", "zu"),
)
