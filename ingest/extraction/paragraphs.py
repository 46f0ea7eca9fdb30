"""Keep each paragraph of an article once: pages often carry the body twice (mobile and desktop copies)."""

from __future__ import annotations

import re
import unicodedata
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
_SPACE_RE = re.compile(r"\s+")
_ELLIPSIS_RE = re.compile(r"\s*(?:…|\.\.\.+|\[…\]|\[\.\.\.\])\s*$")
# A truncated copy must keep at least this much of the paragraph to count as one: shorter
# prefixes ("He said", a one-word label) start distinct paragraphs too often.
MIN_TRUNCATED_CHARS = 40


def paragraph_key(paragraph: str) -> str:
    """Return the form two copies of a paragraph share: Unicode-normalised, quotes unified,
    invisible characters dropped, whitespace collapsed, case folded."""
    text = unicodedata.normalize("NFKC", paragraph).translate(_QUOTES)
    return _SPACE_RE.sub(" ", text).strip().casefold()


def dedupe_paragraphs(paragraphs: Iterable[str]) -> list[str]:
    """Return the paragraphs with every repeat removed, each kept at its first position.

    A repeat is a paragraph whose key equals an earlier one, or a truncated copy: one whose
    key, less a trailing ellipsis, is a prefix of another's of at least
    ``MIN_TRUNCATED_CHARS``. When the truncated copy came first, the full text takes its place.
    Paragraphs that only look alike (same opening, different ending) are all kept, and so is a
    short line (under ``MIN_TRUNCATED_CHARS``) repeated on its own rather than inside a repeated
    block. The result depends on nothing but the input.
    """
    paragraphs = [p for p in paragraphs if paragraph_key(p)]
    keys = [paragraph_key(p) for p in paragraphs]
    first_seen: dict[str, int] = {}
    for index, key in enumerate(keys):
        first_seen.setdefault(key, index)
    repeats = [first_seen[key] != index for index, key in enumerate(keys)]
    kept: list[str] = []
    stems: list[str] = []
    exact: dict[str, int] = {}
    for index, (paragraph, key) in enumerate(zip(paragraphs, keys, strict=True)):
        if key in exact:
            if len(key) >= MIN_TRUNCATED_CHARS or _in_repeated_block(repeats, index):
                continue
            # A short line seen before, alone (a recipe's "1 cup blueberries" on two days)
            # is content; pages that print their body twice repeat whole blocks.
            kept.append(paragraph)
            stems.append(key)
            continue
        stem = _ELLIPSIS_RE.sub("", key)
        position = _truncation_match(stem, stems)
        if position is None:
            exact[key] = len(kept)
            kept.append(paragraph)
            stems.append(stem)
        elif len(stem) > len(stems[position]):
            # The earlier copy was the truncated one: keep the full text at its position.
            kept[position] = paragraph
            stems[position] = stem
            exact[key] = position
        else:
            exact[key] = position
    return kept


def _in_repeated_block(repeats: list[bool], index: int) -> bool:
    """Return whether a neighbour of the paragraph at ``index`` is a repeat too."""
    return (index > 0 and repeats[index - 1]) or (index + 1 < len(repeats) and repeats[index + 1])


def _truncation_match(stem: str, stems: list[str]) -> int | None:
    """Return the index of a kept paragraph that ``stem`` is a truncation of, or that is one of it."""
    for index, other in enumerate(stems):
        shorter, longer = (stem, other) if len(stem) <= len(other) else (other, stem)
        if len(shorter) >= MIN_TRUNCATED_CHARS and longer.startswith(shorter):
            return index
    return None
