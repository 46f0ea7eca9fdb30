"""Arabic furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    comment_headings=(
        "التعليقات",
        "تعليقات",
        "تعليق",
        "أضف تعليق(?:ا|اً)?",
        "اكتب تعليق(?:ا|اً)?",
        "أضف تعليقك",
        "اترك تعليق(?:ا|اً)?",
    ),
    comment_actions=("(?:أضف|اكتب|اترك) تعليق",),
    comment_words=("تعليق",),
    form_labels=("مطلوب", "الاسم", "البريد الإلكتروني"),
    share_words=("شارك",),
    read_more=("اقرأ (?:أيضا|أيضاً|المزيد)",),
    related_headings=("أيضا في", "أيضاً في", "اقرأ أيضا", "اقرأ أيضاً", "ذات صلة"),
    photo_credits=("صورة", "الصورة"),
    bylines=("بقلم",),
    author_prefixes=("كتب",),
    name_joiners=("و",),
    # Latin spellings of Arabic names keep these lower-case: "Ahmed al Jaber".
    name_particles=("al", "el", "bin", "ibn"),
)
