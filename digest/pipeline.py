"""The recipes: `run`, `backfill`, `write_records`, each a walk through the stages, each date by `run_for_date`.

    batches (store | RSS | OAI-PMH | API)  ->  select  ->  render  ->  write  ->  publish

The side effects a recipe needs (the store, the arXiv client, the publisher) come in as `Edges`, built by
`open_edges` under the output directory's lock, or by a test in memory. See docs/design.md, "Stages".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from digest.calendar import announcement_in_force, latest_announcement, not_yet_announced
from digest.errors import DigestError, FetchError, InputError
from digest.fetch.arxiv import Arxiv
from digest.lock import output_lock
from digest.models import Paper
from digest.plan import Plan
from digest.publish import PublishResult, commit_message, publish
from digest.render import render_digest, render_indexes
from digest.reports import BackfillOptions, BackfillReport, DayResult, RunOptions, RunReport
from digest.select import select_topics
from digest.store import Store
from digest.write import check_indexes, digest_path, read_archive, write_digests, write_pages

__all__ = [
    "BatchSource",
    "Edges",
    "Publisher",
    "backfill",
    "open_edges",
    "run",
    "run_for_date",
    "write_indexes",
    "write_records",
]


class BatchSource(Protocol):
    """Where a recipe's batches come from: `batches.Batches`, or a test's stand-in."""

    notes: list[str]

    def fetch_latest(self, now: datetime) -> tuple[date, list[Paper]] | None: ...

    def fetch_announcement(self, announcement: date, asked: date, now: datetime) -> list[Paper]: ...

    def fetch_range(self, dates: Iterable[date]) -> Iterator[tuple[date, list[Paper] | DigestError]]: ...


Publisher = Callable[[Plan, Sequence[DayResult], str, bool], PublishResult]
"""Commit (and push, when the flag says so) the files of these dates with this message."""


def publish_to_git(plan: Plan, days: Sequence[DayResult], message: str, push: bool) -> PublishResult:
    targeted = [path for day in days for path in day.targets(plan.output_dir)]
    return publish(plan.output_dir, targeted, message, push=push, settings=plan.settings)


@dataclass(frozen=True)
class Edges:
    """Where a recipe's side effects go: the store, arXiv, and git."""

    store: Store
    arxiv: Arxiv
    publish: Publisher = publish_to_git


@contextmanager
def open_edges(plan: Plan) -> Iterator[Edges]:
    """The real edges, under the output directory's lock: one run at a time writes there."""
    with (
        output_lock(plan.output_dir, plan.settings.lock_timeout),
        Store.open(plan.store_path) as store,
        Arxiv(plan.settings) as arxiv,
    ):
        check_indexes(plan.output_dir, plan.topics)
        yield Edges(store, arxiv)


def run_for_date(day: date, papers: Sequence[Paper], plan: Plan, store: Store) -> DayResult:
    """One date's digests: selected (less what `dedupe_days` saw listed), rendered, written, remembered."""
    seen = {
        name: store.load_listed(name, day - timedelta(days=planned.rules.dedupe_days), day)
        for name, planned in plan.topics.items()
        if planned.rules.dedupe_days
    }
    kept = select_topics(papers, plan.topics, plan.subscribed, seen)
    digests = {name: render_digest(name, plan.topics[name].topic, day, selected) for name, selected in kept.items()}
    write_digests(plan.output_dir, day, digests)
    store.save_listed(day, {name: [paper.id for paper in selected] for name, selected in kept.items()})
    return DayResult(day, {name: len(selected) for name, selected in kept.items()})


def write_indexes(output_dir: Path) -> None:
    """Bring the overview and every topic's archive page up to date with the digests on disk."""
    pages = render_indexes(read_archive(output_dir))
    write_pages(output_dir, pages)


def run(plan: Plan, options: RunOptions, edges: Edges, batches: BatchSource, *, now: datetime) -> RunReport:
    """One batch from `batches`: the latest announcement (no `day`), or the one in force on `day`; written,
    then published."""
    if options.day is not None and (unannounced := not_yet_announced(options.day, now, plan.holidays)):
        raise InputError(f"{options.day.isoformat()}: {unannounced}")
    report = RunReport(notes=batches.notes)
    asked = options.day or latest_announcement(now, plan.holidays)
    try:
        if options.day is None:
            found = batches.fetch_latest(now)
        else:
            announcement = announcement_in_force(options.day, plan.holidays)
            found = options.day, batches.fetch_announcement(announcement, options.day, now)
    except FetchError as err:
        raise FetchError(f"{asked.isoformat()}: {err}") from err
    if found is not None:
        report.days.append(run_for_date(*found, plan, edges.store))
        write_indexes(plan.output_dir)
    report.requests = edges.arxiv.requests
    report.published = publish_days(plan, report.days, options.commit, options.push, edges.publish)
    return report


def write_records(
    plan: Plan, day: date, papers: Sequence[Paper], store: Store, *, force: bool = False, allow_empty: bool = False
) -> DayResult:
    """`digest render`: records from a file, written like any run's.

    Like backfill, it replaces a published digest only with `force`; and an empty records file, far more
    often a mistake than an empty day, writes `Papers-0` digests only with `allow_empty`.
    """
    if not papers and not allow_empty:
        raise InputError("the records file holds no paper; --allow-empty writes empty digests all the same")
    existing = [path for path in (digest_path(plan.output_dir, topic, day) for topic in plan.topics) if path.exists()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more of {day.isoformat()})" if len(existing) > 1 else ""
        raise InputError(f"{existing[0]} exists already{more}; --force replaces it")
    result = run_for_date(day, papers, plan, store)
    write_indexes(plan.output_dir)
    return result


def backfill(
    plan: Plan,
    options: BackfillOptions,
    edges: Edges,
    batches: BatchSource,
    *,
    dates: Sequence[date],
    skipped: Sequence[date] = (),
    on_date: Callable[[date, str, bool], None] = lambda day, outcome, failed: None,
) -> BackfillReport:
    """Write `dates` from `batches` (one harvest for all); a failed date does not stop the others.

    The index pages are rebuilt once, after the last date (or when the range stops early), not per date.
    `on_date` hears each date's outcome and whether it failed.
    """
    report = BackfillReport(skipped=list(skipped), notes=batches.notes)
    try:
        for day, outcome in batches.fetch_range(dates):
            if isinstance(outcome, DigestError):
                report.failed.append((day, str(outcome)))
                on_date(day, str(outcome), True)
            else:
                report.days.append(run_for_date(day, outcome, plan, edges.store))
                on_date(day, report.days[-1].summary(), False)
    finally:
        if report.days:
            write_indexes(plan.output_dir)
    report.requests = edges.arxiv.requests
    report.published = publish_days(plan, report.days, options.commit, options.push, edges.publish)
    return report


def publish_days(
    plan: Plan, days: Sequence[DayResult], commit: bool, push: bool, publisher: Publisher
) -> PublishResult | None:
    """Commit (and push) what the run targeted; `--push` implies `--commit`."""
    if not (commit or push) or not days:
        return None
    return publisher(plan, days, commit_message({day.date: day.counts for day in days}), push)
