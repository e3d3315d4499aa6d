"""One topic's archive checked: the announcements it lacks, its empty digests, and its RSS batches not
verified against OAI-PMH or disagreeing with it (`digest status`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from digest.core.calendar import announcement_days, announcement_in_force
from digest.core.models import IndexEntry

__all__ = ["ArchiveHealth", "archive_health"]


@dataclass(frozen=True)
class ArchiveHealth:
    """One topic's archive: its span, the announcements in it with no digest, empty digests, and the dates
    whose RSS batch is not verified or disagrees with OAI-PMH."""

    topic: str
    first: date
    last: date
    digests: int
    missing: list[date]
    empty: list[date]
    unverified: list[date]
    disagreeing: list[date]


def archive_health(
    topic: str,
    entries: list[IndexEntry],
    holidays: Collection[date],
    sources: dict[date, str],
    verdicts: dict[date, tuple[datetime, bool]],
) -> ArchiveHealth:
    """The archive of `topic` (its index entries) against the announcements and the RSS batches' verdicts."""
    dates = {entry.date for entry in entries}
    first, last = min(dates), max(dates)
    announced = {announcement_in_force(day, holidays): day for day in sorted(dates)}
    from_rss = {a: day for a, day in announced.items() if sources.get(a) == "rss"}
    return ArchiveHealth(
        topic=topic,
        first=first,
        last=last,
        digests=len(entries),
        missing=[day for day in announcement_days(first, last, holidays) if day not in dates],
        empty=sorted(entry.date for entry in entries if entry.count == 0),
        unverified=sorted(day for a, day in from_rss.items() if a not in verdicts),
        disagreeing=sorted(day for a, day in from_rss.items() if a in verdicts and not verdicts[a][1]),
    )
