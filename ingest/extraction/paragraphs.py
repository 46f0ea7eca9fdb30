"""Keep each paragraph of an article once: pages often carry the body twice (mobile and desktop copies)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

_QUOTES = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "«": '"',
        "»": '"',
        "″": '"',
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‹": "'",
        "›": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,
    }
)
# Most lines hold none of these, and str.translate walks every character through a dict:
# one search for them is several times cheaper on the common line.
_QUOTES_RE = re.compile("[" + re.escape("".join(map(chr, _QUOTES))) + "]")
_ELLIPSIS_RE = re.compile(r"\s*(?:…|\.\.\.+|\[…\]|\[\.\.\.\])\s*$")
# A truncated copy must keep at least this much of the paragraph to count as one: shorter
# prefixes ("He said", a one-word label) start distinct paragraphs too often.
MIN_TRUNCATED_CHARS = 40


# Every cleaning stage keys the same lines of the page in hand (repeats, boilerplate,
# captions, learned digests, the safety net's reference): one page's lines fit many times over.
@lru_cache(maxsize=4096)
def paragraph_key(paragraph: str) -> str:
    """Return the form two copies of a paragraph share: Unicode-normalised, quotes unified,
    invisible characters dropped, whitespace collapsed, case folded."""
    text = unicodedata.normalize("NFKC", paragraph)
    if not text.isascii() and _QUOTES_RE.search(text):
        text = text.translate(_QUOTES)
    return " ".join(text.split()).casefold()


# A paragraph this long is prose. The lines that legitimately come back in an article (a
# recipe's "1 cup blueberries", a refrain, a meal plan's "Lunch: lentil soup", a table cell)
# are list items, not prose; a page that prints its body twice repeats prose.
PROSE_CHARS = 60


def dedupe_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Return the paragraphs without what the page printed twice, each kept at its first position.

    What goes is a copy of a block: a run of consecutive repeats holding prose (the doubled
    body of mobile and desktop copies, a "read more" expansion), the lead printed again (as a
    summary or teaser), a prose paragraph printed twice in a row, and a truncated copy: one
    whose key, less a trailing ellipsis, is a prefix of another's of at least
    ``MIN_TRUNCATED_CHARS`` (when the truncated copy came first, the full text takes its
    place). What stays is a line the article itself repeats among other lines: a recipe's
    ingredient on two days, a refrain, a table cell. Paragraphs that only look alike (same
    opening, different ending) are all kept. The result depends on nothing but the input.
    """
    paragraphs = [p for p in paragraphs if paragraph_key(p)]
    keys = [paragraph_key(p) for p in paragraphs]
    stems = [_ELLIPSIS_RE.sub("", key) for key in keys]
    originals = _originals(keys, stems)
    kept: list[str] = []
    kept_stems: list[str] = []
    position_of: dict[int, int] = {}
    for index, paragraph in enumerate(paragraphs):
        original = originals[index]
        if original is None:
            position_of[index] = len(kept)
            kept.append(paragraph)
            kept_stems.append(stems[index])
            continue
        position = position_of[original]
        if keys[index] != keys[original]:
            # A truncated copy: the longer text stands at the earlier position.
            if len(stems[index]) > len(kept_stems[position]):
                kept[position] = paragraph
                kept_stems[position] = stems[index]
            position_of[index] = position
        elif _is_printed_twice(index, original, originals, keys):
            position_of[index] = position
        else:
            position_of[index] = len(kept)
            kept.append(paragraph)
            kept_stems.append(stems[index])
    return kept


def _originals(keys: list[str], stems: list[str]) -> list[int | None]:
    """Return, for each paragraph, the earlier paragraph it is a copy of (same key or truncated)."""
    originals: list[int | None] = []
    first_seen: dict[str, int] = {}
    for index, key in enumerate(keys):
        found: int | None = first_seen.setdefault(key, index)
        if found == index:
            found = _truncation_match(stems[index], stems[:index])
        # Point at the first of a chain of copies, so that every copy shares one original.
        while found is not None and originals[found] is not None:
            found = originals[found]
        originals.append(found)
    return originals


def _is_printed_twice(
    index: int, original: int, originals: list[int | None], keys: list[str]
) -> bool:
    """Return whether an exact repeat is a second printing rather than the article's own repeat."""
    if len(keys[index]) >= PROSE_CHARS and original in (0, index - 1):
        return True  # the lead printed again (a summary, a teaser), or a paragraph twice in a row
    start = end = index
    while start > 0 and originals[start - 1] is not None:
        start -= 1
    while end + 1 < len(keys) and originals[end + 1] is not None:
        end += 1
    run = range(start, end + 1)
    # A copied block holds prose, and more than one paragraph of it: a meal plan's day repeats
    # its labels and may repeat one tip with them, but a second printing of a body, or of a
    # block of it, repeats sentences.
    return len(run) > 1 and sum(_is_sentence(keys[i]) for i in run) >= 2


# A list run into one line has an item every word or two; a clause is longer than this.
_WORDS_PER_LIST_ITEM = 3
# The end of a sentence, before closing quotes or brackets: Latin, Arabic, Devanagari, CJK.
_SENTENCE_END_RE = re.compile(r"[.!?…؟۔।。！？][\"')\]»”’]*$")


def is_prose(paragraph: str) -> bool:
    """Return whether a paragraph is prose (``_is_sentence``), as opposed to a label, a list
    item, a table cell or a list run into one line."""
    return _is_sentence(paragraph_key(paragraph))


def _is_sentence(key: str) -> bool:
    """Return whether a paragraph is prose: long, and ending as a sentence ends (an ingredient
    list or a label line is long at times, but does not end like one), and not a list run
    into one line ("1 Green, 1 Red, 1 Yellow, 1 tsp."), which has a comma every word or two
    where a sentence has one every clause."""
    if len(key) < PROSE_CHARS or not _SENTENCE_END_RE.search(key):
        return False
    return key.count(",") * _WORDS_PER_LIST_ITEM < len(key.split())


def _truncation_match(stem: str, stems: list[str]) -> int | None:
    """Return the index of a paragraph that ``stem`` is a truncation of, or that is one of it."""
    for index, other in enumerate(stems):
        shorter, longer = (stem, other) if len(stem) <= len(other) else (other, stem)
        if len(shorter) >= MIN_TRUNCATED_CHARS and longer.startswith(shorter):
            return index
    return None
