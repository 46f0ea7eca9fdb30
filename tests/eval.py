"""Does our cleaning ever make extraction worse than trafilatura alone? ``python -m tests.eval``.

What it measures
    For each of the 181 pages of the shared article-extraction-benchmark corpus
    (``$INGEST_SHARED_DIR/corpus/article-extraction-benchmark``, by default ``../shared`` next to
    the repository), two texts are scored against the page's ground-truth ``articleBody``:

    - **ref**: ``trafilatura.extract(html)`` with trafilatura's default options (so comments are
      included, unlike the published benchmark runner, which passes ``include_comments=False``;
      ``--ref-no-comments`` does the same here);
    - **ours**: the chain the Scrapy pipelines run on a page fetched by the ``urls`` spider:
      ``decode_html`` → ``extract_article`` → ``dedupe_paragraphs`` → ``strip_boilerplate`` →
      ``"\\n".join``. A page with no article body (or unparseable HTML) scores as the empty text.

How it is scored
    Tokens are ``\\w+`` runs (Unicode word characters), **case-sensitive**. Per page, the
    extracted text and the truth are compared as bags of tokens with multiplicity:
    ``tp = Σ min(count_pred, count_true)``, precision ``tp / |pred|``, recall ``tp / |true|``, F1
    their harmonic mean; an empty prediction scores P = R = F1 = 0 (both empty: 1). The headline
    figures are the **means of the per-page values** over the 181 pages.

    The published benchmark (scrapinghub/article-extraction-benchmark ``evaluate.py``) scores
    4-token shingles instead of single tokens, leaves empty predictions out of the mean
    precision, and reports F1 as the harmonic mean of mean P and mean R. That variant is printed
    as a second line ("benchmark-style") so the figures can be set beside the published ones
    (trafilatura 2.0.0: F1 0.958 with ``include_comments=False``).

How to read the report
    "worse" counts pages where ours' F1 is more than 0.02 below the reference's. For the worst of
    them the report shows the truth tokens the reference had and ours lost, the tokens ours added
    that the truth lacks, and the first reference lines missing from ours, each tagged with the
    stage that lost it: ``[extract]`` (never came out of ``extract_article``: pruning or
    trafilatura's options), ``[dedupe]``, ``[boilerplate]``, or ``[split]`` (its words are there
    but the line was split or joined differently); then up to two "extra" lines of ours that the
    reference lacks and whose words are mostly not in the truth. "the crawl would store nothing"
    counts pages that yield no article, or that ``ValidatePipeline`` would refuse (text under
    ``INGEST_MIN_TEXT_CHARS``, or no title), with the status shown per page.

    This is a report, not a gate: the exit status is 0 unless the corpus is missing.
    ``--json FILE`` writes the per-page scores.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

logger = logging.getLogger("tests.eval")

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_NAME = "article-extraction-benchmark"
WORSE_MARGIN = 0.02
SHOW_WORST = 15
SHINGLE_N = 4
_TOKEN_RE = re.compile(r"\w+")
_SPACE_RE = re.compile(r"\s+")


# --- corpus -------------------------------------------------------------------------------


def shared_dir() -> Path:
    return Path(os.environ.get("INGEST_SHARED_DIR", REPO_ROOT.parent / "shared"))


def corpus_dir() -> Path:
    """Return the corpus folder, or exit with one line saying where it was looked for."""
    path = shared_dir() / "corpus" / CORPUS_NAME
    if not (path / "ground-truth.json").is_file() or not (path / "html").is_dir():
        sys.exit(
            f"error: corpus not found: {path} (needs ground-truth.json and html/);"
            " set INGEST_SHARED_DIR to the folder holding corpus/"
        )
    return path


@dataclass(frozen=True, slots=True)
class CorpusPage:
    id: str
    url: str
    truth: str
    body: bytes


def load_corpus(path: Path) -> list[CorpusPage]:
    """Return the corpus pages (decompressed HTML bytes) in ground-truth order."""
    truth = json.loads((path / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id, entry in truth.items():
        body = gzip.decompress((path / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append(
            CorpusPage(page_id, entry.get("url", ""), entry.get("articleBody") or "", body)
        )
    return pages


# --- scoring ------------------------------------------------------------------------------


def tokenize(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def shingles(tokens: Sequence[str], n: int = SHINGLE_N) -> list[tuple[str, ...]]:
    """The benchmark's n-grams: a text shorter than n tokens is one (short) shingle."""
    return [
        tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    ]


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float


def bag_score(pred: Iterable[Any], true: Iterable[Any]) -> Score:
    """Precision/recall/F1 of two bags (multisets) of tokens or shingles."""
    pred_counts, true_counts = Counter(pred), Counter(true)
    n_pred, n_true = sum(pred_counts.values()), sum(true_counts.values())
    if n_pred == 0 and n_true == 0:
        return Score(1.0, 1.0, 1.0)
    tp = sum((pred_counts & true_counts).values())
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1)


def benchmark_style(pairs: Sequence[tuple[str, str]]) -> Score:
    """The published metric over (pred, truth) pairs: 4-shingles, F1 of mean P and mean R."""
    precisions, recalls = [], []
    for pred, true in pairs:
        score = bag_score(shingles(tokenize(pred)), shingles(tokenize(true)))
        if tokenize(pred):
            precisions.append(score.precision)
        if tokenize(true):
            recalls.append(score.recall)
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    return Score(p, r, 2 * p * r / (p + r) if p + r else 0.0)


# --- the two extractors -------------------------------------------------------------------


def reference_text(body: bytes, *, include_comments: bool = True) -> str:
    import trafilatura

    html = body.decode("utf-8", errors="replace")
    return trafilatura.extract(html, include_comments=include_comments) or ""


@dataclass(slots=True)
class Ours:
    """Our text and the lines after each stage, to tell which stage lost what."""

    text: str = ""
    status: str = "ok"
    extracted: list[str] = field(default_factory=list)
    deduped: list[str] = field(default_factory=list)
    title: str | None = None


def our_text(body: bytes, url: str) -> Ours:
    """Run the pipelines' chain (ExtractPipeline → Dedupe → Boilerplate) on one page."""
    from ingest.extraction.boilerplate import BoilerplateRules, strip_boilerplate
    from ingest.extraction.decode import decode_html
    from ingest.extraction.extract import extract_article
    from ingest.extraction.paragraphs import dedupe_paragraphs
    from ingest.profiles import profile_for_url

    profile = profile_for_url(url)
    page = decode_html(body, "text/html")
    try:
        extracted = extract_article(
            page,
            url,
            prune_xpath=profile.prune_xpath if profile else (),
            local_zone=profile.timezone if profile else "UTC",
            title_suffix=profile.title_suffix if profile else "",
            site_readers=profile.page_readers if profile else (),
        )
    except ValueError as exc:
        logger.debug("unparseable %s: %s", url, exc)
        return Ours(status="unparseable")
    if extracted is None:
        return Ours(status="no_article_body")
    rules = (
        BoilerplateRules(profile.boilerplate, profile.comment_markers)
        if profile
        else BoilerplateRules()
    )
    lines = list(extracted.lines)
    deduped = dedupe_paragraphs(lines)
    section = extracted.section or (profile.section_from_url(url) if profile else None)
    cleaned = strip_boilerplate(
        deduped,
        rules,
        title=extracted.title or "",
        section=section,
        authors=list(extracted.authors),
        image_caption=extracted.image_caption,
    )
    return Ours("\n".join(cleaned.lines), "ok", lines, deduped, extracted.title)


def validate_status(ours: Ours, min_chars: int) -> str:
    """What ValidatePipeline would say about the item: ok, too_short or no_title."""
    if ours.status != "ok":
        return ours.status
    if len(ours.text) < min_chars:
        return "too_short"
    if not ours.title:
        return "no_title"
    return "ok"


def min_text_chars() -> int:
    from settings import base

    return int(base.INGEST_MIN_TEXT_CHARS)


# --- per-page comparison ------------------------------------------------------------------


@dataclass(slots=True)
class PageResult:
    id: str
    url: str
    ref: Score
    ours: Score
    status: str
    ref_chars: int
    ours_chars: int
    lost_tokens: int = 0
    added_tokens: int = 0
    lost_lines: list[str] = field(default_factory=list)
    added_lines: list[str] = field(default_factory=list)

    @property
    def delta(self) -> float:
        return self.ours.f1 - self.ref.f1


def _norm(line: str) -> str:
    return _SPACE_RE.sub(" ", line).strip()


def lost_lines(ref: str, ours: Ours, truth_tokens: Counter[str], limit: int = 3) -> list[str]:
    """Reference lines with truth words that ours lacks, tagged with the stage that lost them."""
    final = {_norm(x) for x in ours.text.split("\n")}
    extracted = {_norm(x) for x in ours.extracted}
    deduped = {_norm(x) for x in ours.deduped}
    our_tokens = Counter(tokenize(ours.text))
    found = []
    for line in (_norm(x) for x in ref.split("\n")):
        tokens = tokenize(line)
        if not line or line in final or not any(t in truth_tokens for t in tokens):
            continue
        if line not in extracted:
            stage = "split" if not Counter(tokens) - our_tokens else "extract"
        elif line not in deduped:
            stage = "dedupe"
        else:
            stage = "boilerplate"
        found.append(f"[{stage}] {_short(line)}")
        if len(found) == limit:
            break
    return found


def added_lines(ref: str, ours: str, truth_tokens: Counter[str], limit: int = 2) -> list[str]:
    """Lines of ours that the reference does not have and that are mostly not in the truth."""
    ref_lines = {_norm(x) for x in ref.split("\n")}
    found = []
    for line in (_norm(x) for x in ours.split("\n")):
        tokens = tokenize(line)
        foreign = sum(t not in truth_tokens for t in tokens)
        if line and line not in ref_lines and tokens and foreign * 2 > len(tokens):
            found.append(_short(line))
            if len(found) == limit:
                break
    return found


def _short(line: str, width: int = 110) -> str:
    return line if len(line) <= width else f"{line[:width]}…"


def compare_page(
    page: CorpusPage, *, include_comments: bool, min_chars: int
) -> tuple[PageResult, str, str]:
    """Score both extractors on one page; also return the two texts."""
    ref = reference_text(page.body, include_comments=include_comments)
    ours = our_text(page.body, page.url)
    truth_tokens = Counter(tokenize(page.truth))
    ref_tokens, our_tokens = Counter(tokenize(ref)), Counter(tokenize(ours.text))
    result = PageResult(
        id=page.id,
        url=page.url,
        ref=bag_score(ref_tokens.elements(), truth_tokens.elements()),
        ours=bag_score(our_tokens.elements(), truth_tokens.elements()),
        status=validate_status(ours, min_chars),
        ref_chars=len(ref),
        ours_chars=len(ours.text),
    )
    if result.delta < -WORSE_MARGIN:
        ref_hits, our_hits = ref_tokens & truth_tokens, our_tokens & truth_tokens
        result.lost_tokens = sum((ref_hits - our_hits).values())
        result.added_tokens = sum((our_tokens - truth_tokens).values())
        result.lost_lines = lost_lines(ref, ours, truth_tokens)
        result.added_lines = added_lines(ref, ours.text, truth_tokens)
    return result, ref, ours.text


# --- report -------------------------------------------------------------------------------


def mean_score(scores: Sequence[Score]) -> Score:
    n = max(len(scores), 1)
    return Score(
        sum(s.precision for s in scores) / n,
        sum(s.recall for s in scores) / n,
        sum(s.f1 for s in scores) / n,
    )


def _fmt(score: Score) -> str:
    return f"P={score.precision:.3f}  R={score.recall:.3f}  F1={score.f1:.3f}"


def print_report(
    results: Sequence[PageResult],
    texts: Sequence[tuple[str, str, str]],
    *,
    include_comments: bool,
    seconds: float,
) -> None:
    ref_label = "trafilatura.extract(html)" + (
        "" if include_comments else ", include_comments=False"
    )
    print(f"Extraction quality on {len(results)} pages of {CORPUS_NAME} ({seconds:.1f} s)")
    print("token bag, case-sensitive \\w+, mean of per-page values:")
    print(f"  reference  {_fmt(mean_score([r.ref for r in results]))}   [{ref_label}]")
    print(
        f"  ours       {_fmt(mean_score([r.ours for r in results]))}"
        "   [extract → dedupe → boilerplate]"
    )
    print(
        "benchmark-style (4-token shingles, empty predictions out of mean P, F1 of mean P and R):"
    )
    print(f"  reference  {_fmt(benchmark_style([(ref, truth) for ref, _, truth in texts]))}")
    print(f"  ours       {_fmt(benchmark_style([(ours, truth) for _, ours, truth in texts]))}")
    better = sum(r.delta > WORSE_MARGIN for r in results)
    worse = sorted((r for r in results if r.delta < -WORSE_MARGIN), key=lambda r: r.delta)
    print(
        f"ours better by > {WORSE_MARGIN} F1 on {better} pages;"
        f" worse by > {WORSE_MARGIN} on {len(worse)} pages"
    )
    statuses = Counter(r.status for r in results if r.status != "ok")
    if statuses:
        listed = ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
        print(f"the crawl would store nothing for {sum(statuses.values())} pages: {listed}")
    if worse:
        print(f"\nworst {min(SHOW_WORST, len(worse))} pages where ours is worse:")
    for r in worse[:SHOW_WORST]:
        print(f"- {r.id[:12]}  F1 {r.ref.f1:.3f} → {r.ours.f1:.3f}  ({r.status})  {r.url}")
        print(
            f"    ours lost {r.lost_tokens} truth tokens the reference had, added {r.added_tokens}"
            f" not in the truth; chars ref {r.ref_chars} / ours {r.ours_chars}"
        )
        for line in r.lost_lines:
            print(f"    missing: {line}")
        for line in r.added_lines:
            print(f"    extra:   {line}")


def write_json(path: Path, results: Sequence[PageResult], include_comments: bool) -> None:
    rows = []
    for r in results:
        row = asdict(r)
        row["delta_f1"] = r.delta
        rows.append(row)
    means = {
        "reference": asdict(mean_score([r.ref for r in results])),
        "ours": asdict(mean_score([r.ours for r in results])),
    }
    payload = {
        "tokenizer": r"\w+, case-sensitive",
        "reference": {"include_comments": include_comments},
        "mean": means,
        "pages": rows,
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.eval", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write per-page scores to FILE")
    parser.add_argument(
        "--ref-no-comments",
        action="store_true",
        help="reference with include_comments=False, as the published benchmark runs trafilatura",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return parser.parse_args(argv)


def configure_logging(verbose: bool) -> None:
    """Our diagnostics at INFO; trafilatura's per-page warnings only with ``-v``."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not verbose:
        logging.getLogger("trafilatura").setLevel(logging.ERROR)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(args.verbose)
    pages = load_corpus(corpus_dir())
    include_comments = not args.ref_no_comments
    min_chars = min_text_chars()
    started = time.perf_counter()
    results, texts = [], []
    for page in pages:
        result, ref, ours = compare_page(
            page, include_comments=include_comments, min_chars=min_chars
        )
        results.append(result)
        texts.append((ref, ours, page.truth))
    print_report(
        results, texts, include_comments=include_comments, seconds=time.perf_counter() - started
    )
    if args.json:
        write_json(args.json, results, include_comments)
        logger.info("per-page scores written to %s", args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
