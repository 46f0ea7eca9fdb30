"""What a language's lexicon holds: the words page furniture is printed in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Regular-expression fragments, matched case-insensitively, one tuple per kind of furniture.

    These are the word lists that remain where structure cannot tell: a comment heading left
    after its form was removed, a "Read more:" line between paragraphs, a photo credit. Comment
    sections themselves are found by structure (``ingest.extraction.comments``).
    """

    #: A whole line that heads a comment section: "Comments", "Yorumlar".
    comment_headings: tuple[str, ...] = ()
    #: The start of a line that can only be the comment form's: "Post a comment".
    comment_actions: tuple[str, ...] = ()
    #: A word a comment policy cannot avoid.
    comment_words: tuple[str, ...] = ()
    #: A whole line that is a form label: "Required", "Name".
    form_labels: tuple[str, ...] = ()
    #: Words of a share bar: "Share this article", "Paylaş".
    share_words: tuple[str, ...] = ()
    #: The label of an inline link to another story: "Read more: <headline>".
    read_more: tuple[str, ...] = ()
    #: The start of a related-links box heading: "Also in Iraq".
    related_headings: tuple[str, ...] = ()
    #: The word before a photo credit: "Photo: Rudaw".
    photo_credits: tuple[str, ...] = ()
    #: The word before an author's name in a byline: "By".
    bylines: tuple[str, ...] = ()
    #: Words before an author's name in an author field only ("From Reuters"), on top of
    #: ``bylines``: as the first line of a body they would be text ("From Monday, …").
    author_prefixes: tuple[str, ...] = ()
    #: The word between two names in a byline: "and", "und".
    name_joiners: tuple[str, ...] = ()
    #: The word before a place after a name in a byline: "in" ("Jane Doe in Erbil").
    place_words: tuple[str, ...] = ()
    #: Plain words (not patterns), lower-case: a role or a CMS account, never a person's name:
    #: "correspondent", "redaktion", "admin".
    roles: tuple[str, ...] = ()
    #: Plain words, lower-case: the particles a person's name holds in lower case: "von".
    name_particles: tuple[str, ...] = ()
    #: A relative time printed above the body: "3 hours ago".
    times_ago: tuple[str, ...] = ()
