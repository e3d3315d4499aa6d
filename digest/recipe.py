"""The recipes: `run`, `backfill`, `write_records`. Every date they write walks the steps of
`journal.STEPS`, each done by one function here and marked in the date's journal once done:

    write     write_date     the batch selected, rendered and written with its records (run_for_date)
    indexes   index_dates    the archive pass (outputs/archive): index pages and feeds, once for all dates
    commit    finish_dates   git commit of the dates' files
    push      finish_dates   and push
    notify    finish_dates   a message per date and target

A date an earlier run left unfinished walks its owed steps first (`finish_unfinished`). The side effects
come in as `Edges`, each bound to what it needs of the plan (see `digest.edges`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import groupby
from typing import TYPE_CHECKING, TypeAlias, cast

from digest.core.calendar import announcement_in_force, latest_announcement, not_yet_announced
from digest.core.collector import collector_spared
from digest.core.errors import DigestError, FetchError, InputError, ModelError
from digest.core.intents import Finish
from digest.core.journal import Step
from digest.core.llm_settings import LlmSettings
from digest.core.models import Paper
from digest.core.plan import Plan
from digest.core.words import plural
from digest.edges import Edges
from digest.llm.judge import judge_candidates, judge_decisions, judge_papers
from digest.outputs.day_record import Source, day_records_json
from digest.outputs.feeds import listings_of
from digest.outputs.publish import PublishResult, commit_message
from digest.outputs.render import render_digests
from digest.outputs.reports import BackfillReport, DayResult, Delivery, RunReport
from digest.outputs.write import digest_path, write_digests
from digest.selection.select import select_decisions
from digest.selection.semantic import score_topics
from digest.store.database import Store

if TYPE_CHECKING:
    from digest.llm.client import ModelClient

log = logging.getLogger(__name__)

__all__ = [
    "backfill",
    "finish_dates",
    "finish_unfinished",
    "index_dates",
    "reopen_unjudged",
    "run",
    "run_for_date",
    "write_date",
    "write_records",
]


Provenance = tuple[date, Source | None]
"""The announcement a date's batch is, and where the batch came from (None: an empty batch, not stored)."""

Model: TypeAlias = "tuple[ModelClient | None, datetime] | None"
"""The language model a judged topic asks, and the time its verdicts are said to be made at."""


def run_for_date(
    day: date, papers: Sequence[Paper], plan: Plan, store: Store, provenance: Provenance, model: Model = None
) -> DayResult:
    """One date's digests and their JSON records: selected (less what `dedupe_days` saw listed, and what a
    topic's judge said no to), rendered, written together, remembered. A judged topic whose verdicts the
    `model` (a client and the time the verdicts are made) could not all give is not written:
    `DayResult.unjudged` says why."""
    seen = {
        name: store.load_listed(name, day - timedelta(days=planned.rules.dedupe_days), day)
        for name, planned in plan.topics.items()
        if planned.rules.dedupe_days
    }
    scores = score_topics(papers, plan.topics, store)
    candidates = select_decisions(papers, judge_candidates(plan.topics), plan.subscribed, seen, scores)
    client, made_at = model if model is not None else (None, datetime.now(UTC))
    kept, unjudged = judge_decisions(
        plan.topics,
        candidates,
        lambda judge, asked: judge_papers(
            store, client, cast("LlmSettings", plan.llm), judge, asked, now=lambda: made_at
        ),
    )
    code_links = plan.settings.code_links
    papers_of = {name: [decision.paper for decision in decided] for name, decided in kept.items()}
    listed = {name: [paper.id for paper in listed_papers] for name, listed_papers in papers_of.items()}
    summaries = store.load_summaries((paper_id for ids in listed.values() for paper_id in ids), plan.llm)
    shown = summaries if plan.llm is not None and plan.llm.summaries_in_digest else None
    selected = {name: (plan.topics[name].topic, listed_papers) for name, listed_papers in papers_of.items()}
    digests = render_digests(day, selected, code_links=code_links, summaries=shown)
    records = day_records_json(day, provenance, kept, summaries)
    before = store.load_listed_on(day, kept)
    write_digests(plan.output_dir, day, digests, records)
    store.save_listed(day, {name: ids for name, ids in listed.items() if sorted(ids) != before[name]})  # the rest stand
    return DayResult(day, listed, before, unjudged, listings_of(papers_of))


def run(plan: Plan, day: date | None, finish: Finish, edges: Edges, *, now: datetime) -> RunReport:
    """One batch: the latest announcement (no `day`), or the one in force on `day`; written, then finished
    as `finish` asks. What an earlier run left unfinished is finished first."""
    if day is not None and (unannounced := not_yet_announced(day, now, plan.holidays)):
        raise InputError(f"{day.isoformat()}: {unannounced}")
    recovered, recovered_days = finish_unfinished(plan, edges, now=now)
    batches = edges.batches
    report = RunReport(notes=batches.notes)
    asked = finish.steps()
    try:
        if day is None:
            found = batches.fetch_latest(now)
        else:
            announcement, _ = batches.provenance(day)
            found = day, batches.fetch_announcement(announcement, day, now)
    except FetchError as err:
        raise err.on(day or latest_announcement(now, plan.holidays)) from err
    if found is not None:
        report.days.append(write_date(*found, plan, edges, asked, now=now))
        index_dates(report.days, edges)
    finish_report(report, (recovered, recovered_days), finish, edges, now=now)
    return report


def finish_report(
    report: RunReport, recovery: tuple[Delivery, list[DayResult]], finish: Finish, edges: Edges, *, now: datetime
) -> None:
    """The last steps both recipes share once their dates are written: finish them as `finish` asks, join
    what the recovery delivered, reopen the dates a judge left unwritten, and count requests and tokens."""
    recovered, recovered_days = recovery
    report.requests = dict(edges.batches.requests)
    report.published, delivery = finish_dates(report.days, finish, edges, now=now)
    report.delivery = recovered.joined(delivery)
    report.unjudged = reopen_unjudged([*recovered_days, *report.days], finish.steps(), edges, now=now)
    report.usage = edges.model.usage if edges.model is not None else None


def reopen_unjudged(days: Sequence[DayResult], asked: Sequence[Step], edges: Edges, *, now: datetime) -> list[str]:
    """The dates a judged topic could not be written for enter the journal again, every step owed, so the
    next run writes, publishes and sends them whole; one line per such topic and date."""
    lines = []
    for day in days:
        if day.unjudged:
            edges.journal.begin(day.date, asked, now)
        lines += [
            f"{day.date.isoformat()}: {topic} not written, the judge could not answer: {cause}"
            for topic, cause in day.unjudged.items()
        ]
    return lines


def write_records(
    plan: Plan, day: date, papers: Sequence[Paper], edges: Edges, *, force: bool = False, allow_empty: bool = False
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
    edges.store.save_papers(papers, replace=False)  # the feeds read them from the store
    provenance: Provenance = (announcement_in_force(day, plan.holidays), "records")
    result = run_for_date(day, papers, plan, edges.store, provenance, (edges.model, datetime.now(UTC)))
    edges.archive([result])
    if result.unjudged:
        topic, cause = next(iter(result.unjudged.items()))
        raise ModelError(f"{day.isoformat()}: {topic} not written, the judge could not answer: {cause}")
    return result


def backfill(
    plan: Plan,
    dates: Sequence[date],
    finish: Finish,
    edges: Edges,
    *,
    now: datetime,
    on_date: Callable[[date, str, bool], None] = lambda day, outcome, failed: None,
) -> BackfillReport:
    """Write `dates` (one harvest for all), then finish them as `finish` asks; a failed date does not stop
    the others.

    The index pages are rebuilt once, after the last date (or when the range stops early), not per date.
    `on_date` hears each date's outcome and whether it failed.
    """
    recovered, recovered_days = finish_unfinished(plan, edges, now=now)
    batches = edges.batches
    report = BackfillReport(notes=batches.notes)
    asked = finish.steps()
    try:
        with collector_spared() as set_apart:
            for day, outcome in batches.fetch_range(dates, now):
                if isinstance(outcome, DigestError):
                    report.failed.append((day, str(outcome)))
                    on_date(day, str(outcome), True)
                else:
                    report.days.append(write_date(day, outcome, plan, edges, asked, now=now))
                    on_date(day, report.days[-1].summary(), False)
                set_apart()  # what the date leaves lives until the feeds: no need to collect it again
    finally:
        index_dates(report.days, edges)
    finish_report(report, (recovered, recovered_days), finish, edges, now=now)
    return report


def write_date(
    day: date, papers: Sequence[Paper], plan: Plan, edges: Edges, asked: Sequence[Step], *, now: datetime
) -> DayResult:
    """The recipe's first step: the date enters the journal with the steps asked of it, then its digests are
    written and the step marked done."""
    edges.journal.begin(day, asked, now)
    announcement, source = edges.batches.provenance(day)
    provenance = (announcement, cast("Source | None", source))
    result = run_for_date(day, papers, plan, edges.store, provenance, (edges.model, now))
    edges.journal.mark([day], "write", result.kept)
    return result


def index_dates(days: Sequence[DayResult], edges: Edges) -> None:
    """The recipe's second step: the index pages and feeds, rebuilt once for all of `days`."""
    if not days:
        return
    edges.archive(days)
    edges.journal.mark([day.date for day in days], "indexes")


def finish_dates(
    days: Sequence[DayResult], finish: Finish, edges: Edges, *, now: datetime
) -> tuple[PublishResult | None, Delivery | None]:
    """The recipe's last steps, as `finish` asks (journal.STEPS: commit, push, notify) in order, each marked
    in the journal once done; between publishing and the messages, the summaries owed (`llm:`), committed
    when the command commits. Notifying with no date still delivers the messages owed."""
    dates = [day.date for day in days]
    published = None
    if days and finish.publish != "none":
        message = commit_message({day.date: day.counts for day in days})
        published = edges.publish(days, message, finish.publish == "push")
        edges.journal.mark(dates, "commit")
        if finish.publish == "push":
            edges.journal.mark(dates, "push")
    refreshed, made = edges.summarise(days, now)
    if refreshed and finish.publish != "none":
        edges.publish(refreshed, f"Summaries for {plural(made, 'paper')}", finish.publish == "push")
    delivery = None
    if finish.notify != "none":
        delivery = edges.notify(days, now, finish.notify == "again")
        edges.journal.mark(dates, "notify")
    return published, delivery


def finish_unfinished(plan: Plan, edges: Edges, *, now: datetime) -> tuple[Delivery, list[DayResult]]:
    """Finish, in the recipe's order, the steps an earlier run of this output directory left owed (it was
    killed, the disk filled, a judge could not answer), before the command's own work; say so. A date
    whose digests may be partial is written again from its batch (the store holds it). Returns what was
    delivered and the dates finished."""
    entries = edges.journal.unfinished()
    days: list[tuple[DayResult, tuple[Step, ...]]] = []
    for entry in entries:
        owed = entry.owed
        log.warning("Finishing %s left unfinished by an earlier run: %s", entry.day.isoformat(), ", ".join(owed))
        if "write" in owed or entry.kept is None:
            announcement, _ = edges.batches.provenance(entry.day)
            try:
                papers = edges.batches.fetch_announcement(announcement, entry.day, now)
            except FetchError as err:
                raise err.on(entry.day, "left unfinished by an earlier run") from err
            days.append((write_date(entry.day, papers, plan, edges, entry.asked, now=now), owed))
        else:
            days.append((DayResult(entry.day, entry.kept), owed))
    index_dates([day for day, owed in days if "indexes" in owed], edges)
    delivery = Delivery()
    for steps, group in groupby(days, key=lambda pair: tuple(step for step in pair[1] if step in LAST_STEPS)):
        if steps:
            _, sent = finish_dates([day for day, _ in group], Finish.of_steps(steps), edges, now=now)
            delivery = delivery.joined(sent)
    return delivery, [day for day, _ in days]


LAST_STEPS: tuple[Step, ...] = ("commit", "push", "notify")
