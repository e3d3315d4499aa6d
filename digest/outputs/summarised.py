"""Summaries made after a date was written reach its files: each record gains them (and, with
`llm.summaries_in_digest`, its markdown), never its selection, which stays as the date was written."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from digest.core.models import Paper
from digest.core.plan import Plan
from digest.outputs.day_record import ListedPaper, day_record_path, read_day_record, record_json
from digest.outputs.render import render_digest
from digest.outputs.reports import DayResult
from digest.outputs.write import digest_path, read_digest, write_digests
from digest.store.database import Store

__all__ = ["add_summaries"]


def add_summaries(plan: Plan, store: Store, summarised: Collection[str]) -> list[DayResult]:
    """Rewrite the records of every date some topic's digest listed one of `summarised` on (ids just
    summarised), with every summary the store holds for their papers; return those dates."""
    days: list[DayResult] = []
    for day, topics in _dates_listing(plan, store, summarised):
        digests, records, kept = {}, {}, {}
        for topic in topics:
            record = read_day_record(day_record_path(plan.output_dir, topic, day))
            if record is None or not digest_path(plan.output_dir, topic, day).exists():
                continue
            ids = [paper.id for paper in record.papers]
            summaries = store.load_summaries(ids, plan.llm)
            papers = [paper.model_copy(update={"summary": summaries.get(paper.id)}) for paper in record.papers]
            records[topic] = record_json(record.model_copy(update={"papers": papers}))
            digests[topic] = read_digest(plan.output_dir, topic, day)
            if plan.llm is not None and plan.llm.summaries_in_digest:
                listed = [_as_printed(paper) for paper in record.papers]
                code_links = plan.settings.code_links
                topic_of = plan.every_topic[topic].topic
                digests[topic] = render_digest(topic, topic_of, day, listed, code_links=code_links, summaries=summaries)
            kept[topic] = ids
        if records:
            write_digests(plan.output_dir, day, digests, records)
            days.append(DayResult(day, kept))
    return days


_PRINTED = {"id", "version", "title", "authors", "abstract", "categories", "announce_type"}
"""The fields of a listed paper that are the paper's own, as its digest printed them."""


def _as_printed(listed: ListedPaper) -> Paper:
    """A listed paper as its digest printed it: the record's own text, not the store's newer versions."""
    primary = listed.categories[0] if listed.categories else None
    return Paper(**listed.model_dump(include=_PRINTED), primary_category=primary)


def _dates_listing(plan: Plan, store: Store, ids: Collection[str]) -> Iterable[tuple[date, list[str]]]:
    """The dates (oldest first) whose digests of a configured topic list one of `ids`, with those topics."""
    by_date: dict[date, list[str]] = {}
    for topic, day in sorted(store.load_listing_dates(sorted(ids))):
        if topic in plan.every_topic:
            by_date.setdefault(day, []).append(topic)
    return sorted(by_date.items())
