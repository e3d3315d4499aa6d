"""Crontab lines and time zones, parsed once for the configuration's check and the scheduler alike.

Pure: a string in, an APScheduler trigger or a zone out, or ValueError saying what is wrong.
"""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

__all__ = ["crontab_trigger", "time_zone"]

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_trigger(expression: str, zone: tzinfo) -> CronTrigger:
    """A trigger from a standard 5-field crontab line, read in `zone`.

    Day-of-week numbers are read as cron reads them (0 or 7 = Sunday, 1 = Monday); APScheduler 3's own
    `from_crontab` would read 0 as Monday, so numbers are turned into day names first.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{expression!r} is not a crontab line (5 fields, e.g. '30 6 * * *')")
    try:
        fields[4] = _weekdays_by_name(fields[4])
        return CronTrigger.from_crontab(" ".join(fields), timezone=zone)
    except ValueError as err:
        raise ValueError(f"{expression!r} is not a valid crontab line: {err}") from err


def time_zone(name: str) -> tzinfo:
    """The IANA zone `name` (`UTC`, `Europe/Berlin`)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. UTC)") from err


def _weekdays_by_name(field: str) -> str:
    """Cron's day-of-week field with every number replaced by day names: `1-5` -> `mon,tue,wed,thu,fri`."""
    if not any(char.isdigit() for char in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        else:
            start, _, end = span.partition("-")
            first = _day_number(start)
            last = _day_number(end) if end else (6 if step else first)
        if last < first:
            raise ValueError(f"day-of-week range {span!r} runs backwards")
        days.update(day % 7 for day in range(first, last + 1, int(step) if step else 1))
    return ",".join(_DAY_NAMES[day] for day in sorted(days))


def _day_number(text: str) -> int:
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text.lower()[:3] in _DAY_NAMES:
        return _DAY_NAMES.index(text.lower()[:3])
    raise ValueError(f"{text!r} is not a day of the week (0-7 or sun-sat)")
