"""A topic's verdicts on labelled papers, counted: `digest try --labels`, and the folds `digest tune` scores.

Pure. `evaluate` sets a topic's verdicts on stored batches beside the labels; `folds` scores a way to run
the topic leave one date out: whatever a fold chooses is chosen on the other dates and scored on the
held-out one. See README, "Is my topic any good?"."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from digest.core.errors import InputError
from digest.core.models import Decision, Paper
from digest.core.plan import TopicPlan
from digest.ops.labels import Confusion
from digest.selection.select import Criteria, decide

__all__ = [
    "Evaluation",
    "LabelledDay",
    "Setting",
    "checked_labels",
    "evaluate",
    "folds",
    "format_evaluation",
    "one_date_each",
    "warnings_of",
]

ENOUGH_RELEVANT = 20
ENOUGH_DATES = 3
"""Below these, `tune` warns that its figures say little (labelling more makes them meaningful)."""


@dataclass(frozen=True)
class LabelledDay:
    """One stored date: its batch, and each semantic variant's similarity for its papers (id -> score)."""

    day: date
    papers: Sequence[Paper]
    similarity: Mapping[str, float] = field(default_factory=dict)
    vectors: Mapping[str, Any] = field(default_factory=dict)
    """Each paper's embedding (a unit vector), for the variants whose topic is made of labelled examples."""
    judged: Mapping[str, bool] = field(default_factory=dict)
    """The judge's verdict on each labelled paper (id -> on the topic), for a topic with `judge:`."""


@dataclass(frozen=True)
class Evaluation:
    """A topic's verdicts on the labelled papers of some dates (id -> verdict), beside their labels."""

    verdicts: Mapping[str, Decision]
    labels: Mapping[str, bool]

    @property
    def confusion(self) -> Confusion:
        kept = (paper_id for paper_id, decision in self.verdicts.items() if decision.kept)
        return Confusion.count(kept, {paper_id: self.labels[paper_id] for paper_id in self.verdicts})

    def of(self, *, kept: bool, relevant: bool) -> list[Decision]:
        """The verdicts that kept (or dropped) relevant (or irrelevant) papers, by id: `kept=True,
        relevant=False` are the false positives."""
        return [
            decision
            for paper_id, decision in sorted(self.verdicts.items())
            if decision.kept == kept and self.labels[paper_id] == relevant
        ]

    @property
    def false_positives(self) -> list[Decision]:
        return self.of(kept=True, relevant=False)

    @property
    def false_negatives(self) -> list[Decision]:
        return self.of(kept=False, relevant=True)


def evaluate(
    days: Sequence[LabelledDay],
    planned: TopicPlan,
    subscribed: Collection[str],
    labels: Mapping[str, bool],
    *,
    semantic: bool | None = None,
) -> Evaluation:
    """The verdicts on every labelled paper found in `days` (each id counted once, kept if kept on any of
    its dates). `semantic` uses the days' similarity (default: when the topic has `similar_to`)."""
    use_scores = planned.topic.similar_to is not None if semantic is None else semantic
    criteria = Criteria.of(planned, subscribed)
    verdicts: dict[str, Decision] = {}
    for labelled in days:
        for paper in labelled.papers:
            if paper.id not in labels:
                continue
            score = labelled.similarity.get(paper.id) if use_scores else None
            decision = decide(paper, criteria, similarity=score)
            if decision.kept and planned.topic.judge is not None and labelled.judged.get(paper.id) is False:
                decision = replace(decision, kept=False, judged="no")
            if paper.id not in verdicts or decision.kept:
                verdicts[paper.id] = decision
    return Evaluation(verdicts, labels)


@dataclass(frozen=True)
class Setting:
    """One way to run the topic, as `tune` reports it."""

    name: str
    changes: dict[str, Any]
    confusion: Confusion
    thresholds: list[float] = field(default_factory=list)
    """The threshold chosen for each held-out date, when the setting has one."""

    def as_json(self) -> dict[str, Any]:
        return {"setting": self.changes, **self.confusion.scores()}


def format_evaluation(name: str, evaluation: Evaluation, missing: Sequence[str]) -> str:
    """`digest try --labels`: the counts and scores, then each paper it gets wrong and why."""
    lines = [f"{name}: {evaluation.confusion.describe()}"]
    for label, decisions in (
        ("false positives", evaluation.false_positives),
        ("false negatives", evaluation.false_negatives),
    ):
        lines += ["", f"{label} ({len(decisions)}):"]
        lines += [f"  {d.paper.id:12} {d.reason} — {d.paper.title}" for d in decisions]
    if missing:
        lines += [
            "",
            f"{len(missing)} labelled papers are not in the stored batches of the range: {', '.join(missing)}",
        ]
    return "\n".join(lines) + "\n"


def one_date_each(days: Sequence[LabelledDay], labels: Mapping[str, bool]) -> list[LabelledDay]:
    """The dates as labelled: a labelled paper announced again on another date (a replacement) belongs to the
    date holding the most labelled papers, and is left out of the others; a date left with none is no
    labelled date. So no paper is both trained on and held out, and a date is not counted for one paper."""
    holding = {day.day: sum(1 for paper in day.papers if paper.id in labels) for day in days}
    home: dict[str, date] = {}
    for day in sorted(days, key=lambda d: (-holding[d.day], d.day)):
        for paper in day.papers:
            if paper.id in labels:
                home.setdefault(paper.id, day.day)
    kept = [
        replace(day, papers=[p for p in day.papers if home.get(p.id, day.day) == day.day])
        for day in days
        if day.day in home.values()
    ]
    return kept


def checked_labels(days: Sequence[LabelledDay], labels: Mapping[str, bool]) -> None:
    """Tuning needs both kinds of labels on the stored dates: with one kind every F1 is 0 or 1."""
    found = {paper.id: labels[paper.id] for day in days for paper in day.papers if paper.id in labels}
    if len(set(found.values())) < 2:
        kind = "relevant (1)" if any(found.values()) else "not relevant (0)"
        raise InputError(
            f"all {len(found)} labelled papers of the stored dates are {kind}: tuning needs papers of both kinds; "
            "label some of the other kind with `digest label`"
        )


def warnings_of(days: Sequence[LabelledDay], labels: Mapping[str, bool]) -> list[str]:
    """What the figures cannot say: too few relevant papers or dates to tell a good setting from luck."""
    relevant = len({paper.id for day in days for paper in day.papers if labels.get(paper.id)})
    warnings = []
    if relevant < ENOUGH_RELEVANT:
        warnings.append(
            f"only {relevant} relevant labelled papers: label {ENOUGH_RELEVANT - relevant} more relevant ones "
            f"(at least {ENOUGH_RELEVANT}) for figures that mean something"
        )
    if len(days) < ENOUGH_DATES:
        warnings.append(
            f"only {len(days)} labelled date{'s' if len(days) > 1 else ''}: label {ENOUGH_DATES - len(days)} more "
            f"(at least {ENOUGH_DATES}) for figures that mean something"
        )
    return warnings


def folds(days: Sequence[LabelledDay], fold: Callable[[Sequence[LabelledDay], LabelledDay], Confusion]) -> Confusion:
    """Each date scored with what was chosen on the other dates (on itself when it is the only one), summed."""
    return sum((fold([day for day in days if day is not held] or [held], held) for held in days), Confusion(0, 0, 0, 0))
