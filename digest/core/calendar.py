"""arXiv's announcement calendar: which batch a date names, and which submissions that batch holds.

Pure: no clock, no network; the only file read is the holiday list shipped in the package.

arXiv announces at 20:00 US Eastern, Sunday to Thursday. An *announcement* is named by the Eastern
date of that evening. Its batch holds the submissions received from the previous announcement's
cutoff up to 14:00 Eastern on its own cutoff day (Monday–Thursday: the same day; Sunday: the Friday
before). On a holiday arXiv skips the announcement and the next one's window grows to cover both.

A digest dated D shows the batch on the listing on the evening of D: D's own announcement when D has
one, else the previous one (Fridays, Saturdays and holidays repeat the last batch).

arXiv's listing and the RSS channel ``pubDate`` label the announcement of evening A with the *mailing
date* A + 1 day; the RSS feed switches to it at midnight Eastern.

Holidays are stored as the evenings whose announcement is skipped (Sunday–Thursday), the way arXiv's
own lists read (2025 lists "Sun 6 July", which is an evening, never a mailing date). The mailing that
disappears is the day after. A Friday or Saturday is rejected as a holiday: it has no announcement to
skip. See ``digest/data/holidays.txt`` for the list and how Friday holidays were translated.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from digest.core.errors import InputError

__all__ = [
    "ARXIV_TIMEZONE",
    "FIRST_ANNOUNCEMENT",
    "announcement_days",
    "announcement_in_force",
    "announcement_time",
    "check_span",
    "cutoff",
    "has_announcement",
    "holiday_problem",
    "latest_announcement",
    "load_holidays",
    "mailing_date",
    "not_yet_announced",
    "parse_holidays",
    "previous_announcement",
    "submission_window",
]

ARXIV_TIMEZONE = ZoneInfo("America/New_York")
"""The zone of arXiv's schedule; every local time here is converted through it."""

_CUTOFF_TIME = time(14, 0)
_ANNOUNCEMENT_TIME = time(20, 0)
FIRST_ANNOUNCEMENT = date(1991, 8, 14)
"""arXiv's first mailing went out in August 1991: no date before it has a batch."""
_ONE_DAY = timedelta(days=1)
# Longest run of days without an announcement we accept before calling the holiday list nonsense.
_MAX_GAP = timedelta(days=31)
_FRIDAY, _SATURDAY, _SUNDAY = 4, 5, 6


def _check_date(value: object, name: str) -> date:
    # datetime is a date subclass; accepting one here would silently drop its time and zone.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InputError(f"{name} must be a date, not {value!r}")
    return value


def _is_announcement_weekday(day: date) -> bool:
    return day.weekday() not in (_FRIDAY, _SATURDAY)


def parse_holidays(text: str, source: str) -> frozenset[date]:
    """Parse a holiday list: one ISO date a line, `#` starts a comment, blank lines ignored."""
    days: set[date] = set()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            day = date.fromisoformat(line)
        except ValueError:
            raise InputError(f"{source}, line {number}: {line!r} is not an ISO date (YYYY-MM-DD)") from None
        problem = holiday_problem(day)
        if problem:
            raise InputError(f"{source}, line {number}: {problem}")
        days.add(day)
    return frozenset(days)


def holiday_problem(day: date) -> str | None:
    """Why `day` cannot be a holiday (a Friday or Saturday has no announcement to skip), or None."""
    if _is_announcement_weekday(day):
        return None
    return (
        f"{day.isoformat()} is a {day:%A}, which has no announcement to skip; "
        "holidays name skipped announcement evenings (Sunday to Thursday)"
    )


@functools.cache
def _packaged_holidays() -> frozenset[date]:
    text = resources.files("digest.core").joinpath("data", "holidays.txt").read_text(encoding="utf-8")
    return parse_holidays(text, "digest/data/holidays.txt")


def load_holidays(extra: Iterable[date] = ()) -> frozenset[date]:
    """The holidays shipped with the package plus `extra` (``settings.holidays``, validated with the config)."""
    return _packaged_holidays() | frozenset(extra)


def has_announcement(day: date, holidays: Collection[date]) -> bool:
    """Whether arXiv announces a batch at 20:00 Eastern on `day`."""
    _check_date(day, "day")
    return _is_announcement_weekday(day) and day not in holidays


def announcement_in_force(day: date, holidays: Collection[date]) -> date:
    """The announcement whose batch is on the listing on the evening of `day` (`day` itself if it has one)."""
    _check_date(day, "day")
    candidate = day
    while not has_announcement(candidate, holidays):
        candidate -= _ONE_DAY
        if day - candidate > _MAX_GAP:
            raise InputError(f"no arXiv announcement in the {_MAX_GAP.days} days up to {day.isoformat()}")
    return candidate


def _check_announcement(announcement: date, holidays: Collection[date]) -> date:
    if not has_announcement(announcement, holidays):
        raise InputError(f"{announcement.isoformat()} ({announcement:%A}) has no arXiv announcement")
    return announcement


def previous_announcement(announcement: date, holidays: Collection[date]) -> date:
    """The announcement before `announcement`, skipping weekends and holidays."""
    _check_announcement(announcement, holidays)
    return announcement_in_force(announcement - _ONE_DAY, holidays)


def announcement_days(start: date, end: date, holidays: Collection[date]) -> list[date]:
    """Every announcement from `start` to `end`, both included, in order."""
    _check_date(start, "start")
    _check_date(end, "end")
    if start > end:
        raise InputError(f"the range starts ({start.isoformat()}) after it ends ({end.isoformat()})")
    days = (start + timedelta(days=offset) for offset in range((end - start).days + 1))
    return [day for day in days if has_announcement(day, holidays)]


def cutoff(announcement: date) -> datetime:
    """The end of `announcement`'s submission window, 14:00 Eastern on its cutoff day, in UTC."""
    _check_date(announcement, "announcement")
    if not _is_announcement_weekday(announcement):
        raise InputError(f"{announcement.isoformat()} is a {announcement:%A}: arXiv never announces then")
    cutoff_day = announcement - timedelta(days=2) if announcement.weekday() == _SUNDAY else announcement
    return datetime.combine(cutoff_day, _CUTOFF_TIME, tzinfo=ARXIV_TIMEZONE).astimezone(UTC)


def submission_window(announcement: date, holidays: Collection[date]) -> tuple[datetime, datetime]:
    """The submissions `announcement` holds: [previous announcement's cutoff, its own cutoff), in UTC."""
    previous = previous_announcement(announcement, holidays)
    return cutoff(previous), cutoff(announcement)


def announcement_time(announcement: date) -> datetime:
    """When the batch of `announcement` goes public: 20:00 Eastern that evening, in UTC."""
    _check_date(announcement, "announcement")
    return datetime.combine(announcement, _ANNOUNCEMENT_TIME, tzinfo=ARXIV_TIMEZONE).astimezone(UTC)


def check_span(start: date, end: date) -> None:
    """Refuse a span of dates that ends before it starts, in the words every command uses."""
    if start > end:
        raise InputError(f"--from {start.isoformat()} is after --to {end.isoformat()}")


def not_yet_announced(day: date, now: datetime, holidays: Collection[date]) -> str | None:
    """Why no batch can be dated `day` at `now`, or None when its batch is public.

    The one rule for `run --date` and `backfill --to`: the batch in force on `day` (its own announcement,
    or on a Friday, Saturday or holiday the one before) must have been announced by `now`.
    """
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise InputError(f"now must be a timezone-aware datetime, not {now!r}")
    if _check_date(day, "day") < FIRST_ANNOUNCEMENT:
        return f"arXiv has no batch for {day.isoformat()}: its first announcement was {FIRST_ANNOUNCEMENT.isoformat()}"
    announcement = announcement_in_force(day, holidays)
    if announcement_time(announcement) <= now:
        return None
    return (
        f"arXiv has not announced the batch for {day.isoformat()} yet "
        f"(it is announced at 20:00 US Eastern on {announcement:%A} {announcement.isoformat()})"
    )


def mailing_date(announcement: date) -> date:
    """The date arXiv's listing and RSS ``pubDate`` give the announcement of evening `announcement`."""
    _check_date(announcement, "announcement")
    if not _is_announcement_weekday(announcement):
        raise InputError(f"{announcement.isoformat()} is a {announcement:%A}: arXiv never announces then")
    return announcement + _ONE_DAY


def latest_announcement(now: datetime, holidays: Collection[date]) -> date:
    """The announcement the RSS feed shows at `now`: the latest one whose mailing day has begun in Eastern time."""
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise InputError(f"now must be a timezone-aware datetime, not {now!r}")
    local_today = now.astimezone(ARXIV_TIMEZONE).date()
    return announcement_in_force(local_today - _ONE_DAY, holidays)
