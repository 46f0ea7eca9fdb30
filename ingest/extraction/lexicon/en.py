"""English furniture words."""

from ingest.extraction.lexicon.base import Lexicon

WORDS = Lexicon(
    comment_headings=(
        "comments?",
        "reader comments",
        r"\d+ comments?",
        "leave a (?:comment|reply)",
        "add a comment",
        "post a comment",
        "write a comment",
        "join the discussion",
    ),
    comment_actions=("(?:post|add|write|leave) a (?:comment|reply)",),
    comment_words=("comment",),
    form_labels=(
        "required",
        "name",
        "email",
        "e-mail",
        "your name",
        "your email",
        "comment",
        "send",
        "submit",
    ),
    share_words=("share(?: this)?(?: article)?", "print", "copy link", "copy"),
    read_more=("read (?:more|also)", "also read", "related", "see also"),
    related_headings=(
        r"also in\b",
        r"related\b",
        r"read also\b",
        r"more from\b",
        r"more stories\b",
        "you may also like",
    ),
    photo_credits=("photos?", "photograph", "image", "file photo"),
    bylines=("by", "written by"),
    author_prefixes=("from",),
    times_ago=(r"\d+\s+(?:minutes?|hours?|days?)\s+ago",),
)
