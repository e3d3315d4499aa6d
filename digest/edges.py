"""The edges of a recipe: every side effect it has, each bound once to what it needs of the plan, so the
recipe hands them dates and results, never the configuration.

    store     the SQLite store (what each digest listed, embeddings)
    batches   where each date's batch comes from (`sources.batches.Batches`), as `Sourcing` says
    journal   the output directory's journal: the steps asked of each date and those done
    archive   the archive pass (`outputs.archive`): index pages and feeds
    publish   git: commit (and push) the files of some dates
    notify    a message per date and target, each sent once

`open_edges` builds the real ones under the output directory's lock; a test builds its own in memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Protocol

from digest.core.errors import DigestError
from digest.core.intents import Sourcing
from digest.core.models import Paper
from digest.core.plan import Plan
from digest.outputs.archive import write_archive
from digest.outputs.notify import Sender, notify_days, send_apprise
from digest.outputs.publish import PublishResult, publish
from digest.outputs.reports import DayResult, Delivery
from digest.outputs.summarised import add_summaries
from digest.outputs.write import check_indexes, remove_leftovers
from digest.selection.kept import kept_by_topics
from digest.selection.match import clue_prefilter
from digest.sources.arxiv import Arxiv
from digest.sources.batches import Batches
from digest.sources.oai import HarvestProgress
from digest.sources.wanted import Wanted
from digest.store.database import Store
from digest.store.journal import Journal
from digest.store.lock import lock_path, output_lock
from digest.store.papers import CategoryTest

if TYPE_CHECKING:
    from digest.llm.client import ModelClient

__all__ = ["BatchSource", "Edges", "Notifier", "Publisher", "open_edges"]


class BatchSource(Protocol):
    """Where a recipe's batches come from: `batches.Batches`, or a test's stand-in."""

    notes: list[str]

    @property
    def requests(self) -> Mapping[str, int]: ...

    def provenance(self, day: date) -> tuple[date, str | None]: ...

    def fetch_latest(self, now: datetime) -> tuple[date, list[Paper]] | None: ...

    def fetch_announcement(self, announcement: date, asked: date, now: datetime) -> list[Paper]: ...

    def fetch_range(self, dates: Iterable[date], now: datetime) -> Iterator[tuple[date, list[Paper] | DigestError]]: ...

    def harvest_span(self, start: date, latest: date, now: datetime) -> None: ...


Publisher = Callable[[Sequence[DayResult], str, bool], PublishResult]
"""Commit (and push, when the flag says so) the files of these dates with this message."""

Notifier = Callable[[Sequence[DayResult], datetime, bool], Delivery]
"""Queue the messages of these dates (again, when the flag says so) and deliver every one queued."""

Summariser = Callable[[Sequence[DayResult], datetime], tuple[list[DayResult], int]]
"""Make the summaries owed (these dates' papers first) into the records of every date listing them: the
dates whose files changed, and how many papers were summarised."""


@dataclass(frozen=True)
class Edges:
    """Where a recipe's side effects go."""

    store: Store
    batches: BatchSource
    journal: Journal
    archive: Callable[[Sequence[DayResult]], None]
    publish: Publisher
    notify: Notifier
    summarise: Summariser = lambda days, now: ([], 0)
    model: ModelClient | None = None
    """The language model (`llm:`), when one is configured."""


@contextmanager
def open_edges(
    plan: Plan, sourcing: Sourcing | None = None, on_harvest: HarvestProgress = lambda spec, received, total: None
) -> Iterator[Edges]:
    """The real edges, under the output directory's lock: one run at a time writes there. The batches come
    as `sourcing` says, each OAI-PMH page told to `on_harvest`; the stored ones are read only as far as
    some topic's category rule lets a paper through and its text holds a clue of some topic's keywords."""
    prefilter = CategoryTest(plan.subscribed, {planned.rules.category_rule for planned in plan.every_topic.values()})
    with (
        output_lock(lock_path(plan.store_path.parent, plan.output_dir), plan.settings.lock_timeout),
        Store.open(plan.store_path) as store,
        Arxiv(plan.settings) as arxiv,
        _model_client(plan) as model,
    ):
        check_indexes(plan.output_dir, plan.every_topic)
        remove_leftovers(plan.output_dir, plan.every_topic)
        wanted = Wanted(kept_by_topics(plan, store), prefilter, clue_prefilter(plan.every_topic.values()))
        yield Edges(
            store,
            Batches(plan, store, arxiv, sourcing or Sourcing(), wanted, on_harvest),
            Journal(store, plan.output_dir),
            partial(write_archive, plan, store),
            partial(publish_to_git, plan),
            partial(notify_dates, plan, store),
            partial(summarise_dates, plan, store, model),
            model,
        )


@contextmanager
def _model_client(plan: Plan) -> Iterator[ModelClient | None]:
    """The language model's client when `llm:` is configured (the openai package takes a second to import:
    only then)."""
    if plan.llm is None:
        yield None
        return
    from digest.llm.client import ModelClient

    with ModelClient(plan.llm, os.environ) as model:
        yield model


def summarise_dates(
    plan: Plan, store: Store, model: ModelClient | None, days: Sequence[DayResult], now: datetime
) -> tuple[list[DayResult], int]:
    """After the digests are written and published, before the messages: the summaries owed (these dates'
    papers first), into the records of every date listing them, and the archive brought up to date. The
    model failing is one warning (`summarise_owed`): the digests stand, the next run catches up."""
    if plan.llm is None or not plan.llm.summaries or model is None:
        return [], 0
    from digest.llm.summaries import summarise_owed  # the openai package: only when summaries are on

    first = [paper_id for day in days for ids in day.kept.values() for paper_id in ids]
    made = summarise_owed(store, model, now=lambda: now, first=first).made
    if not made:
        return [], 0
    refreshed = add_summaries(plan, store, made)
    write_archive(plan, store)
    return list(refreshed), len(made)


def publish_to_git(plan: Plan, days: Sequence[DayResult], message: str, push: bool) -> PublishResult:
    """Commit every file the dates' runs are responsible for, and push when asked."""
    targeted = [path for day in days for path in day.targets(plan.output_dir, feeds=plan.settings.feeds)]
    return publish(plan.output_dir, targeted, message, push=push, settings=plan.settings)


def notify_dates(
    plan: Plan, store: Store, days: Sequence[DayResult], now: datetime, renotify: bool, send: Sender = send_apprise
) -> Delivery:
    """After the digests are written and published: a message per date and target (through `send`), each
    sent once."""
    if not any(planned.rules.notify for planned in plan.every_topic.values()):
        return Delivery()
    return notify_days(plan, days, store, now=now, renotify=renotify, send=send)
