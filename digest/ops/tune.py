"""Measuring and tuning a topic against labelled papers: `digest try --labels` and `digest tune`.

`evaluate` (pure) sets a topic's verdicts on the stored batches beside the labels. `tune` compares
settings (as configured, whole words, similarity alone, keywords or/and similarity, and phrases mined and
selected by `mining`) and reports each by leave-one-date-out cross-validation: whatever it chooses (a
threshold, a phrase, how many) is chosen on the other dates and scored on the held-out one, so the figures
are not those of the data it tuned on. See README, "Is my topic any good?"."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import yaml

from digest.core.config import Topic, keyword_text
from digest.core.errors import InputError
from digest.core.models import Paper
from digest.core.plan import Rules, TopicPlan
from digest.ops.labels import Confusion
from digest.ops.mining import Move, PhraseIndex, apply_moves, select_moves
from digest.selection.match import TopicMatcher
from digest.selection.select import Decision, decide

__all__ = [
    "Evaluation",
    "LabelledDay",
    "Setting",
    "TuneReport",
    "description_of",
    "evaluate",
    "format_evaluation",
    "tune",
]

THRESHOLDS = [round(0.20 + 0.01 * step, 2) for step in range(61)]
"""The similarity thresholds a sweep tries: 0.20 to 0.80."""
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
    matcher = TopicMatcher(planned.topic, planned.rules.match)
    verdicts: dict[str, Decision] = {}
    for labelled in days:
        for paper in labelled.papers:
            if paper.id not in labels:
                continue
            score = labelled.similarity.get(paper.id) if use_scores else None
            decision = decide(paper, matcher, planned.rules, subscribed, similarity=score)
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


@dataclass(frozen=True)
class Step:
    """One step of the phrase selection: the move made on all the dates, its figures cross-validated."""

    move: Move
    confusion: Confusion
    kept: bool

    def as_json(self) -> dict[str, Any]:
        return {"step": self.move.describe(), "kept": self.kept, **self.confusion.scores()}


@dataclass(frozen=True)
class TuneReport:
    topic: str
    dates: int
    labelled: int
    configured: Setting
    settings: list[Setting]
    steps: list[Step]
    proposal: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def best(self) -> Setting:
        return max([self.configured, *self.settings], key=lambda s: (round(s.confusion.f1, 9), -len(s.changes)))

    def as_json(self) -> dict[str, Any]:
        return {
            "configured": self.configured.confusion.scores(),
            "best": {**self.best.as_json(), "topic": self.proposal},
            "candidates": [setting.as_json() for setting in self.settings],
            "steps": [step.as_json() for step in self.steps],
            "cross_validated": self.dates > 1,
            "warnings": self.warnings,
        }

    def describe(self) -> str:
        how = (
            "every figure is cross-validated (leave one date out)"
            if self.dates > 1
            else "one date: cross-validation is impossible, these are TRAINING figures (optimistic)"
        )
        lines = [f"{self.topic}: {self.labelled} labelled papers on {self.dates} dates; {how}"]
        lines += [f"warning: {warning}" for warning in self.warnings]
        lines += ["", f"{'setting':44} {'precision':>9} {'recall':>7} {'F1':>6}"]
        for setting in [self.configured, *self.settings]:
            chosen = f" (thresholds {', '.join(f'{t:g}' for t in setting.thresholds)})" if setting.thresholds else ""
            c = setting.confusion
            lines.append(f"{setting.name:44} {c.precision:9.3f} {c.recall:7.3f} {c.f1:6.3f}{chosen}")
        if self.steps:
            lines += ["", "phrase selection from match: words, one move a step, kept while F1 rises:"]
            for number, step in enumerate(self.steps, start=1):
                c, verdict = step.confusion, "" if step.kept else "  (F1 does not rise: stop)"
                figures = f"{c.precision:9.3f} {c.recall:7.3f} {c.f1:6.3f}"
                lines.append(f"{number:2}. {step.move.describe():40} {figures}{verdict}")
        best = self.best
        lines += [
            "",
            f"best by F1: {best.name} (F1 {best.confusion.f1:.3f})",
            "",
            "Paste into the topic:",
            yaml.safe_dump({self.topic: self.proposal}, sort_keys=False, allow_unicode=True, width=100),
        ]
        return "\n".join(lines)


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


def description_of(topic: Topic) -> str:
    """What the semantic variants compare with: the topic's own description, or its keywords as a phrase."""
    if topic.similar_to is not None and topic.similar_to.description:
        return topic.similar_to.description
    return "; ".join(keyword_text(keyword).replace(",", " ") for keyword in topic.keywords)


def tune(
    name: str,
    planned: TopicPlan,
    days: Sequence[LabelledDay],
    subscribed: Collection[str],
    labels: Mapping[str, bool],
    *,
    description: str,
) -> TuneReport:
    """Every setting scored by leave-one-date-out cross-validation; the best by F1, as a YAML snippet.

    `days` are the stored dates of the range: those holding labelled papers are the folds, and all of them
    say how common a phrase is."""
    topic, rules = planned.topic, planned.rules
    stored, days = days, one_date_each(days, labels)
    _checked_labels(days, labels)

    def plain(changes: dict[str, Any], label: str, variant: TopicPlan, semantic: bool = False) -> Setting:
        return Setting(
            label,
            changes,
            _folds(
                days, lambda train, held: evaluate([held], variant, subscribed, labels, semantic=semantic).confusion
            ),
        )

    def swept(changes: dict[str, Any], label: str, combine: str | None, by_examples: bool = False) -> Setting:
        thresholds: list[float] = []

        def fold(train: Sequence[LabelledDay], held: LabelledDay) -> Confusion:
            if by_examples:  # the topic is the training dates' relevant papers: the held-out date is unseen
                centre = _centre([d for d in train], labels)
                train, held = [_rescored(d, centre) for d in train], _rescored(held, centre)
            best = max(
                THRESHOLDS,
                key=lambda t: (round(_variant_score(train, topic, rules, combine, t, subscribed, labels), 9), -t),
            )
            thresholds.append(best)
            return evaluate([held], _variant(topic, rules, combine, best), subscribed, labels, semantic=True).confusion

        confusion = _folds(days, fold)
        if by_examples:
            changes = {"similar_to": {"examples": _central_examples(days, labels)}, **changes}
        return Setting(label, {**changes, "threshold": _median(thresholds)}, confusion, thresholds)

    configured = plain({}, "as configured", planned, semantic=topic.similar_to is not None)
    words = plain({"match": "words"}, "match: words", TopicPlan(topic, replace(rules, match="words")))
    own = topic.similar_to.model_dump(exclude_none=True, exclude_defaults=True) if topic.similar_to else None
    semantic = {"similar_to": own or {"description": description}}
    settings = [
        words,
        swept({**semantic, "keywords": []}, "similarity alone", None),
        swept({**semantic, "combine": "any"}, "keywords or similarity (combine: any)", "any"),
        swept({**semantic, "combine": "all"}, "keywords and similarity (combine: all)", "all"),
    ]
    if any(day.vectors for day in days):
        settings += [
            swept({"keywords": []}, "similarity to labelled examples alone", None, by_examples=True),
            swept({"combine": "any"}, "keywords or similarity to examples (any)", "any", by_examples=True),
            swept({"combine": "all"}, "keywords and similarity to examples (all)", "all", by_examples=True),
        ]
    words_plan = TopicPlan(topic, replace(rules, match="words"))
    steps, moves = _phrase_steps(days, stored, words_plan, subscribed, labels)
    if moves:
        mined = apply_moves(words_plan, moves).topic
        changes = {"match": "words", "keywords": mined.keywords, "filters": mined.filters}
        settings.append(Setting(f"match: words + {len(moves)} mined moves", changes, steps[len(moves) - 1].confusion))
    report = TuneReport(
        name, len(days), len({p.id for d in days for p in d.papers if p.id in labels}), configured, settings, steps, {}
    )
    return replace(report, proposal=proposed_topic(topic, report.best), warnings=_warnings(days, labels))


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


def _checked_labels(days: Sequence[LabelledDay], labels: Mapping[str, bool]) -> None:
    """Tuning needs both kinds of labels on the stored dates: with one kind every F1 is 0 or 1."""
    found = {paper.id: labels[paper.id] for day in days for paper in day.papers if paper.id in labels}
    if len(set(found.values())) < 2:
        kind = "relevant (1)" if any(found.values()) else "not relevant (0)"
        raise InputError(
            f"all {len(found)} labelled papers of the stored dates are {kind}: tuning needs papers of both kinds; "
            "label some of the other kind with `digest label`"
        )


def _warnings(days: Sequence[LabelledDay], labels: Mapping[str, bool]) -> list[str]:
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


def _phrase_steps(
    days: Sequence[LabelledDay], stored: Sequence[LabelledDay], words_plan: TopicPlan, subscribed: Collection[str],
    labels: Mapping[str, bool],
) -> tuple[list[Step], list[Move]]:  # fmt: skip
    """Greedy phrase selection, scored honestly: each fold mines and selects on its training dates only and
    is scored on its held-out date; step k's figures are every fold's first k moves. The moves shown are
    those selected on all the dates; they are kept while the cross-validated F1 rises. `stored` are all the
    stored dates of the range, labelled or not: how common a phrase is among all their papers."""
    labelled = {day.day: day.papers for day in days}
    every_date = labelled | {day.day: day.papers for day in stored if day.day not in labelled}
    index = PhraseIndex(every_date, words_plan, subscribed, labels)

    def moves_on(train: Sequence[LabelledDay]) -> list[Move]:
        def verdicts_of(plan: TopicPlan) -> Mapping[str, Decision]:
            return evaluate(train, plan, subscribed, labels, semantic=False).verdicts

        return select_moves(words_plan, {day.day for day in train}, index, labels, verdicts_of)

    everywhere = moves_on(days)
    per_fold = {held.day: moves_on([d for d in days if d is not held] or [held]) for held in days}

    def at_step(count: int) -> Confusion:
        return _folds(
            days,
            lambda train, held: (
                evaluate(
                    [held], apply_moves(words_plan, per_fold[held.day][:count]), subscribed, labels, semantic=False
                ).confusion
            ),
        )

    steps: list[Step] = []
    previous = at_step(0).f1
    for count, move in enumerate(everywhere, start=1):
        confusion = at_step(count)
        rises = confusion.f1 > previous + 1e-9
        steps.append(Step(move, confusion, rises))
        if not rises:
            break
        previous = confusion.f1
    return steps, everywhere[: sum(step.kept for step in steps)]


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


def _folds(days: Sequence[LabelledDay], fold: Callable[[Sequence[LabelledDay], LabelledDay], Confusion]) -> Confusion:
    total = Confusion()
    for held in days:
        train = [day for day in days if day is not held] or [held]
        total = total + fold(train, held)
    return total


def _variant(topic: Topic, rules: Rules, combine: str | None, threshold: float) -> TopicPlan:
    if combine is None:  # similarity alone: no keyword can keep a paper
        changed = topic.model_copy(update={"keywords": [], "authors": [], "filters": topic.filters})
        return TopicPlan(changed, replace(rules, combine="any", threshold=threshold))
    return TopicPlan(topic, replace(rules, combine=combine, threshold=threshold))  # type: ignore[arg-type]


def _variant_score(
    days: Sequence[LabelledDay], topic: Topic, rules: Rules, combine: str | None, threshold: float,
    subscribed: Collection[str], labels: Mapping[str, bool],
) -> float:  # fmt: skip
    return evaluate(days, _variant(topic, rules, combine, threshold), subscribed, labels, semantic=True).confusion.f1


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def proposed_topic(topic: Topic, best: Setting) -> dict[str, Any]:
    """The configured topic with the best setting applied, as the mapping a topic file holds."""
    data = topic.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    changes = dict(best.changes)
    threshold = changes.pop("threshold", None)
    data.update(changes)
    if "similar_to" in data and threshold is not None:
        data["similar_to"] = {**data["similar_to"], "threshold": threshold}
    if data.get("keywords") == []:
        del data["keywords"]
    return Topic.model_validate(data).model_dump(mode="json", exclude_none=True, exclude_defaults=True)
