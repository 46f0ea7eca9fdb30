"""How texts are scored against each set's truth: the benchmark's shingles, trafilatura's segments."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tests.eval.corpus import Page

SHINGLE_N = 4
_TOKEN_RE = re.compile(r"\w+")
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def shingles(tokens: Sequence[str], n: int = SHINGLE_N) -> list[tuple[str, ...]]:
    """The benchmark's n-grams; a text shorter than n tokens is one (short) shingle."""
    return [
        tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    ]


@dataclass(frozen=True, slots=True)
class PageScore:
    """One page's score. For AEB: shingle P/R (``has_pred``/``has_truth`` say whether each
    counts in the means). For trafilatura-eval: the segment counts."""

    precision: float
    recall: float
    f1: float
    has_pred: bool = True
    has_truth: bool = True
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0


def score_aeb(pred: str, truth: str) -> PageScore:
    """scrapinghub/article-extraction-benchmark's evaluate.py: bags of 4-token shingles."""
    pred_sh, true_sh = Counter(shingles(tokenize(pred))), Counter(shingles(tokenize(truth)))
    tp = sum((pred_sh & true_sh).values())
    n_pred, n_true = sum(pred_sh.values()), sum(true_sh.values())
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_true if n_true else 0.0
    return PageScore(
        p, r, _f1(p, r), has_pred=bool(tokenize(pred)), has_truth=bool(tokenize(truth))
    )


def normalise(text: str) -> str:
    return _SPACE_RE.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


def score_segments(pred: str, with_: Sequence[str], without: Sequence[str]) -> PageScore:
    """trafilatura's evaluation: a ``with`` segment found is a true positive, a ``without``
    segment found a false positive (whitespace-normalised substring match)."""
    text = normalise(pred)
    tp = sum(normalise(s) in text for s in with_)
    fp = sum(normalise(s) in text for s in without)
    fn, tn = len(with_) - tp, len(without) - fp
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return PageScore(p, r, _f1(p, r), tp=tp, fn=fn, fp=fp, tn=tn)


def score_page(page: Page, pred: str) -> PageScore:
    if page.set == "article-extraction-benchmark":
        return score_aeb(pred, page.body_truth)
    return score_segments(pred, page.with_, page.without)


def aggregate(set_name: str, scores: Sequence[PageScore]) -> Score:
    """The set's headline: AEB F1 of mean P (non-empty predictions) and mean R; segments summed."""
    if set_name == "article-extraction-benchmark":
        ps = [s.precision for s in scores if s.has_pred]
        rs = [s.recall for s in scores if s.has_truth]
        p = sum(ps) / len(ps) if ps else 0.0
        r = sum(rs) / len(rs) if rs else 0.0
        return Score(p, r, _f1(p, r))
    tp, fp, fn = (sum(getattr(s, k) for s in scores) for k in ("tp", "fp", "fn"))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return Score(p, r, _f1(p, r))


def title_matches(pred: str | None, truth: str) -> bool:
    return normalise(pred or "") == normalise(truth)


def day_of(value: str | datetime | None) -> date | None:
    """The calendar day of a truth or predicted date (ISO text or datetime)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    try:
        return datetime.fromisoformat(value.strip()[:10]).date()
    except ValueError:
        return None


# The zones pages are written in run from UTC-12 to UTC+14.
_WEST, _EAST = timedelta(hours=12), timedelta(hours=14)


def utc_time_on_day(stored: str | datetime | None, day: date) -> bool:
    """Whether a time stored in UTC can be ``day`` where the page was written.

    The archive keeps instants in UTC and not the page's zone, so 23:00 UTC on the 6th is the
    7th in Berlin: the stored time matches a truth day if some real zone puts it on that day.
    """
    if stored is None:
        return False
    if isinstance(stored, str):
        try:
            stored = datetime.fromisoformat(stored.strip())
        except ValueError:
            return False
    return (stored - _WEST).date() <= day <= (stored + _EAST).date()
