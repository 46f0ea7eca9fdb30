"""Why the crawl's text differs from trafilatura's on one page: re-run the pure stages to tell."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tests.eval.scoring import normalise, tokenize


@dataclass(slots=True)
class StageLines:
    """Our chain on one page, stage by stage (the pipelines' pure functions, as the crawl runs them)."""

    status: str = "ok"
    canonical_url: str | None = None
    extracted: list[str] = field(default_factory=list)
    deduped: list[str] = field(default_factory=list)
    final: list[str] = field(default_factory=list)


def run_stages(body: bytes, url: str) -> StageLines:
    from ingest.extraction.boilerplate import BoilerplateRules, strip_boilerplate
    from ingest.extraction.decode import decode_html
    from ingest.extraction.extract import extract_article
    from ingest.extraction.fallback import should_fall_back
    from ingest.extraction.paragraphs import dedupe_paragraphs

    try:
        extracted = extract_article(decode_html(body, "text/html"), url)
    except ValueError as exc:
        return StageLines(status=f"unparseable ({exc})"[:80])
    if extracted is None:
        return StageLines(status="no article body")

    def clean(lines: list[str]) -> list[str]:
        return strip_boilerplate(
            lines,
            BoilerplateRules(),
            title=extracted.title or "",
            section=extracted.section,
            authors=list(extracted.authors),
            image_caption=extracted.image_caption,
        ).lines

    lines = list(extracted.lines)
    deduped = dedupe_paragraphs(lines)
    final = clean(deduped)
    status = "ok"
    reference = clean(dedupe_paragraphs(list(extracted.reference_lines)))
    if should_fall_back(final, reference):
        final, status = list(reference), "fell back to trafilatura's text"
    if len("\n".join(final)) < min_text_chars():
        status = f"TooShort ({len(chr(10).join(final))} chars after cleaning)"
    elif not extracted.title:
        status = "NoTitle"
    return StageLines(status, extracted.canonical_url, lines, deduped, final)


def min_text_chars() -> int:
    from settings import base

    return int(base.INGEST_MIN_TEXT_CHARS)


def lost_lines(ref: str, stages: StageLines, truth: str, limit: int = 3) -> list[str]:
    """Reference lines ours lacks, tagged with the stage that lost them: ``extract`` (pruning
    or trafilatura's options), ``dedupe``, ``boilerplate``, or ``split`` (words all there, the
    line cut differently). With a truth text, only lines that share words with it."""
    truth_tokens = set(tokenize(truth)) if truth else None
    final = {normalise(x) for x in stages.final}
    extracted = {normalise(x) for x in stages.extracted}
    deduped = {normalise(x) for x in stages.deduped}
    our_tokens = Counter(tokenize(" ".join(stages.final)))
    found = []
    for line in (normalise(x) for x in ref.split("\n")):
        tokens = tokenize(line)
        if not line or line in final or not tokens:
            continue
        if truth_tokens is not None and not any(t in truth_tokens for t in tokens):
            continue
        if line not in extracted:
            stage = "split" if not Counter(tokens) - our_tokens else "extract"
        elif line not in deduped:
            stage = "dedupe"
        else:
            stage = "boilerplate"
        found.append(f"[{stage}] {short(line)}")
        if len(found) == limit:
            break
    return found


def short(line: str, width: int = 100) -> str:
    return line if len(line) <= width else f"{line[:width]}…"
