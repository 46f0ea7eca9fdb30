"""Turkish furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    comment_headings=(
        "yorumlar",
        "yorum(?: yap| yaz)?",
        "yorum gönder",
        "bir yorum yazın",
        "yorum yazın",
    ),
    comment_actions=("(?:bir )?yorum (?:yaz|gönder)",),
    comment_words=("yorum",),
    form_labels=("gerekli", "zorunlu", "ad", "isim"),
    share_words=("paylaş",),
    read_more=("ayrıca oku", "devamını oku", "ilgili haber"),
    related_headings=(r"ayrıca\b", r"ilgili\b", "bunlar da"),
    photo_credits=("foto(?:ğraf)?",),
    author_prefixes=("yazan",),
    name_joiners=("ve",),
)
