"""Hold justext's stoplists once per extraction process instead of twice.

trafilatura falls back to justext on a page whose text it finds too short, and, not told the
page's language, has justext weigh paragraphs against the words of all its stoplists at once.
trafilatura builds those words once per process as a tuple (``trafilatura.external``'s
``JT_STOPLIST``, 154,484 words), and justext's ``define_stoplist`` caches its own lower-cased
frozenset of whatever it is given: each extraction worker held both, 27 MB by tracemalloc,
about 20 MB of RSS (a worker over 400 bench pages: 103 MB without this, 83 MB with it).

``hold_once`` fills trafilatura's slot, before trafilatura fills it, with ``AllStoplists``:
the same words, read from justext's own files whenever it is iterated and held by nothing but
justext's cached frozenset. justext classifies against the same set of words as before, and
the cache is keyed on one small object rather than a 154,484-word tuple, which Python hashed
anew on every page that reached justext.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import trafilatura.external
from justext.utils import get_stoplist, get_stoplists

if TYPE_CHECKING:
    from collections.abc import Iterator


class AllStoplists:
    """Every word of every stoplist justext ships, read anew each time it is iterated."""

    def __iter__(self) -> Iterator[str]:
        for language in sorted(get_stoplists()):
            yield from get_stoplist(language)


def hold_once() -> None:
    """Have trafilatura's justext fallback use ``AllStoplists``; a no-op where trafilatura
    has built its tuple already."""
    if trafilatura.external.JT_STOPLIST is None:
        trafilatura.external.JT_STOPLIST = AllStoplists()
