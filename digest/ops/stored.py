"""The stored batches that `explain`, `try` and `tune` read: no network, no fetch, only what the store holds.

Beside their users rather than beside `Batches`: scoring a batch for a topic is selection's work, and the
sources below selection hand batches on without judging them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from digest.core.calendar import announcement_in_force, not_yet_announced
from digest.core.config import SimilarTo
from digest.core.errors import InputError
from digest.core.models import Paper
from digest.core.plan import Plan
from digest.ops.evaluation import LabelledDay
from digest.selection.semantic import embed_papers, score_topics, similarity_scores, topic_vector
from digest.sources.batches import offline_miss
from digest.store.database import Store

__all__ = ["load_explained", "load_labelled_days", "load_stored_batches", "scored_days"]


def load_stored_batches(plan: Plan, days: Iterable[date]) -> Iterator[tuple[date, date, list[Paper] | None]]:
    """For each date, the announcement in force and its whole batch as the store holds it (or None); no network."""
    with Store.open(plan.store_path) as store:
        for day in days:
            announcement = announcement_in_force(day, plan.holidays)
            yield day, announcement, store.load_batch(announcement)


def load_labelled_days(plan: Plan, days: Iterable[date], similar_to: SimilarTo | None) -> list[LabelledDay]:
    """The stored batches of `days` (dates the store lacks are left out), each paper scored against
    `similar_to` when given; no network."""
    with Store.open(plan.store_path) as store:
        stored = [(day, store.load_batch(announcement_in_force(day, plan.holidays))) for day in days]
    loaded = [LabelledDay(day, papers) for day, papers in stored if papers is not None]
    return scored_days(plan, loaded, similar_to) if similar_to is not None else loaded


def scored_days(
    plan: Plan, days: Sequence[LabelledDay], similar_to: SimilarTo, only: Collection[str] | None = None
) -> list[LabelledDay]:
    """`days` with each paper (each of the ids `only`, when given) embedded and scored against `similar_to`,
    from the batches already read."""
    scored = []
    with Store.open(plan.store_path) as store:
        vector = topic_vector(similar_to, store, "the topic")
        for day in days:
            papers = day.papers if only is None else [paper for paper in day.papers if paper.id in only]
            vectors = embed_papers(papers, store)
            scored.append(replace(day, similarity=similarity_scores(papers, vectors, vector), vectors=vectors))
    return scored


def load_explained(
    plan: Plan, day: date, topic: str, now: datetime
) -> tuple[list[Paper], dict[str, date], dict[str, float] | None]:
    """The stored batch of `day`, whole, what the topic's digests listed in its `dedupe_days` before it, and
    each paper's similarity when the topic has `similar_to`. A date the store lacks says what to run, or, when
    arXiv has not announced its batch by `now`, that nothing can fetch it yet."""
    announcement = announcement_in_force(day, plan.holidays)
    dedupe_days = plan.topics[topic].rules.dedupe_days
    with Store.open(plan.store_path) as store:
        papers = store.load_batch(announcement)
        if papers is None:
            unannounced = not_yet_announced(day, now, plan.holidays)
            raise InputError(unannounced) if unannounced else offline_miss(day, announcement)
        seen = store.load_listed(topic, day - timedelta(days=dedupe_days), day) if dedupe_days else {}
        return papers, seen, score_topics(papers, {topic: plan.topics[topic]}, store).get(topic)
