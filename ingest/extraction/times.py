"""Parse the many ways pages write a time into timezone-aware UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

# No news page we keep predates this; earlier values are CMS defaults (1970-01-01, 0001-01-01).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# A page's clock may run ahead of ours by a zone mistake, never by more than a day.
_CLOCK_SKEW = timedelta(days=1)
_DMY_RE = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")


def parse_time(value: str | None, local_zone: str = "UTC") -> datetime | None:
    """Return ``value`` as an aware UTC datetime, or None when it is not a time.

    ISO 8601 (with or without an offset), RFC 822 (feeds) and ``DD-MM-YYYY`` (Rudaw's printed
    dates) are understood. A time without an offset is taken to be in ``local_zone``, the
    site's own zone: Rudaw prints Baghdad time.
    """
    if not value or not (value := value.strip()):
        return None
    parsed = _parse(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(local_zone))
    return parsed.astimezone(UTC)


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace(" ", "T", 1) if "T" not in value else value)
    except ValueError:
        pass
    if match := _DMY_RE.match(value):
        day, month, year = (int(g) for g in match.groups())
        try:
            return datetime(year, month, day)
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def plausible(value: datetime | None, now: datetime) -> datetime | None:
    """Return ``value`` if it can be an article's time seen at ``now``: not in the future
    (beyond a day of clock skew) and not before 1990; else None."""
    if value is None or not EARLIEST <= value <= now + _CLOCK_SKEW:
        return None
    return value
