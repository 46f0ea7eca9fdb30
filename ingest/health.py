"""Whether a run went well, from its final stats: the verdict cron acts on through the exit status.

Pure rules on a stats dict (no Scrapy, no database), so they read as the policy they are.
A run is unhealthy when it did not finish, fetched nothing, stored no article where it
should have, failed or dropped more than a share of its article pages, or left items in the
store's spool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HEALTHY = "healthy"
UNHEALTHY = "unhealthy"
KILLED = "killed"

_DROPPED = "item_dropped_reasons_count/"
_FAILED = "ingest/fetch/failed/"
_GONE = frozenset({"http_404", "http_410"})


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Limits from the ``INGEST_HEALTH_*`` settings (see settings/base.py)."""

    #: Shares are judged only from this many article pages on: 1 failure in 3 says little.
    min_pages: int
    #: Largest acceptable share of article pages that could not be fetched.
    max_failed_share: float
    #: Largest acceptable share of fetched article pages dropped by the pipelines.
    max_dropped_share: float


@dataclass(frozen=True, slots=True)
class Verdict:
    verdict: str
    reason: str

    @property
    def healthy(self) -> bool:
        return self.verdict == HEALTHY


def judge(
    stats: dict[str, Any], finish_reason: str, limits: Thresholds, *, stored_before: bool
) -> Verdict:
    """Return the run's verdict; the reason names every rule it broke (or sums the run up).

    ``stored_before``: earlier runs of this spider and site stored articles, so a run that
    stores none means the site or our extraction changed, not that there was no news.
    """
    fetched = int(stats.get("ingest/fetch/pages", 0))
    # A 404 or 410 is a page the site removed (or a dead link), not a fetch that went wrong.
    failed = sum(
        int(v) for k, v in stats.items() if k.startswith(_FAILED) and k[len(_FAILED) :] not in _GONE
    )
    dropped = sum(int(v) for k, v in stats.items() if k.startswith(_DROPPED))
    stored = sum(
        int(stats.get(f"ingest/store/{outcome}", 0)) for outcome in ("new", "updated", "unchanged")
    )
    attempted = fetched + sum(int(v) for k, v in stats.items() if k.startswith(_FAILED))
    problems = []
    if finish_reason != "finished":
        # A worker that lost its shared run's Redis says what the error was.
        lost = stats.get("ingest/shared_run/lost")
        problems.append(f"ended early ({finish_reason}{f': {lost}' if lost else ''})")
    if not stats.get("response_received_count"):
        problems.append("nothing fetched: no server answered")
    elif stored == 0 and (attempted or stored_before):
        why = f"of {attempted} article pages" if attempted else "though earlier runs stored some"
        problems.append(f"no article stored {why}")
    if attempted >= limits.min_pages and failed > limits.max_failed_share * attempted:
        problems.append(f"{failed} of {attempted} article pages could not be fetched")
    if fetched >= limits.min_pages and dropped > limits.max_dropped_share * fetched:
        problems.append(f"{dropped} of {fetched} fetched pages dropped")
    if pending := int(stats.get("ingest/spool/pending", 0)):
        problems.append(f"{pending} items left unstored in the spool")
    if problems:
        return Verdict(UNHEALTHY, "; ".join(problems))
    return Verdict(HEALTHY, f"{stored} articles stored from {fetched} pages")
