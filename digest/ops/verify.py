"""Verification: the batch RSS listed for an announcement, checked against what OAI-PMH says it held.

Two interfaces of arXiv, one answer: RSS lists an announcement as it goes out; OAI-PMH knows every version's
submission time, so the versions submitted in the announcement's window are its batch. `compare` (pure)
sets the two memberships side by side, ids and announce types, for the papers whose primary category is
subscribed (the RSS batch leaves cross-lists to their own archive). A paper one source places in a
neighbouring announcement (held in moderation, say) is named with both places, not called an error of
either. See docs/design.md, "Verification".
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from digest.core.calendar import announcement_days, announcement_time, submission_window
from digest.core.errors import DigestError
from digest.core.plan import Plan
from digest.core.words import plural
from digest.sources.batches import announce_types
from digest.sources.oai import ANNOUNCED_DATESTAMPS
from digest.store.database import Store

__all__ = [
    "Difference",
    "Harvester",
    "Verdict",
    "compare",
    "format_verdicts",
    "verdicts_json",
    "verify",
    "verify_recent",
]

log = logging.getLogger(__name__)


class Harvester(Protocol):
    """What verification needs of the batches: the store's OAI-PMH coverage brought up to a span."""

    def harvest_span(self, start: date, latest: date, now: datetime) -> None: ...


Placed = tuple[date, str]
"""Where a source puts a paper: the announcement, and its announce type there."""

_NEIGHBOURS = timedelta(days=4)
"""How far around a checked announcement a paper one source lacks is looked for in the other."""


@dataclass(frozen=True)
class Difference:
    """A paper the two sources place differently: each source's announcement and type, or None."""

    id: str
    rss: Placed | None
    oai: Placed | None

    def describe(self) -> str:
        """`2510.01234: RSS 2025-10-14 new, OAI window 2025-10-13 new`."""
        rss = f"RSS {self.rss[0].isoformat()} {self.rss[1]}" if self.rss else "not in any RSS batch stored"
        oai = f"OAI window {self.oai[0].isoformat()} {self.oai[1]}" if self.oai else "no OAI window holds it"
        return f"{self.id}: {rss}, {oai}"

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "rss": {"date": self.rss[0].isoformat(), "type": self.rss[1]} if self.rss else None,
            "oai": {"window": self.oai[0].isoformat(), "type": self.oai[1]} if self.oai else None,
        }


@dataclass(frozen=True)
class Verdict:
    """One announcement: agree, differ (with the differences), or pending (OAI-PMH cannot answer yet)."""

    announcement: date
    papers: int
    differences: Sequence[Difference] = field(default_factory=list)
    pending: bool = False

    @property
    def outcome(self) -> str:
        return "pending" if self.pending else "differ" if self.differences else "agree"


def compare(
    announcement: date,
    rss: Mapping[date, Mapping[str, str]],
    oai: Mapping[date, Mapping[str, str]],
) -> Verdict:
    """The verdict on `announcement`, from each source's memberships (announcement -> id -> announce type)
    of it and of its neighbours. Pure."""
    listed, held = rss[announcement], oai[announcement]
    differences = []
    for paper_id in sorted(set(listed) | set(held)):
        if listed.get(paper_id) == held.get(paper_id):
            continue
        in_rss = (announcement, listed[paper_id]) if paper_id in listed else _find(paper_id, rss)
        in_oai = (announcement, held[paper_id]) if paper_id in held else _find(paper_id, oai)
        differences.append(Difference(paper_id, in_rss, in_oai))
    return Verdict(announcement, len(listed), differences)


def _find(paper_id: str, memberships: Mapping[date, Mapping[str, str]]) -> Placed | None:
    for announcement, members in sorted(memberships.items()):
        if paper_id in members:
            return announcement, members[paper_id]
    return None


def verify(plan: Plan, store: Store, batches: Harvester, start: date, end: date, *, now: datetime) -> list[Verdict]:
    """Check every batch the store holds from RSS, announced from `start` to `end`; record each verdict.

    OAI-PMH is harvested incrementally, only as far as the store's coverage lacks. An announcement whose
    records OAI-PMH may not hold yet (less than a day after it went out) is pending, not checked.
    """
    from_rss = [a for a, source in store.load_batch_sources(start, end).items() if source == "rss"]
    ready = [a for a in from_rss if now >= announcement_time(a) + timedelta(days=1)]
    verdicts = {a: Verdict(a, len(store.load_members(a)), pending=True) for a in from_rss if a not in ready}
    if ready:
        around = [
            a
            for a in announcement_days(min(ready) - _NEIGHBOURS, max(ready) + _NEIGHBOURS, plan.holidays)
            if now >= announcement_time(a) + timedelta(days=1)
        ]
        windows = {a: submission_window(a, plan.holidays) for a in around}
        batches.harvest_span(min(s for s, _ in windows.values()).date(), max(around) + ANNOUNCED_DATESTAMPS, now)
        sources = store.load_batch_sources(min(around), max(around))
        rss = {a: _rss_members(store, a) for a in around if sources.get(a) == "rss"}
        oai = {a: _oai_members(plan, store, *window) for a, window in windows.items()}
        for announcement in ready:
            verdict = compare(announcement, rss, oai)
            store.save_verdict(announcement, now, [difference.as_json() for difference in verdict.differences])
            verdicts[announcement] = verdict
    return [verdicts[a] for a in sorted(verdicts)]


def verify_recent(plan: Plan, store: Store, batches: Harvester, *, now: datetime) -> list[Verdict]:
    """After a run: the RSS batches of the last `verify_days` checked against OAI-PMH, disagreements logged
    as warnings. A verification that fails is a warning too: it never fails the digests it checks."""
    if not plan.settings.verify_days:
        return []
    today = now.date()
    try:
        start = today - timedelta(days=plan.settings.verify_days)
        verdicts = verify(plan, store, batches, start, today, now=now)
    except DigestError as err:
        log.warning("verification against OAI-PMH failed: %s; the digests stand, the next run tries again", err)
        return []
    for verdict in verdicts:
        for difference in verdict.differences:
            log.warning("%s: RSS and OAI-PMH differ: %s", verdict.announcement.isoformat(), difference.describe())
    return verdicts


def _rss_members(store: Store, announcement: date) -> dict[str, str]:
    return {paper_id: announce_type for paper_id, _, announce_type in store.load_members(announcement)}


def _oai_members(plan: Plan, store: Store, start: datetime, end: datetime) -> dict[str, str]:
    """The window's batch as OAI-PMH places it: papers whose primary category is subscribed."""
    types = announce_types(store.versions_submitted_between(start, end))
    primaries = store.load_primaries(list(types))
    return {paper_id: kind for paper_id, kind in types.items() if primaries.get(paper_id) in plan.subscribed}


def format_verdicts(verdicts: Sequence[Verdict], start: date, end: date) -> str:
    """One line a date (and one more a difference), then the tally."""
    if not verdicts:
        return f"no batch from RSS is stored from {start} to {end}: nothing to verify\n"
    lines = []
    for verdict in verdicts:
        day = verdict.announcement.isoformat()
        if verdict.pending:
            lines.append(f"{day}: pending: OAI-PMH holds its records from the day after it went out")
        elif not verdict.differences:
            lines.append(f"{day}: agree ({plural(verdict.papers, 'paper')})")
        else:
            count = len(verdict.differences)
            lines.append(f"{day}: {plural(count, 'difference')} ({plural(verdict.papers, 'paper')} from RSS)")
            lines += [f"  {difference.describe()}" for difference in verdict.differences]
    checked = [verdict for verdict in verdicts if not verdict.pending]
    differ = sum(1 for verdict in checked if verdict.differences)
    lines.append(f"{plural(len(checked), 'date')} verified: {len(checked) - differ} agree, {differ} differ")
    return "\n".join(lines) + "\n"


def verdicts_json(verdicts: Sequence[Verdict]) -> str:
    dates = [
        {
            "date": verdict.announcement.isoformat(),
            "verdict": verdict.outcome,
            "papers": verdict.papers,
            "differences": [difference.as_json() for difference in verdict.differences],
        }
        for verdict in verdicts
    ]
    return json.dumps({"agree": all(verdict.outcome != "differ" for verdict in verdicts), "dates": dates}, indent=2)
