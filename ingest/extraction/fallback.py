"""The safety net against over-pruning: keep trafilatura's own text where ours kept far less.

Our pruning (furniture, related boxes, profile selectors) and cleaning (repeated blocks,
comment sections, widgets, captions) remove what we know to be boilerplate. A wrong guess
about the page's structure can take the article with it: a body inside an element named
"related", a page whose whole text sits in a form. trafilatura alone, on the whole page, is
the yardstick: its text, put through the same cleaning, holds only what is not identified
boilerplate, so when ours is much shorter than that, ours lost article text, and the larger
text is kept.

The yardstick costs a second trafilatura run, so extraction computes it only where the rule
could pick it (``may_fall_back``): on most pages ours is too long for any reference to be
twice as long (about 60 % of the dev corpora's pages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ingest.extraction.paragraphs import PROSE_CHARS, paragraph_key

if TYPE_CHECKING:
    from collections.abc import Sequence

# Ours must keep at least this share of the cleaned reference's characters. Not tuned: half
# is where "we removed a few boxes" ends and "we lost the article" begins, and between the
# two a page keeps our text, which is the more precise one.
MIN_KEPT_SHARE = 0.5


def should_fall_back(kept: Sequence[str], reference: Sequence[str]) -> bool:
    """Return whether ``reference`` (trafilatura's text, cleaned as ours was) should replace
    ``kept`` (our pruned and cleaned text).

    Either ours is less than half as long as the reference, or ours holds no paragraph where
    the reference does, and less than half of it: pruning made trafilatura settle on another
    block of the page (a league table in place of the match report) than the one it finds
    on the page as served.
    """
    kept_chars = sum(len(line) for line in kept)
    reference_chars = sum(len(line) for line in reference)
    if kept_chars < MIN_KEPT_SHARE * reference_chars:
        return True
    if _holds_paragraph(kept) or not _holds_paragraph(reference):
        return False
    ours = {paragraph_key(line) for line in kept}
    shared = sum(len(line) for line in reference if paragraph_key(line) in ours)
    return shared < MIN_KEPT_SHARE * reference_chars


def may_fall_back(kept: Sequence[str], page_chars: int) -> bool:
    """Return whether a reference could replace ``kept``, our text before cleaning.

    The reference is trafilatura's text of the page, which drops navigation, footers,
    scripts and styles as our pruning does: it is at most ``page_chars``, the page's text
    without them. So where ours holds at least ``MIN_KEPT_SHARE`` of that, no reference can
    be long enough to replace it (both sides are compared before cleaning, which shortens
    them alike); only a text of ours without a paragraph can still be the wrong block.
    """
    return sum(map(len, kept)) < MIN_KEPT_SHARE * page_chars or not _holds_paragraph(kept)


def _holds_paragraph(lines: Sequence[str]) -> bool:
    """Return whether a text has a line of a sentence's length: a table's cells, a list of
    labels and figures have none. Told by length alone, not by a full stop, which some
    scripts (Thai, Lao, Khmer) do not write."""
    return any(len(line) >= PROSE_CHARS for line in lines)
