"""Furniture words that belong to no language: brand names and symbols."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    form_labels=(r"\*", r"(?:a\s*[+\-]\s*)+"),
    share_words=(
        "facebook",
        "twitter",
        "x",
        "whatsapp",
        "telegram",
        "linkedin",
        "email",
        "messenger",
        "reddit",
    ),
)
