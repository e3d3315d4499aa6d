"""The recipes: `run`, `backfill`, `write_records`, each a walk through the stages, each date by `run_for_date`.

    batches (store | RSS | OAI-PMH | API)  ->  select  ->  render  ->  write  ->  publish

The side effects a recipe needs (the store, the arXiv client, the publisher) come in as `Edges`, built by
`open_edges` under the output directory's lock, or by a test in memory. See docs/design.md, "Stages".
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import TYPE_CHECKING, Protocol, cast

from digest.core.calendar import announcement_in_force, announcement_time, latest_announcement, not_yet_announced
from digest.core.errors import DigestError, FetchError, InputError, ModelError, StoreError
from digest.core.journal import Step
from digest.core.models import Paper
from digest.core.plan import Plan
from digest.core.redact import redact
from digest.core.words import plural
from digest.llm.cache import load_summaries
from digest.llm.judge import judge_candidates, judge_decisions, judge_papers
from digest.llm.settings import LlmSettings
from digest.ops.verify import Verdict, verify
from digest.outputs.day_record import Source, day_record, record_json
from digest.outputs.feeds import write_feeds
from digest.outputs.notify import Sender, notify_days, send_apprise
from digest.outputs.publish import PublishResult, commit_message, publish
from digest.outputs.render import render_digest, render_indexes
from digest.outputs.reports import BackfillOptions, BackfillReport, DayResult, Delivery, RunOptions, RunReport
from digest.outputs.site import build_site, site_dir_of
from digest.outputs.summarised import add_summaries
from digest.outputs.write import (
    check_indexes,
    digest_path,
    read_archive,
    remove_leftovers,
    write_digests,
    write_pages,
)
from digest.selection.select import select_decisions
from digest.selection.semantic import score_topics
from digest.sources.arxiv import Arxiv
from digest.sources.batches import Batches
from digest.store.database import Store
from digest.store.lock import lock_path, output_lock
from digest.store.runs import RunRecord

if TYPE_CHECKING:
    from digest.llm.client import ModelClient

log = logging.getLogger(__name__)

__all__ = [
    "BatchSource",
    "Edges",
    "Publisher",
    "backfill",
    "finish_dates",
    "finish_unfinished",
    "index_dates",
    "notify",
    "open_edges",
    "recording",
    "reopen_unjudged",
    "run",
    "run_for_date",
    "verify_recent",
    "write_date",
    "write_indexes",
    "write_records",
]


class BatchSource(Protocol):
    """Where a recipe's batches come from: `batches.Batches`, or a test's stand-in."""

    notes: list[str]

    def fetch_latest(self, now: datetime) -> tuple[date, list[Paper]] | None: ...

    def fetch_announcement(self, announcement: date, asked: date, now: datetime) -> list[Paper]: ...

    def fetch_range(self, dates: Iterable[date], now: datetime) -> Iterator[tuple[date, list[Paper] | DigestError]]: ...


Publisher = Callable[[Plan, Sequence[DayResult], str, bool], PublishResult]
"""Commit (and push, when the flag says so) the files of these dates with this message."""


def publish_to_git(plan: Plan, days: Sequence[DayResult], message: str, push: bool) -> PublishResult:
    targeted = [path for day in days for path in day.targets(plan.output_dir, feeds=plan.settings.feeds)]
    site_dir = site_dir_of(plan.settings.site_dir, plan.output_dir) if plan.settings.site else None
    return publish(plan.output_dir, targeted, message, push=push, settings=plan.settings, site_dir=site_dir)


@dataclass(frozen=True)
class Edges:
    """Where a recipe's side effects go: the store, arXiv, git, the notification targets, and the language
    model (`llm:`; None when none is configured)."""

    store: Store
    arxiv: Arxiv
    publish: Publisher = publish_to_git
    send: Sender = send_apprise
    model: ModelClient | None = None


@contextmanager
def open_edges(plan: Plan) -> Iterator[Edges]:
    """The real edges, under the output directory's lock: one run at a time writes there."""
    with (
        output_lock(lock_path(plan.store_path.parent, plan.output_dir), plan.settings.lock_timeout),
        Store.open(plan.store_path) as store,
        Arxiv(plan.settings) as arxiv,
    ):
        check_indexes(plan.output_dir, plan.every_topic)
        remove_leftovers(plan.output_dir, plan.every_topic)
        if plan.llm is None:
            yield Edges(store, arxiv)
            return
        from digest.llm.client import ModelClient  # the openai package takes a second to import: only when used

        with ModelClient(plan.llm, os.environ) as model:
            yield Edges(store, arxiv, model=model)


def run_for_date(
    day: date,
    papers: Sequence[Paper],
    plan: Plan,
    store: Store,
    source: Source | None,
    model: ModelClient | None = None,
    *,
    now: datetime | None = None,
) -> DayResult:
    """One date's digests and their JSON records: selected (less what `dedupe_days` saw listed, and what a
    topic's judge said no to), rendered, written together, remembered. `source` is where the batch came
    from (None: an empty batch, not stored). A judged topic whose verdicts the `model` could not all give
    is not written: `DayResult.unjudged` says why."""
    seen = {
        name: store.load_listed(name, day - timedelta(days=planned.rules.dedupe_days), day)
        for name, planned in plan.topics.items()
        if planned.rules.dedupe_days
    }
    scores = score_topics(papers, plan.topics, store)
    candidates = select_decisions(papers, judge_candidates(plan.topics), plan.subscribed, seen, scores)
    made_at = now or datetime.now(UTC)
    kept, unjudged = judge_decisions(
        plan.topics,
        candidates,
        lambda judge, asked: judge_papers(
            store, model, cast("LlmSettings", plan.llm), judge, asked, now=lambda: made_at
        ),
    )
    code_links = plan.settings.code_links
    announcement = announcement_in_force(day, plan.holidays)
    announced = announcement_time(announcement)
    summaries = load_summaries(store, plan.llm, sorted({d.paper.id for decided in kept.values() for d in decided}))
    shown = summaries if plan.llm is not None and plan.llm.summaries_in_digest else None
    digests = {
        name: render_digest(
            name, plan.topics[name].topic, day, [d.paper for d in decided], code_links=code_links, summaries=shown
        )
        for name, decided in kept.items()
    }
    records = {
        name: record_json(day_record(name, day, announcement, announced, source, decided, summaries))
        for name, decided in kept.items()
    }
    before = {name: list(store.load_listed(name, day, day + timedelta(days=1))) for name in kept}
    write_digests(plan.output_dir, day, digests, records)
    listed = {name: [decision.paper.id for decision in decided] for name, decided in kept.items()}
    store.save_listed(day, listed)
    return DayResult(day, listed, before, unjudged)


def write_indexes(plan: Plan, store: Store) -> None:
    """Bring the overview, every topic's archive page, its feed and the site (`site: true`) up to date with the
    digests on disk."""
    archive = read_archive(plan.output_dir, plan.every_topic)
    write_pages(plan.output_dir, render_indexes(archive, feeds=plan.settings.feeds))
    if plan.settings.feeds:
        write_feeds(plan, store, archive)
    if plan.settings.site:
        site_dir = site_dir_of(plan.settings.site_dir, plan.output_dir)
        log.info("%s", build_site(plan.output_dir, site_dir, plan.every_topic).summary())


def _announced(plan: Plan, day: date) -> datetime:
    """When the batch a digest of `day` shows went public: its feed entries' `updated`."""
    return announcement_time(announcement_in_force(day, plan.holidays))


def run(plan: Plan, options: RunOptions, edges: Edges, batches: BatchSource, *, now: datetime) -> RunReport:
    """One batch from `batches`: the latest announcement (no `day`), or the one in force on `day`; written,
    then published. What an earlier run left unfinished is finished first."""
    if options.day is not None and (unannounced := not_yet_announced(options.day, now, plan.holidays)):
        raise InputError(f"{options.day.isoformat()}: {unannounced}")
    recovered, recovered_days = finish_unfinished(plan, edges, batches, now=now)
    report = RunReport(notes=batches.notes)
    asked = options.asked_steps()
    day = options.day or latest_announcement(now, plan.holidays)
    try:
        if options.day is None:
            found = batches.fetch_latest(now)
        else:
            announcement = announcement_in_force(options.day, plan.holidays)
            found = options.day, batches.fetch_announcement(announcement, options.day, now)
    except FetchError as err:
        raise err.on(day) from err
    if found is not None:
        report.days.append(write_date(*found, plan, edges, asked, now=now))
        index_dates(plan, report.days, edges)
    report.requests = edges.arxiv.requests
    report.published, delivery = finish_dates(plan, report.days, asked, edges, now=now, renotify=options.renotify)
    report.delivery = recovered.joined(delivery)
    report.unjudged = reopen_unjudged(plan, [*recovered_days, *report.days], asked, edges, now=now)
    report.usage = edges.model.usage if edges.model is not None else None
    return report


def reopen_unjudged(
    plan: Plan, days: Sequence[DayResult], asked: Sequence[Step], edges: Edges, *, now: datetime
) -> list[str]:
    """The dates a judged topic could not be written for enter the journal again, every step owed, so the
    next run writes, publishes and sends them whole; one line per such topic and date."""
    lines = []
    for day in days:
        if day.unjudged:
            edges.store.begin_journal(plan.output_dir, day.date, asked, now)
        lines += [
            f"{day.date.isoformat()}: {topic} not written, the judge could not answer: {cause}"
            for topic, cause in day.unjudged.items()
        ]
    return lines


def write_records(
    plan: Plan,
    day: date,
    papers: Sequence[Paper],
    store: Store,
    *,
    force: bool = False,
    allow_empty: bool = False,
    model: ModelClient | None = None,
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
    store.save_papers(papers, replace=False)  # the feeds read them from the store
    result = run_for_date(day, papers, plan, store, "records", model)
    write_indexes(plan, store)
    if result.unjudged:
        topic, cause = next(iter(result.unjudged.items()))
        raise ModelError(f"{day.isoformat()}: {topic} not written, the judge could not answer: {cause}")
    return result


def backfill(
    plan: Plan,
    options: BackfillOptions,
    edges: Edges,
    batches: BatchSource,
    *,
    dates: Sequence[date],
    now: datetime,
    skipped: Sequence[date] = (),
    on_date: Callable[[date, str, bool], None] = lambda day, outcome, failed: None,
) -> BackfillReport:
    """Write `dates` from `batches` (one harvest for all); a failed date does not stop the others.

    The index pages are rebuilt once, after the last date (or when the range stops early), not per date.
    `on_date` hears each date's outcome and whether it failed.
    """
    recovered, recovered_days = finish_unfinished(plan, edges, batches, now=now)
    report = BackfillReport(skipped=list(skipped), notes=batches.notes)
    asked = options.asked_steps()
    try:
        for day, outcome in batches.fetch_range(dates, now):
            if isinstance(outcome, DigestError):
                report.failed.append((day, str(outcome)))
                on_date(day, str(outcome), True)
            else:
                report.days.append(write_date(day, outcome, plan, edges, asked, now=now))
                on_date(day, report.days[-1].summary(), False)
    finally:
        index_dates(plan, report.days, edges)
    report.requests = edges.arxiv.requests
    report.published, delivery = finish_dates(plan, report.days, asked, edges, now=now, renotify=options.renotify)
    report.delivery = recovered.joined(delivery)
    report.unjudged = reopen_unjudged(plan, [*recovered_days, *report.days], asked, edges, now=now)
    report.usage = edges.model.usage if edges.model is not None else None
    return report


def write_date(
    day: date, papers: Sequence[Paper], plan: Plan, edges: Edges, asked: Sequence[Step], *, now: datetime
) -> DayResult:
    """The recipe's first step: the date enters the journal with the steps asked of it, then its digests are
    written and the step marked done."""
    edges.store.begin_journal(plan.output_dir, day, asked, now)
    announcement = announcement_in_force(day, plan.holidays)
    source = edges.store.load_batch_sources(announcement, announcement).get(announcement)
    result = run_for_date(day, papers, plan, edges.store, cast("Source | None", source), edges.model, now=now)
    edges.store.mark_done(plan.output_dir, [day], "write", result.kept)
    return result


def index_dates(plan: Plan, days: Sequence[DayResult], edges: Edges) -> None:
    """The recipe's second step: the index pages and feeds, rebuilt once for all of `days`."""
    if not days:
        return
    write_indexes(plan, edges.store)
    edges.store.mark_done(plan.output_dir, [day.date for day in days], "indexes")


def finish_dates(
    plan: Plan, days: Sequence[DayResult], steps: Collection[Step], edges: Edges, *, now: datetime, renotify: bool
) -> tuple[PublishResult | None, Delivery | None]:
    """The recipe's last steps, those of `steps` (journal.STEPS: commit, push, notify) in order, each marked
    in the journal once done. Notifying with no date still delivers the messages owed."""
    dates = [day.date for day in days]
    published = None
    if days and ("commit" in steps or "push" in steps):
        message = commit_message({day.date: day.counts for day in days})
        published = edges.publish(plan, days, message, "push" in steps)
        edges.store.mark_done(plan.output_dir, dates, "commit")
        if "push" in steps:
            edges.store.mark_done(plan.output_dir, dates, "push")
    summarise(plan, days, steps, edges, now=now)
    delivery = None
    if "notify" in steps:
        delivery = notify(plan, days, edges, now=now, renotify=renotify)
        edges.store.mark_done(plan.output_dir, dates, "notify")
    return published, delivery


def finish_unfinished(
    plan: Plan, edges: Edges, batches: BatchSource, *, now: datetime
) -> tuple[Delivery, list[DayResult]]:
    """Finish, in the recipe's order, the steps an earlier run of this output directory left owed (it was
    killed, the disk filled, a judge could not answer), before the command's own work; say so. A date
    whose digests may be partial is written again from its batch (the store holds it). Returns what was
    delivered and the dates finished."""
    entries = edges.store.load_unfinished(plan.output_dir)
    days: list[tuple[DayResult, tuple[Step, ...]]] = []
    for entry in entries:
        owed = entry.owed
        log.warning("Finishing %s left unfinished by an earlier run: %s", entry.day.isoformat(), ", ".join(owed))
        if "write" in owed or entry.kept is None:
            announcement = announcement_in_force(entry.day, plan.holidays)
            try:
                papers = batches.fetch_announcement(announcement, entry.day, now)
            except FetchError as err:
                raise err.on(entry.day, "left unfinished by an earlier run") from err
            days.append((write_date(entry.day, papers, plan, edges, entry.asked, now=now), owed))
        else:
            days.append((DayResult(entry.day, entry.kept), owed))
    index_dates(plan, [day for day, owed in days if "indexes" in owed], edges)
    delivery = Delivery()
    for steps, group in groupby(days, key=lambda pair: tuple(step for step in pair[1] if step in LAST_STEPS)):
        if steps:
            _, sent = finish_dates(plan, [day for day, _ in group], steps, edges, now=now, renotify=False)
            delivery = delivery.joined(sent)
    return delivery, [day for day, _ in days]


LAST_STEPS: tuple[Step, ...] = ("commit", "push", "notify")


def summarise(plan: Plan, days: Sequence[DayResult], steps: Collection[Step], edges: Edges, *, now: datetime) -> None:
    """After the digests are written and published, before the messages: the summaries owed (these dates'
    papers first), into the records of every date listing them, committed (and pushed) when the command
    commits. The model failing is one warning (`summarise_owed`): the digests stand, the next run catches up."""
    if plan.llm is None or not plan.llm.summaries or edges.model is None:
        return
    from digest.llm.summaries import summarise_owed  # the openai package: only when summaries are on

    first = [paper_id for day in days for ids in day.kept.values() for paper_id in ids]
    made = summarise_owed(edges.store, edges.model, now=lambda: now, first=first).made
    if not made:
        return
    refreshed = add_summaries(plan, edges.store, made)
    write_indexes(plan, edges.store)
    if refreshed and ("commit" in steps or "push" in steps):
        message = f"Summaries for {plural(len(made), 'paper')}"
        edges.publish(plan, refreshed, message, "push" in steps)


def notify(plan: Plan, days: Sequence[DayResult], edges: Edges, *, now: datetime, renotify: bool) -> Delivery:
    """After the digests are written and published: a message per date and target, each sent once."""
    if not any(p.rules.notify for p in plan.every_topic.values()):
        return Delivery()
    return notify_days(plan, days, edges.store, now=now, renotify=renotify, send=edges.send)


def verify_recent(plan: Plan, store: Store, batches: Batches, *, now: datetime) -> list[Verdict]:
    """After a run: the RSS batches of the last `verify_days` checked against OAI-PMH, disagreements logged
    as warnings. A verification that fails is a warning too: it never fails the digests it checks."""
    if not plan.settings.verify_days:
        return []
    today = now.date()
    try:
        verdicts = verify(plan, store, batches, today - timedelta(days=plan.settings.verify_days), today, now=now)
    except DigestError as err:
        log.warning("verification against OAI-PMH failed: %s; the digests stand, the next run tries again", err)
        return []
    for verdict in verdicts:
        for difference in verdict.differences:
            log.warning("%s: RSS and OAI-PMH differ: %s", verdict.announcement.isoformat(), difference.describe())
    return verdicts


class RunLog:
    """What `recording` saves of a command: set `report` once the command has one."""

    def __init__(self) -> None:
        self.report: RunReport | None = None


@contextmanager
def recording(plan: Plan, command: str, *, now: datetime) -> Iterator[RunLog]:
    """Record the command in the store's `runs` when it ends, ok or failed (with its `Error:` line), for
    `digest status`. A store that cannot take the record is a warning: the command's own outcome stands."""
    run_log = RunLog()
    try:
        yield run_log
    except StoreError:
        raise  # the store is what failed: it cannot take the record either
    except DigestError as err:
        _save_run(plan, RunRecord(now, command, [], "failed", 0, redact(str(err))))
        raise
    report = run_log.report
    if report is None:
        return
    failed = report.failed if isinstance(report, BackfillReport) else []
    problems = [f"{day}: {cause}" for day, cause in failed]
    problems += report.unjudged
    if report.delivery is not None and report.delivery.failures:
        problems.append(report.delivery.error())
    dates = [day.date for day in report.days]
    outcome = "failed" if problems else "ok"
    error = redact(problems[0]) if problems else None
    tokens = (report.usage.tokens_in, report.usage.tokens_out) if report.usage is not None else (0, 0)
    _save_run(plan, RunRecord(now, command, dates, outcome, report.requests.get("total", 0), error, tokens))


def _save_run(plan: Plan, run: RunRecord) -> None:
    try:
        with Store.open(plan.store_path) as store:
            store.save_run(run)
    except StoreError as err:
        log.warning("the run was not recorded for `digest status`: %s", err)
