"""Central Kurdish (Sorani, Arabic script) furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    comment_headings=(
        "کۆمێنت(?:ەکان)?",
        "لێدوان(?:ەکان)?",
        "بۆچوون(?:ەکان)?",
        "کۆمێنتێک بنووسە",
        "لێدوانێک بنووسە",
        "کۆمێنت بنووسە",
    ),
    comment_actions=("(?:کۆمێنت|لێدوان)(?:ێک)? بنووسە",),
    comment_words=("کۆمێنت", "لێدوان"),
    form_labels=("پێویستە", "داواکراوە", "ناو", "ئیمەیڵ"),
    share_words=("پەیوەندیدار", "هاوبەشی بکە"),
    read_more=("زیاتر بخوێنەوە", "هەروەها بخوێنەوە"),
    related_headings=("ئەمانەش", "هەروەها بخوێنەوە", "پەیوەندیدار"),
    photo_credits=("وێنە",),
    bylines=("نووسینی",),
    name_joiners=("و",),
)
