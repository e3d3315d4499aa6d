"""The similarity settings of `digest tune`: a threshold swept on the training dates of each fold.

Pure. The similarity is the days' own (the topic's `similar_to`), or, for the variants made of labelled
examples, each paper's cosine to the centre of the training dates' relevant papers, so the held-out date
is never seen. See README, "Is my topic any good?"."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from digest.core.config import Topic
from digest.core.plan import Rules, TopicPlan
from digest.ops.evaluation import Evaluation, LabelledDay, evaluate, folds
from digest.ops.labels import Confusion

__all__ = ["THRESHOLDS", "median", "swept"]

THRESHOLDS = [round(0.20 + 0.01 * step, 2) for step in range(61)]
"""The similarity thresholds a sweep tries: 0.20 to 0.80."""
EXAMPLES = 10
"""Labelled examples a suggested `similar_to` lists: the relevant papers closest to their centre."""


def _centre(days: Sequence[LabelledDay], labels: Mapping[str, bool]) -> Any:
    import numpy as np

    relevant = [d.vectors[p.id] for d in days for p in d.papers if labels.get(p.id) and p.id in d.vectors]
    mean = np.mean(np.stack(relevant), axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)


def _rescored(day: LabelledDay, centre: Any) -> LabelledDay:
    scores = {paper_id: round(float(vector @ centre), 3) for paper_id, vector in day.vectors.items()}
    return replace(day, similarity=scores)


def _central_examples(days: Sequence[LabelledDay], labels: Mapping[str, bool]) -> list[str]:
    centre = _centre(days, labels)
    relevant = {p.id: d.vectors[p.id] for d in days for p in d.papers if labels.get(p.id) and p.id in d.vectors}
    return sorted(relevant, key=lambda paper_id: (-float(relevant[paper_id] @ centre), paper_id))[:EXAMPLES]


def _variant(topic: Topic, rules: Rules, combine: str | None, threshold: float) -> TopicPlan:
    if combine is None:  # similarity alone: no keyword can keep a paper
        changed = topic.model_copy(update={"keywords": [], "authors": [], "filters": topic.filters})
        return TopicPlan(changed, replace(rules, combine="any", threshold=threshold))
    return TopicPlan(topic, replace(rules, combine=combine, threshold=threshold))  # type: ignore[arg-type]


Extremes = Mapping[date, tuple[Evaluation, Evaluation]]
"""Each date's verdicts at a threshold no similarity reaches and at one every similarity reaches."""


def _extremes(
    days: Sequence[LabelledDay], planned: TopicPlan, subscribed: Collection[str], labels: Mapping[str, bool],
    combine: str | None,
) -> Extremes:  # fmt: skip
    """Each date's papers decided twice, as similar and as not. At those two thresholds a verdict reads
    whether a paper has a similarity, never its value: the verdicts serve every fold, rescored or not (a
    date rescored against the labelled examples scores the same papers)."""
    topic, rules = planned.topic, planned.rules
    ever, never = _variant(topic, rules, combine, -math.inf), _variant(topic, rules, combine, math.inf)
    return {
        day.day: (
            evaluate([day], ever, subscribed, labels, semantic=True),
            evaluate([day], never, subscribed, labels, semantic=True),
        )
        for day in days
    }


def _f1_by_threshold(days: Sequence[LabelledDay], extremes: Extremes, labels: Mapping[str, bool]) -> dict[float, float]:
    """F1 on `days` at every threshold of the sweep. A threshold changes a verdict only by whether the
    paper's similarity reaches it, so each paper's two verdicts (`extremes`) say its verdict at any."""
    similar = [extremes[day.day][0] for day in days]
    labelled = {paper_id: labels[paper_id] for evaluation in similar for paper_id in evaluation.verdicts}
    scored = [(day, *extremes[day.day]) for day in days]
    f1s = {}
    for threshold in THRESHOLDS:
        kept = {
            paper_id
            for day, as_similar, as_unlike in scored
            for paper_id, decision in as_similar.verdicts.items()
            if (decision if day.similarity.get(paper_id, -math.inf) >= threshold else as_unlike.verdicts[paper_id]).kept
        }
        f1s[threshold] = Confusion.count(kept, labelled).f1
    return f1s


def swept(
    days: Sequence[LabelledDay], planned: TopicPlan, subscribed: Collection[str], labels: Mapping[str, bool],
    combine: str | None, *, by_examples: bool = False,
) -> tuple[Confusion, list[float], dict[str, Any]]:  # fmt: skip
    """A similarity setting's cross-validated figures, the threshold chosen for each held-out date, and (for
    the variants made of labelled examples) the `similar_to` examples chosen on all the dates."""
    topic, rules = planned.topic, planned.rules
    thresholds: list[float] = []
    extremes = _extremes(days, planned, subscribed, labels, combine)

    def fold(train: Sequence[LabelledDay], held: LabelledDay) -> Confusion:
        if by_examples:  # the topic is the training dates' relevant papers: the held-out date is unseen
            centre = _centre(train, labels)
            train, held = [_rescored(d, centre) for d in train], _rescored(held, centre)
        f1s = _f1_by_threshold(train, extremes, labels)
        best = max(THRESHOLDS, key=lambda t: (round(f1s[t], 9), -t))
        thresholds.append(best)
        return evaluate([held], _variant(topic, rules, combine, best), subscribed, labels, semantic=True).confusion

    confusion = folds(days, fold)
    examples = {"similar_to": {"examples": _central_examples(days, labels)}} if by_examples else {}
    return confusion, thresholds, examples


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0
