"""German furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    read_more=(
        "lesen sie (?:auch|mehr)",
        "mehr zum thema",
        "zum weiterlesen",
        "auch interessant",
        "siehe auch",
    ),
    related_headings=(
        r"ähnliche (?:beiträge|artikel)\b",
        "das könnte sie auch interessieren",
        r"auch interessant\b",
        r"mehr zum thema\b",
        r"weitere (?:artikel|beiträge|aktuelle themen)\b",
        r"schon gelesen\b",
        r"videos zum thema\b",
    ),
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
