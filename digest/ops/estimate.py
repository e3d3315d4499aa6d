"""What a backfill will cost, said before the first request: dates, announcements, what the store holds,
the OAI-PMH harvest and an estimate of requests and time.

`estimate_backfill` is pure: `backfill_dates` and `load_estimate` find the dates and what the store holds.
The estimate is rough by nature (arXiv does not say how many records a harvest holds until its first
page), so it leans high: a plan that asks for confirmation should not turn out larger than it said.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from digest.core.calendar import (
    ARXIV_TIMEZONE,
    FIRST_ANNOUNCEMENT,
    announcement_days,
    announcement_in_force,
    check_span,
    not_yet_announced,
    submission_window,
)
from digest.core.errors import InputError
from digest.core.intents import Sourcing
from digest.core.plan import Plan
from digest.core.words import plural
from digest.outputs.reports import BackfillOptions
from digest.outputs.write import digest_path
from digest.sources.api import ID_LIST_CHUNK, MAX_PAGE_SIZE
from digest.sources.oai import ANNOUNCED_DATESTAMPS, PAGE_SIZE, HarvestPart, plan_harvest, set_spec
from digest.store.database import Store
from digest.store.harvests import Coverage

__all__ = ["BackfillDates", "BackfillEstimate", "Costing", "backfill_dates", "estimate_backfill", "load_estimate"]

RECORDS_A_DAY = {
    "cs": 2000, "math": 1000, "physics:cond-mat": 500, "physics:astro-ph": 450, "physics:physics": 600,
    "physics:quant-ph": 450, "physics:hep-ph": 250, "physics:hep-th": 250, "stat": 600, "eess": 600,
    "q-bio": 200, "q-fin": 100, "econ": 80, "nlin": 80,
}  # fmt: skip
"""OAI-PMH records a set's harvest holds per calendar day (new, replaced and cross-listed papers, 2025)."""
_OTHER_SET_RECORDS_A_DAY = 150
KEPT_A_TOPIC = 70
"""Papers a topic keeps from an announcement, on the golden days' average: what the id_list requests fetch."""


@dataclass(frozen=True)
class BackfillEstimate:
    """The dates a backfill writes and skips, the announcements behind them, and what fetching them costs."""

    dates: list[date]
    skipped: list[date]
    announcements: list[date]
    stored: int
    source: str
    harvest_parts: dict[str, list[HarvestPart]]
    """What each OAI set harvests: nothing the store's coverage holds."""
    today: date
    oai_requests: int
    api_requests: int
    request_interval: float

    @property
    def requests(self) -> int:
        return self.oai_requests + self.api_requests

    def describe(self) -> str:
        """The plan in a few lines, for the terminal before the first request."""
        if not self.dates:
            written = plural(len(self.skipped), "date")
            return f"Backfill plan: nothing to write ({written} written already; --force rewrites)"
        first, last = min(self.dates), max(self.dates)
        lines = [
            f"Backfill plan: {plural(len(self.dates), 'date')} from {first} to {last} "
            f"({plural(len(self.announcements), 'announcement')}; the store holds {self.stored}, "
            f"{len(self.announcements) - self.stored} to fetch)"
            + (f", {len(self.skipped)} skipped" if self.skipped else "")
        ]
        if self.source == "offline":
            lines.append("  --offline: no request; a date the store lacks fails")
        elif self.requests == 0:
            lines.append("  every announcement is stored: no request")
        else:
            if any(self.harvest_parts.values()):
                lines.append(f"  OAI-PMH: {self._harvest_line()}: about {plural(self.oai_requests, 'page')}")
            elif self.source != "api":
                lines.append("  OAI-PMH: the store's harvest already covers these dates: no page")
            what = "window queries" if self.source == "api" else "id_list requests for the kept papers"
            lines.append(f"  API: about {self.api_requests:,} {what}")
            lines.append(
                f"  about {plural(self.requests, 'request')}: {_duration(self.requests * self.request_interval)} "
                f"at {self.request_interval:g} s a request"
            )
        return "\n".join(lines)

    def _harvest_line(self) -> str:
        sets = ", ".join(spec for spec, parts in self.harvest_parts.items() if parts)
        spans = sorted({(part.from_date, part.until) for parts in self.harvest_parts.values() for part in parts})
        shown = [f"from {start} to {until}" if until else f"from {start} to today" for start, until in spans]
        days = sum(_days(HarvestPart(start, until), self.today) for start, until in spans)
        return f"harvest {sets} {' and '.join(shown)} ({self.today}, {plural(days, 'day')})"


def _days(part: HarvestPart, today: date) -> int:
    return max(0, ((part.until or today) - part.from_date).days + 1)


@dataclass(frozen=True)
class BackfillDates:
    """The dates a backfill writes, and those it skips because their digests exist."""

    dates: list[date]
    skipped: list[date]


@dataclass(frozen=True)
class Costing:
    """What fetching costs: the interface (or `offline`), the OAI-PMH sets harvested, the topics (each keeps
    papers the API describes) and the seconds between two requests."""

    source: str
    sets: Collection[str]
    topics: int
    request_interval: float


def estimate_backfill(
    written: BackfillDates,
    window_starts: Mapping[date, date],
    stored: Collection[date],
    costing: Costing,
    *,
    today: date,
    coverage: Mapping[str, Coverage] | None = None,
) -> BackfillEstimate:
    """The plan for `written`, whose batches are those of the announcements `window_starts` gives the
    opening of each submission window for; `stored` are those the store holds.

    The harvest starts at the earliest window to fetch; what the store's `coverage` of each set holds
    already is not harvested again (`oai.plan_harvest`, the harvest's own rule).
    """
    announcements = sorted(window_starts)
    source, sets = costing.source, costing.sets
    missing = [announcement for announcement in announcements if announcement not in stored]
    records_a_day = sum(RECORDS_A_DAY.get(spec, _OTHER_SET_RECORDS_A_DAY) for spec in sets)
    parts: dict[str, list[HarvestPart]] = {}
    oai_requests = api_requests = 0
    if missing and source == "api":
        api_requests = len(missing) * math.ceil(records_a_day * 3 / MAX_PAGE_SIZE)  # a window is 1 to 3 days
    elif missing and source != "offline":
        first = min(window_starts[announcement] for announcement in missing)
        latest = max(missing) + ANNOUNCED_DATESTAMPS
        held = coverage or {}
        parts = {spec: plan_harvest(held.get(spec), first, latest) for spec in sorted(sets)}
        oai_requests = sum(
            math.ceil(_days(part, today) * RECORDS_A_DAY.get(spec, _OTHER_SET_RECORDS_A_DAY) / PAGE_SIZE)
            for spec, planned in parts.items()
            for part in planned
        )
        api_requests = math.ceil(len(missing) * costing.topics * KEPT_A_TOPIC / ID_LIST_CHUNK)
    return BackfillEstimate(
        dates=list(written.dates),
        skipped=list(written.skipped),
        announcements=announcements,
        stored=len(announcements) - len(missing),
        source=source,
        harvest_parts=parts,
        today=today,
        oai_requests=oai_requests,
        api_requests=api_requests,
        request_interval=costing.request_interval,
    )


def backfill_dates(plan: Plan, options: BackfillOptions, *, now: datetime) -> BackfillDates:
    """The dates a backfill writes and those it skips because their digests exist (unless `force`).

    Announcement dates only, unless `every_day` asks for every calendar date as the source wrote them.
    """
    check_span(options.start, options.end)
    if options.start < FIRST_ANNOUNCEMENT:
        raise InputError(
            f"--from {options.start.isoformat()}: arXiv's first announcement was {FIRST_ANNOUNCEMENT.isoformat()}"
        )
    unannounced = not_yet_announced(options.end, now, plan.holidays)
    if unannounced:
        raise InputError(f"--to {options.end.isoformat()} is in the future: {unannounced}")
    if options.every_day:
        dates = [options.start + timedelta(days=n) for n in range((options.end - options.start).days + 1)]
    else:
        dates = announcement_days(options.start, options.end, plan.holidays)

    def written(day: date) -> bool:
        return all(digest_path(plan.output_dir, topic, day).exists() for topic in plan.topics)

    todo = [day for day in dates if options.force or not written(day)]
    return BackfillDates(todo, [day for day in dates if day not in todo])


def load_estimate(
    plan: Plan, options: BackfillOptions, sourcing: Sourcing, store: Store, *, now: datetime
) -> BackfillEstimate:
    """The estimate of a backfill whose batches come as `sourcing` says, with what `store` holds of it."""
    written = backfill_dates(plan, options, now=now)
    announcements = sorted({announcement_in_force(day, plan.holidays) for day in written.dates})
    costing = Costing(
        source="offline" if sourcing.stored == "only" else sourcing.source,
        sets={set_spec(category) for category in plan.subscribed},
        topics=len(plan.topics),
        request_interval=plan.settings.request_interval,
    )
    return estimate_backfill(
        written,
        {a: submission_window(a, plan.holidays)[0].date() for a in announcements},
        {announcement for announcement in announcements if store.has_batch(announcement)},
        costing,
        today=now.astimezone(ARXIV_TIMEZONE).date(),
        coverage={coverage.set_spec: coverage for coverage in store.load_coverages()},
    )


def _duration(seconds: float) -> str:
    if seconds < 60:
        return "under a minute"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"about {hours} h {minutes} min" if hours < 48 else f"about {math.ceil(hours / 24)} days ({hours} h)"
