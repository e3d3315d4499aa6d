"""What `try` and `tune` measure on the stored batches, with no network: what a topic would keep on each
date, its verdicts scored against labels, and the settings compared on the labelled dates."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from digest.core.calendar import announcement_days, check_span, latest_announcement, not_yet_announced
from digest.core.config import SimilarTo, Topic
from digest.core.errors import InputError
from digest.core.intents import StoredSpan
from digest.core.models import Paper
from digest.core.plan import Plan, Rules, TopicPlan
from digest.core.words import plural
from digest.ops.evaluation import Evaluation, LabelledDay, evaluate
from digest.ops.explain import trial_counts
from digest.ops.judged import judge_labelled
from digest.ops.labels import load_labels
from digest.ops.stored import load_labelled_days, load_stored_batches, scored_days
from digest.ops.suggest import format_suggestions, suggest_papers
from digest.ops.tune import TuneReport, description_of, tune

__all__ = ["count_kept", "relevance", "score_topic", "suggest_labels", "trial_topic", "tune_topic"]


def relevance(path: Path) -> dict[str, bool]:
    """The labels file's verdicts: paper id -> relevant. A file with no label yet is an error: every figure
    would be 0 of 0."""
    labels = {paper_id: label.relevant for paper_id, label in load_labels(path).labels.items()}
    if not labels:
        raise InputError(f"{path}: no label yet; `digest label --topic T --yes ID --no ID` adds some")
    return labels


def trial_topic(plan: Plan, topic: Topic) -> TopicPlan:
    """A topic from a file, run as if configured: its options left open take the settings'."""
    return TopicPlan(topic, Rules.for_topic(topic, plan.settings))


def count_kept(plan: Plan, planned: TopicPlan, span: StoredSpan) -> list[tuple[date, list[Paper] | None]]:
    """The papers the topic would keep on each announcement of the span; None where no batch is stored."""
    stored = list(load_stored_batches(plan, _announcements(span, plan)))
    if all(papers is None for _, _, papers in stored):
        raise _nothing_stored(span, plan)
    return trial_counts([(day, papers) for day, _, papers in stored], planned, plan.subscribed)


def score_topic(
    plan: Plan, planned: TopicPlan, span: StoredSpan, labels: Mapping[str, bool]
) -> tuple[Evaluation, list[str]]:
    """The topic's verdicts on the labelled papers of the span's stored batches, and the labelled ids those
    batches do not hold."""
    stored = load_labelled_days(plan, _announcements(span, plan), planned.topic.similar_to)
    _check_labelled(stored, labels, span, plan)
    labelled = judge_labelled(plan, planned.topic, stored, labels, os.environ)
    missing = sorted(set(labels) - {paper.id for day in labelled for paper in day.papers})
    return evaluate(labelled, planned, plan.subscribed, labels), missing


def tune_topic(plan: Plan, name: str, labels_file: Path, span: StoredSpan) -> TuneReport:
    """The configured topic's settings compared on the span's stored dates that hold a labelled paper,
    cross-validated date by date. Only the labelled papers are embedded: no figure reads another's
    similarity."""
    planned = plan.topics[name]
    labels = relevance(labels_file)
    description = description_of(planned.topic)
    similar_to = planned.topic.similar_to or SimilarTo(description=description)  # the topic's own, if it has one
    stored = load_labelled_days(plan, _announcements(span, plan), None)
    _check_labelled(stored, labels, span, plan)
    dates = [day.day for day in stored if any(paper.id in labels for paper in day.papers)]
    on_dates = [day for day in stored if day.day in dates]
    labelled = {day.day: day for day in scored_days(plan, on_dates, similar_to, only=labels)}
    days = judge_labelled(plan, planned.topic, [labelled.get(day.day, day) for day in stored], labels, os.environ)
    return tune(name, planned, days, plan.subscribed, labels, description=description)


def suggest_labels(plan: Plan, path: Path, count: int, span: StoredSpan, command: list[str]) -> str:
    """`label --suggest`: the papers to label next, from the stored batches of the span."""
    ((topic_name, planned),) = plan.topics.items()
    labelled = {i: label.relevant for i, label in load_labels(path, missing_ok=True).labels.items()}
    days = load_labelled_days(plan, _announcements(span, plan), planned.topic.similar_to)
    if not days:
        raise _nothing_stored(span, plan)
    suggestions = suggest_papers(days, planned, plan.subscribed, labelled, count)
    span_text = f"from {span.start.isoformat()} to {span.end.isoformat()}"
    if not suggestions:
        return f"{topic_name}: no unlabelled paper at the topic's edges {span_text}\n"
    heading = f"{topic_name}: {plural(len(suggestions), 'unlabelled paper')} to label, {span_text}"
    return format_suggestions(suggestions, heading, command)


def _check_labelled(stored: Sequence[LabelledDay], labels: Mapping[str, bool], span: StoredSpan, plan: Plan) -> None:
    """Refuse a span with no stored batch, or whose stored batches hold none of the labelled papers: its
    figures would be 0 of 0."""
    if not stored:
        raise _nothing_stored(span, plan)
    if not any(paper.id in labels for day in stored for paper in day.papers):
        raise InputError(
            f"none of the {plural(len(labels), 'labelled paper')} is in the batches stored from {span.start} to "
            f"{span.end}: "
            "label papers of those dates (`digest label --suggest`), or try the dates they were announced on"
        )


def _announcements(span: StoredSpan, plan: Plan) -> list[date]:
    check_span(span.start, span.end)
    return announcement_days(span.start, span.end, plan.holidays)


def _nothing_stored(span: StoredSpan, plan: Plan) -> InputError:
    """No stored batch in the span: say which backfill fetches it, up to the latest batch arXiv has announced,
    or that arXiv has announced none of it yet."""
    start, end = span.start, span.end
    unannounced = not_yet_announced(start, span.now, plan.holidays)
    if unannounced:
        return InputError(f"no batch from {start} to {end} can be stored yet: {unannounced}")
    last = max(start, min(end, latest_announcement(span.now, plan.holidays)))
    return InputError(
        f"no batch from {start} to {end} is stored; fetch those dates first: "
        f"`digest backfill --from {start} --to {last}`"
    )
