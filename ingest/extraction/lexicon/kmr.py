"""Northern Kurdish (Kurmanci, Latin script) furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    comment_headings=(
        "şîrove",
        "şîroveyan",
        "şîroveyên",
        "şîroveyek binivîse",
        "şîroveyekê binivîse",
        "şîrove binivîse",
    ),
    comment_actions=("şîrove(?:yek|yekê)? binivîse",),
    comment_words=("şîrove",),
    form_labels=("pêwîst", "navê te"),
    share_words=("parve bike",),
    read_more=("bixwîne", "herwiha bixwîne"),
    related_headings=("herwiha", "bi heman mijarê"),
    photo_credits=("wêne",),
)
