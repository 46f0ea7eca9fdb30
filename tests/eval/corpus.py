"""The two dev sets of ``../shared/corpus``, loaded as pages with their truth and served paths."""

from __future__ import annotations

import gzip
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
AEB = "article-extraction-benchmark"
TEV = "trafilatura-eval"
SET_NAMES = (AEB, TEV)
# Served under a path prefix per set: /aeb/<host>/<original path>. A prefix rather than one
# port per host keeps one server, and the urls spider treats every page the same way it treats
# a page of a site it has no profile for (which is what both sets are).
_PREFIX = {AEB: "aeb", TEV: "tev"}


@dataclass(frozen=True, slots=True)
class Page:
    """One corpus page and what its truth says.

    ``body_truth`` is the benchmark's ``articleBody`` (AEB); ``with_``/``without`` the text
    segments that must and must not be in the text (trafilatura-eval).
    """

    set: str
    id: str
    url: str | None
    path: str
    file: Path
    body_truth: str = ""
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    title: str | None = None
    published: str | None = None

    def body(self) -> bytes:
        return gzip.decompress(self.file.read_bytes())


def shared_dir() -> Path:
    """``$INGEST_SHARED_DIR``, else ``shared`` beside the repository (or beside the main
    checkout, when this is a git worktree)."""
    if env := os.environ.get("INGEST_SHARED_DIR"):
        return Path(env)
    candidates = [REPO_ROOT.parent / "shared"]
    git = REPO_ROOT / ".git"
    if git.is_file():  # a worktree: "gitdir: <main>/.git/worktrees/<name>"
        gitdir = Path(git.read_text(encoding="utf-8").split(":", 1)[1].strip())
        candidates.append(gitdir.parents[2].parent / "shared")
    return next((c for c in candidates if c.is_dir()), candidates[0])


def corpus_dir(name: str) -> Path:
    path = shared_dir() / "corpus" / name
    if not path.is_dir():
        sys.exit(
            f"error: corpus not found: {path}; set INGEST_SHARED_DIR to the folder holding corpus/"
        )
    return path


def served_path(set_name: str, page_id: str, url: str | None) -> str:
    """The page's original path (and query) under its set's prefix and host."""
    if not url:
        return f"/{_PREFIX[set_name]}/unknown-host/{page_id}.html"
    parts = urlsplit(url)
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"/{_PREFIX[set_name]}/{parts.hostname or 'unknown-host'}{path}{query}"


def load(set_name: str) -> list[Page]:
    root = corpus_dir(set_name)
    pages: list[Page] = []
    if set_name == AEB:
        truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
        for page_id, entry in truth.items():
            url = (entry.get("url") or "").strip() or None
            pages.append(
                Page(
                    set=AEB,
                    id=page_id,
                    url=url,
                    path=served_path(AEB, page_id, url),
                    file=root / "html" / f"{page_id}.html.gz",
                    body_truth=entry.get("articleBody") or "",
                )
            )
    else:
        for line in (root / "ground-truth.jsonl").read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            url = (entry.get("url") or "").strip() or None
            pages.append(
                Page(
                    set=TEV,
                    id=entry["id"],
                    url=url,
                    path=served_path(TEV, entry["id"], url),
                    file=root / entry["file"],
                    with_=tuple(entry.get("with") or ()),
                    without=tuple(entry.get("without") or ()),
                    title=entry.get("title"),
                    published=entry.get("published"),
                )
            )
    return _unique_paths(pages)


def _unique_paths(pages: list[Page]) -> list[Page]:
    """Give a page whose original URL another page of the set already has a distinct path."""
    from tests.eval.serve import key

    seen: set[str] = set()
    out = []
    for page in pages:
        path = page.path
        if key(path) in seen:
            sep = "&" if "?" in path else "?"
            path = f"{path}{sep}eval-copy={page.id}"
        seen.add(key(path))
        out.append(page if path == page.path else _replace_path(page, path))
    return out


def _replace_path(page: Page, path: str) -> Page:
    from dataclasses import replace

    return replace(page, path=path)
