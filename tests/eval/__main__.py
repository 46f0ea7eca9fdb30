"""Extraction quality of the real crawl against bare trafilatura, same pages, same run: ``make eval``.

What it runs
    Both dev sets of ``$INGEST_SHARED_DIR/corpus`` (by default ``../shared`` beside the
    repository or beside the main checkout of this worktree): article-extraction-benchmark (181
    pages, truth = ``articleBody``) and trafilatura-eval (990 pages, truth = ``with``/``without``
    segments, ``title``, ``published``). The pages are served from memory on 127.0.0.1 under
    ``/<aeb|tev>/<original host>/<original path and query>`` (``text/html``, no charset), and
    the real ``scrapy crawl urls -a file=…`` fetches them into a fresh SQLite file in a
    temporary folder, exactly as a user's crawl would (every pipeline stage, worker processes,
    validation, storage). Meanwhile a second process runs ``trafilatura.extract(html_bytes)``
    with default settings on the same files (its title and date from
    ``trafilatura.extract_metadata``).

How it is scored
    - AEB, the benchmark's own method (scrapinghub evaluate.py): bags of 4-token shingles of
      ``\\w+`` tokens; precision averaged over pages with a non-empty prediction, recall over
      all pages, F1 of the two means. A page the crawl did not store scores as empty.
    - trafilatura-eval, trafilatura's method: a ``with`` segment found in the text
      (whitespace-normalised substring) is a true positive, missing a false negative; a
      ``without`` segment found is a false positive. P/R/F1 over the counts summed over pages.
    - Title: exact after whitespace normalisation, over pages whose truth has one. Date: same
      calendar day, over pages whose truth has one; ours is stored in UTC, so it matches when
      some real zone (UTC-12 to UTC+14) puts the stored instant on the truth's day.

How to read the report
    Per set: both extractors' P/R/F1, title and date accuracy, pages stored (and the drop
    reasons from the crawl's stats), fallbacks to trafilatura's text (``ingest/clean/fallback``).
    Then every page where ours is more than 0.05 F1 below trafilatura (per-page F1: shingles
    on AEB, segments on trafilatura-eval) or where trafilatura found text and the crawl stored
    nothing, with the reason: the pure stages are re-run on that page and each reference line
    we lack is tagged with the stage that removed it (``extract``: pruning or trafilatura's
    options; ``dedupe``; ``boilerplate``; ``split``: same words, cut differently), plus lines we
    have that the reference lacks.

A report, not a gate: exits 0 unless the corpus is missing or the crawl fails.
``--json FILE`` writes per-page results; ``--set aeb|tev`` runs one set; ``--keep`` keeps the
temporary folder (URL list, crawl log, stats, SQLite file).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.urls import normalise_url
from tests.eval import attribution, corpus, reference, scoring
from tests.eval.serve import CorpusServer, key

if TYPE_CHECKING:
    from collections.abc import Sequence

logger = logging.getLogger("tests.eval")

WORSE_MARGIN = 0.05
SCRAPY = str(Path(sys.executable).with_name("scrapy"))
_SHORT = {"aeb": corpus.AEB, "tev": corpus.TEV}


@dataclass(slots=True)
class Stored:
    title: str | None
    text: str
    published_at: str | None


@dataclass(slots=True)
class PageResult:
    set: str
    id: str
    url: str | None
    served: str
    stored: bool
    ref: scoring.PageScore
    ours: scoring.PageScore
    ref_chars: int
    ours_chars: int
    title_truth: str | None = None
    title_ref: bool | None = None
    title_ours: bool | None = None
    date_ref: bool | None = None
    date_ours: bool | None = None
    reason: list[str] = field(default_factory=list)

    @property
    def delta(self) -> float:
        return self.ours.f1 - self.ref.f1


def run_crawl(work: Path, base_url: str, paths: Sequence[str]) -> tuple[dict[str, Any], Path]:
    """``scrapy crawl urls`` over the served pages into a fresh SQLite file; return its stats."""
    url_file = work / "urls.txt"
    url_file.write_text("".join(f"{base_url}{p}\n" for p in paths), encoding="utf-8")
    database = work / "eval.sqlite3"
    stats_file = work / "stats.json"
    log_file = work / "crawl.log"
    command = [
        SCRAPY, "crawl", "urls", "-a", f"file={url_file}",
        "-s", f"INGEST_DATABASE_URL=sqlite:///{database}",
        "-s", f"INGEST_STATS_FILE={stats_file}",
        "-s", f"LOG_FILE={log_file}", "-s", "LOG_LEVEL=INFO",
        "-s", "CONCURRENT_REQUESTS=32", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=32",
    ]  # fmt: skip
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("INGEST_DATABASE_URL", "INGEST_REDIS_URL", "SCRAPY_PROJECT")
    }
    done = subprocess.run(command, cwd=corpus.REPO_ROOT, env=env, check=False)
    if done.returncode != 0:
        tail = (
            log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
            if log_file.exists()
            else ""
        )
        sys.exit(f"error: the crawl exited {done.returncode}; log tail:\n{tail}")
    return json.loads(stats_file.read_text(encoding="utf-8")), database


def read_stored(database: Path, base_url: str) -> tuple[dict[str, Stored], dict[str, Stored]]:
    """Stored articles by served path (the ``url`` column is the address fetched), and by
    canonical URL."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT url, canonical_url, title, text, published_at FROM articles"
        ).fetchall()
    stored = {
        key(url[len(base_url) :]): Stored(title, text or "", published)
        for url, _, title, text, published in rows
        if url.startswith(base_url)
    }
    by_canonical = {
        canonical: Stored(title, text or "", published)
        for _, canonical, title, text, published in rows
    }
    return stored, by_canonical


def evaluate(
    pages: Sequence[corpus.Page],
    refs: Sequence[reference.Reference],
    stored: dict[str, Stored],
    by_canonical: dict[str, Stored],
) -> list[PageResult]:
    results = []
    for page, ref in zip(pages, refs, strict=True):
        ours = stored.get(key(page.path))
        if ours is None:
            # Two pages of a set can be one article (same canonical URL): the crawl keeps one
            # row for both, which is right; score this page with that row.
            merged = attribution.run_stages(page.body(), _page_url(page)).canonical_url
            ours = by_canonical.get(normalise_url(merged)) if merged else None
        text = ours.text if ours else ""
        result = PageResult(
            set=page.set,
            id=page.id,
            url=page.url,
            served=page.path,
            stored=ours is not None,
            ref=scoring.score_page(page, ref.text),
            ours=scoring.score_page(page, text),
            ref_chars=len(ref.text),
            ours_chars=len(text),
            title_truth=page.title,
        )
        if page.title:
            result.title_ref = scoring.title_matches(ref.title, page.title)
            result.title_ours = scoring.title_matches(ours.title if ours else None, page.title)
        if truth_day := scoring.day_of(page.published):
            result.date_ref = scoring.day_of(ref.date) == truth_day
            result.date_ours = scoring.utc_time_on_day(
                ours.published_at if ours else None, truth_day
            )
        lost_page = not result.stored and ref.text.strip()
        if result.delta < -WORSE_MARGIN or lost_page:
            stages = attribution.run_stages(page.body(), _page_url(page))
            truth = page.body_truth or " ".join(page.with_)
            result.reason = [f"pure stages: {stages.status}"] if stages.status != "ok" else []
            result.reason += attribution.lost_lines(ref.text, stages, truth)
            extra = [
                x
                for x in (scoring.normalise(t) for t in text.split("\n"))
                if x and x not in ref.text
            ]
            result.reason += [f"[ours only] {attribution.short(x)}" for x in extra[:2]]
        results.append(result)
    return results


def _page_url(page: corpus.Page) -> str:
    return page.url or f"http://unknown-host{page.path}"


def _pct(values: Sequence[bool | None]) -> str:
    counted = [v for v in values if v is not None]
    if not counted:
        return "n/a"
    return f"{sum(counted) / len(counted):.3f} ({sum(counted)}/{len(counted)})"


def _fmt(score: scoring.Score) -> str:
    return f"P={score.precision:.3f}  R={score.recall:.3f}  F1={score.f1:.3f}"


def print_set(set_name: str, results: Sequence[PageResult]) -> None:
    method = (
        "4-token shingles, F1 of mean P and mean R"
        if set_name == corpus.AEB
        else "segments, summed counts"
    )
    ref = scoring.aggregate(set_name, [r.ref for r in results])
    ours = scoring.aggregate(set_name, [r.ours for r in results])
    print(f"\n== {set_name}: {len(results)} pages ({method})")
    print(f"  trafilatura  {_fmt(ref)}")
    print(f"  ingest       {_fmt(ours)}   (delta F1 {ours.f1 - ref.f1:+.3f})")
    if any(r.title_truth for r in results):
        print(f"  title exact  trafilatura {_pct([r.title_ref for r in results])}"
              f"   ingest {_pct([r.title_ours for r in results])}")  # fmt: skip
    if any(r.date_ref is not None for r in results):
        print(f"  date day     trafilatura {_pct([r.date_ref for r in results])}"
              f"   ingest {_pct([r.date_ours for r in results])}")  # fmt: skip
    stored = sum(r.stored for r in results)
    lost = sum(1 for r in results if not r.stored and r.ref_chars)
    print(
        f"  stored       {stored}/{len(results)}; not stored although trafilatura finds text: {lost}"
    )
    worse = sorted((r for r in results if r.delta < -WORSE_MARGIN or (not r.stored and r.ref_chars)),
                   key=lambda r: r.delta)  # fmt: skip
    better = sum(r.delta > WORSE_MARGIN for r in results)
    print(f"  pages > {WORSE_MARGIN} F1 better: {better}; worse or lost: {len(worse)}")
    for r in worse:
        state = "stored" if r.stored else "NOT STORED"
        print(
            f"  - {r.id[:16]:16}  F1 {r.ref.f1:.3f} → {r.ours.f1:.3f}  {state}  chars {r.ref_chars}/{r.ours_chars}  {r.url or r.served}"
        )
        for line in r.reason:
            print(f"        {line}")


def print_crawl(stats: dict[str, Any], seconds: float) -> None:
    drops = {
        k.rsplit("/", 1)[1]: v
        for k, v in stats.items()
        if k.startswith("item_dropped_reasons_count/")
    }
    clean = {k: v for k, v in stats.items() if k.startswith("ingest/clean/")}
    print(f"crawl: {stats.get('ingest/fetch/pages', 0)} pages fetched, "
          f"{stats.get('item_scraped_count', 0)} stored, dropped {drops or 'none'}; {seconds:.0f} s")  # fmt: skip
    print(f"  cleaning stats: {clean or 'none'}")
    print(
        f"  fallbacks to trafilatura's text (ingest/clean/fallback): {stats.get('ingest/clean/fallback', 0)}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.eval", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--set", choices=sorted(_SHORT), action="append", help="only this set (repeatable)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write per-page results to FILE")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    sets = [_SHORT[s] for s in args.set] if args.set else list(corpus.SET_NAMES)
    pages = [p for name in sets for p in corpus.load(name)]
    started = time.perf_counter()
    pool, refs_future = reference.start([str(p.file) for p in pages])
    work = Path(tempfile.mkdtemp(prefix="ingest-eval-"))
    try:
        with CorpusServer({p.path: p.file for p in pages}) as server:
            stats, database = run_crawl(work, server.url, [p.path for p in pages])
            crawl_seconds = time.perf_counter() - started
            stored, by_canonical = read_stored(database, server.url)
        refs = list(refs_future)
        pool.shutdown()
        results = evaluate(pages, refs, stored, by_canonical)
    finally:
        if args.keep:
            logger.info("work folder kept: %s", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"make eval: {len(pages)} pages, {time.perf_counter() - started:.0f} s")
    print_crawl(stats, crawl_seconds)
    for name in sets:
        print_set(name, [r for r in results if r.set == name])
    if args.json:
        rows = [asdict(r) | {"delta_f1": r.delta} for r in results]
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
