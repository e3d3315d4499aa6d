"""`digest status`: the store, the archive and the runs on one screen, and the health check behind it.

`load_status` reads the store and the output directory (no network); `Status` formats itself for a person
or as JSON for monitoring; `overdue` is the check a cron line or a container's HEALTHCHECK runs: the latest
announcement whose digests the schedule should have written by now. See docs/design.md, "Health".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from digest.core.calendar import (
    announcement_time,
    latest_announcement,
    previous_announcement,
)
from digest.core.crontab import crontab_trigger, time_zone
from digest.core.journal import JournalEntry
from digest.core.plan import Plan
from digest.core.redact import redact
from digest.core.words import plural
from digest.ops.archive_health import ArchiveHealth, archive_health
from digest.outputs.write import digest_path, read_archive
from digest.store.database import Store
from digest.store.harvests import Coverage
from digest.store.lock import lock_held, lock_path
from digest.store.runs import RunRecord

__all__ = ["Status", "due_time", "latest_due", "load_status", "missing_topics", "overdue"]

FEEDS_REBUILT = timedelta(hours=4)
"""arXiv rebuilds its RSS feeds by midnight US Eastern, four hours (five in winter) after the announcement."""
RUN_SLACK = timedelta(hours=1)
"""How long a scheduled run may take before its digests count as missing."""
OWED_TOO_LONG = timedelta(days=1)
"""A message owed longer than this fails the check: its target has refused it on every run since."""
SHOWN_RUNS = 10


@dataclass
class Status:
    output_dir: Path
    labels_dir: Path
    store_path: Path
    store_bytes: int
    counts: dict[str, int]
    coverage: list[Coverage]
    last_verified: date | None
    archive: list[ArchiveHealth]
    runs: list[RunRecord]
    last_success: RunRecord | None
    overdue: str | None = None
    owed: list[tuple[date, datetime | None]] = field(default_factory=list)
    """Messages not sent yet: their date and when they were queued."""
    unfinished: list[JournalEntry] = field(default_factory=list)
    in_progress: bool = False
    """A run holds the output directory's lock: its unfinished dates may be its own work."""
    now: datetime | None = None
    notes: list[str] = field(default_factory=list)
    summaries_owed: int | None = None
    """Papers listed without their summary yet (`llm.summaries`; None when off): the next runs make them."""

    def problems(self) -> list[str]:
        """What `status --check` fails on: the latest due digest missing, messages owed for over a day,
        dates an interrupted run left unfinished."""
        found = [self.overdue] if self.overdue else []
        late = sorted(
            {
                day
                for day, queued in self.owed
                if self.now is None or queued is None or self.now - queued > OWED_TOO_LONG
            }
        )
        if late:
            found.append(
                f"messages owed for more than a day, of {_dates(late)}: a notification target refuses them "
                "(`digest status` shows why); each run with notifications retries"
            )
        if self.unfinished and not self.in_progress:
            owes = ", ".join(f"{entry.day} ({', '.join(entry.owed)})" for entry in self.unfinished[:10])
            more = f" (and {len(self.unfinished) - 10} more)" if len(self.unfinished) > 10 else ""
            found.append(
                f"dates left unfinished by an interrupted run: {owes}{more}; the next `digest run` or "
                "`digest backfill` finishes them"
            )
        return found

    def describe(self) -> str:
        lines = [f"Output: {self.output_dir}", f"Labels: {self.labels_dir}"]
        lines.append(f"Store: {self.store_path} ({self.store_bytes / 1_048_576:.1f} MB)")
        lines.append("  " + ", ".join(_counted(what, count) for what, count in self.counts.items()))
        for held in self.coverage:
            lines.append(
                f"  OAI-PMH {held.set_spec}: every record stamped {held.start} to {held.end} "
                f"(harvested {held.harvested_at:%Y-%m-%d %H:%M} UTC)"
            )
        lines.append(f"  last verified against OAI-PMH: {self.last_verified or 'never'}")
        lines.append("Archive:")
        if not self.archive:
            lines.append("  no digest yet")
        for health in self.archive:
            lines.append(f"  {health.topic}: {plural(health.digests, 'digest')}, {health.first} to {health.last}")
            for label, days in (
                ("missing announcements", health.missing),
                ("empty digests", health.empty),
                ("RSS batches not verified", health.unverified),
                ("RSS and OAI-PMH disagree", health.disagreeing),
            ):
                if days:
                    lines.append(f"    {label}: {_dates(days)}")
        lines.append("Runs (newest first):")
        if not self.runs:
            lines.append("  none recorded")
        lines += [f"  {_run_line(run)}" for run in self.runs]
        success = _run_line(self.last_success) if self.last_success else "never"
        lines.append(f"  last success: {success}")
        lines.append(f"Messages owed: {self._owed_line()}")
        if self.summaries_owed is not None:
            lines.append(f"Summaries owed: {self.summaries_owed:,}")
        unfinished = ", ".join(f"{entry.day} ({', '.join(entry.owed)})" for entry in self.unfinished) or "none"
        lines.append(f"Unfinished dates: {unfinished}" + (" (a run is in progress)" if self.in_progress else ""))
        lines.append(f"Check: {'; '.join(self.problems()) or 'ok'}")
        return "\n".join(lines) + "\n"

    def _owed_line(self) -> str:
        if not self.owed:
            return "none"
        day, queued = self.owed[0]
        when = f", queued {queued:%Y-%m-%d %H:%M} UTC" if queued else ""
        return f"{len(self.owed)} (the oldest of {day}{when})"

    def as_json(self) -> str:
        data = {
            "output_dir": str(self.output_dir),
            "labels_dir": str(self.labels_dir),
            "store": {
                "path": str(self.store_path),
                "bytes": self.store_bytes,
                "counts": self.counts,
                "coverage": [
                    {
                        "set": held.set_spec,
                        "start": held.start.isoformat(),
                        "end": held.end.isoformat(),
                        "harvested_at": held.harvested_at.isoformat(),
                    }
                    for held in self.coverage
                ],
                "last_verified": self.last_verified.isoformat() if self.last_verified else None,
            },
            "archive": [
                {
                    "topic": health.topic,
                    "first": health.first.isoformat(),
                    "last": health.last.isoformat(),
                    "digests": health.digests,
                    "missing": [day.isoformat() for day in health.missing],
                    "empty": [day.isoformat() for day in health.empty],
                    "unverified": [day.isoformat() for day in health.unverified],
                    "disagreeing": [day.isoformat() for day in health.disagreeing],
                }
                for health in self.archive
            ],
            "runs": [_run_json(run) for run in self.runs],
            "last_success": _run_json(self.last_success) if self.last_success else None,
            "owed": [
                {"date": day.isoformat(), "queued_at": queued.isoformat() if queued else None}
                for day, queued in self.owed
            ],
            "unfinished": [{"date": entry.day.isoformat(), "owed": list(entry.owed)} for entry in self.unfinished],
            "in_progress": self.in_progress,
            "summaries_owed": self.summaries_owed,
            "check": {"ok": not self.problems(), "problem": "; ".join(self.problems()) or None},
        }
        return json.dumps(data, indent=2)


def load_status(plan: Plan, *, now: datetime) -> Status:
    """Everything `digest status` shows, from the store and the output directory; no network."""
    with Store.open(plan.store_path) as store:
        verdicts = store.load_verdicts()
        archive = read_archive(plan.output_dir, plan.every_topic)
        sources = store.load_batch_sources(date.min, date.max)
        health = [
            archive_health(topic, entries, plan.holidays, sources, verdicts)
            for topic, entries in sorted(archive.items())
        ]
        return Status(
            output_dir=plan.output_dir,
            labels_dir=plan.settings.labels_dir,
            store_path=plan.store_path,
            store_bytes=_size(plan.store_path),
            counts=store.count_rows(),
            coverage=store.load_coverages(),
            last_verified=max(verdicts, default=None),
            archive=health,
            runs=[_redacted(run) for run in store.load_runs(SHOWN_RUNS)],
            last_success=store.load_last_success(),
            overdue=overdue(plan, now=now),
            owed=store.load_owed(),
            unfinished=store.load_unfinished(plan.output_dir),
            in_progress=lock_held(lock_path(plan.store_path.parent, plan.output_dir)),
            now=now,
            summaries_owed=len(store.load_owed_summaries(plan.llm.summaries_asked))
            if plan.llm is not None and plan.llm.summaries
            else None,
        )


def due_time(announcement: date, plan: Plan, slack: timedelta = RUN_SLACK) -> datetime:
    """When the schedule should have written the digests of `announcement`: its first tick once arXiv's
    feed carries the batch, plus the time a run may take (`slack`)."""
    settings = plan.settings
    trigger = crontab_trigger(settings.schedule, time_zone(settings.schedule_timezone))
    ready = announcement_time(announcement) + FEEDS_REBUILT
    tick = trigger.get_next_fire_time(None, ready)
    return (tick or ready) + slack


def latest_due(plan: Plan, *, now: datetime, slack: timedelta = RUN_SLACK) -> date:
    """The latest announcement whose digests the schedule should have written by `now`."""
    announcement = latest_announcement(now, plan.holidays)
    while due_time(announcement, plan, slack) > now:
        announcement = previous_announcement(announcement, plan.holidays)
    return announcement


def missing_topics(plan: Plan, announcement: date) -> list[str]:
    """The topics without a digest of `announcement`."""
    return [topic for topic in plan.topics if not digest_path(plan.output_dir, topic, announcement).exists()]


def overdue(plan: Plan, *, now: datetime) -> str | None:
    """The latest announcement due by `now` whose digests are not all written, said in one line; or None."""
    announcement = latest_due(plan, now=now)
    missing = missing_topics(plan, announcement)
    if not missing:
        return None
    due = due_time(announcement, plan)
    return (
        f"the digest of {announcement.isoformat()} is missing for {', '.join(missing)} (due by "
        f"{due:%Y-%m-%d %H:%M} UTC): check the scheduler's log, then `digest run --date {announcement.isoformat()}`"
    )


def _size(store_path: Path) -> int:
    """The store's file and its write-ahead log."""
    files = store_path.parent.glob(f"{store_path.name}*")
    return sum(path.stat().st_size for path in files if path.is_file())


def _dates(days: list[date]) -> str:
    shown = ", ".join(day.isoformat() for day in days[:10])
    return f"{shown} (and {len(days) - 10} more)" if len(days) > 10 else shown


def _redacted(run: RunRecord) -> RunRecord:
    """A run as shown: its error redacted again, for a row an older version stored with a secret in clear."""
    return replace(run, error=redact(run.error)) if run.error else run


def _run_line(run: RunRecord) -> str:
    dates = f" {run.dates[0]}" if len(run.dates) == 1 else f" {run.dates[0]}..{run.dates[-1]}" if run.dates else ""
    error = f": {run.error}" if run.error else ""
    tokens = f", model tokens {run.tokens[0]:,} in, {run.tokens[1]:,} out" if any(run.tokens) else ""
    requests = plural(run.requests, "request")
    return f"{run.started:%Y-%m-%d %H:%M} {run.command}{dates}: {run.outcome}, {requests}{tokens}{error}"


def _run_json(run: RunRecord) -> dict[str, object]:
    return {
        "started": run.started.isoformat(),
        "command": run.command,
        "dates": [day.isoformat() for day in run.dates],
        "outcome": run.outcome,
        "requests": run.requests,
        "tokens_in": run.tokens[0],
        "tokens_out": run.tokens[1],
        "error": run.error,
    }


def _counted(what: str, count: int) -> str:
    """A store count as a phrase: `1 batch from rss`, `2,000 papers` (the keys are the JSON's, in the plural)."""
    noun, _, rest = what.partition(" ")
    singular = {"batches": "batch", "papers": "paper"}.get(noun, noun)
    return " ".join([plural(count, singular, noun), rest]).strip()
