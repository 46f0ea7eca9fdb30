"""The safety net against over-pruning: keep trafilatura's own text where ours kept far less.

Our pruning (furniture, related boxes, profile selectors) and cleaning (repeated blocks,
comment sections, widgets, captions) remove what we know to be boilerplate. A wrong guess
about the page's structure can take the article with it: a body inside an element named
"related", a page whose whole text sits in a form. trafilatura alone, on the whole page, is
the yardstick: its text, put through the same cleaning, holds only what is not identified
boilerplate, so when ours is much shorter than that, ours lost article text, and the larger
text is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

# Ours must keep at least this share of the cleaned reference's characters. Not tuned: half
# is where "we removed a few boxes" ends and "we lost the article" begins, and between the
# two a page keeps our text, which is the more precise one.
MIN_KEPT_SHARE = 0.5


def should_fall_back(kept: Sequence[str], reference: Sequence[str]) -> bool:
    """Return whether ``reference`` (trafilatura's text, cleaned as ours was) should replace
    ``kept`` (our pruned and cleaned text)."""
    reference_chars = sum(len(line) for line in reference)
    return sum(len(line) for line in kept) < MIN_KEPT_SHARE * reference_chars
