"""Spanish furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    read_more=(
        "lea (?:también|más)",
        "lee (?:también|más)",
        "vea también",
        "ver también",
        "mira",
        "(?:también )?(?:le|te) puede interesar",
        "puedes ver",
    ),
    related_headings=(
        "contenido relacionado",
        r"(?:notas|noticias) relacionadas\b",
        "(?:también )?(?:le|te) puede interesar",
        r"más noticias\b",
    ),
    author_prefixes=("por",),
    name_joiners=("y",),
    name_particles=("de", "del", "la"),
)
