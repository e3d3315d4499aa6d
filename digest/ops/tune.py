"""`digest tune`: every way to run a topic, scored against labelled papers leave one date out.

It compares settings (as configured, whole words, similarity alone, keywords or/and similarity, and phrases
mined and selected by `mining`) and reports each by leave-one-date-out cross-validation (`evaluation.folds`):
whatever it chooses (a threshold, a phrase, how many) is chosen on the other dates and scored on the
held-out one, so the figures are not those of the data it tuned on. See README, "Is my topic any good?"."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from digest.core.config import Topic, keyword_text
from digest.core.plan import TopicPlan
from digest.ops.evaluation import (
    Evaluation,
    LabelledDay,
    Setting,
    checked_labels,
    evaluate,
    folds,
    format_evaluation,
    one_date_each,
    warnings_of,
)
from digest.ops.labels import Confusion
from digest.ops.mining import WEIGHED_HOLDERS, select_moves
from digest.ops.moves import Move, apply_moves
from digest.ops.phrases import PhraseIndex
from digest.ops.sweep import median, swept
from digest.ops.verdicts import Hits, Labelled

__all__ = [
    "Evaluation",
    "LabelledDay",
    "Setting",
    "TuneReport",
    "description_of",
    "evaluate",
    "format_evaluation",
    "one_date_each",
    "tune",
]


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
        on = f"{self.dates} dates" if self.dates > 1 else "1 date"
        lines = [f"{self.topic}: {self.labelled} labelled papers on {on}; {how}"]
        lines += [f"warning: {warning}" for warning in self.warnings]
        lines += ["", f"{'setting':44} {'precision':>9} {'recall':>7} {'F1':>6}"]
        for setting in [self.configured, *self.settings]:
            chosen = f" (thresholds {', '.join(f'{t:g}' for t in setting.thresholds)})" if setting.thresholds else ""
            c = setting.confusion
            lines.append(f"{setting.name:44} {c.precision:9.3f} {c.recall:7.3f} {c.f1:6.3f}{chosen}")
        if self.steps:
            lines += ["", "phrase selection from match: words, one move a step, kept while F1 rises:"]
            width = max(40, *(len(step.move.describe()) for step in self.steps))
            for number, step in enumerate(self.steps, start=1):
                c, verdict = step.confusion, "" if step.kept else "  (F1 does not rise: stop)"
                figures = f"{c.precision:9.3f} {c.recall:7.3f} {c.f1:6.3f}"
                lines.append(f"{number:2}. {step.move.describe():{width}} {figures}{verdict}")
        best = self.best
        lines += [
            "",
            f"best by F1: {best.name} (F1 {best.confusion.f1:.3f})",
            "",
            "Paste into the topic:",
            yaml.safe_dump({self.topic: self.proposal}, sort_keys=False, allow_unicode=True, width=100),
        ]
        return "\n".join(lines)


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
    checked_labels(days, labels)

    def plain(changes: dict[str, Any], label: str, variant: TopicPlan, semantic: bool = False) -> Setting:
        return Setting(
            label,
            changes,
            folds(days, lambda train, held: evaluate([held], variant, subscribed, labels, semantic=semantic).confusion),
        )

    def similarity(changes: dict[str, Any], label: str, combine: str | None, by_examples: bool = False) -> Setting:
        confusion, thresholds, examples = swept(days, planned, subscribed, labels, combine, by_examples=by_examples)
        return Setting(label, {**examples, **changes, "threshold": median(thresholds)}, confusion, thresholds)

    configured = plain({}, "as configured", planned, semantic=topic.similar_to is not None)
    words = plain({"match": "words"}, "match: words", TopicPlan(topic, replace(rules, match="words")))
    unjudged = TopicPlan(topic.model_copy(update={"judge": None}), rules)
    judge = [plain({"judge": None}, "without the judge", unjudged, topic.similar_to is not None)] if topic.judge else []
    own = topic.similar_to.model_dump(exclude_none=True, exclude_defaults=True) if topic.similar_to else None
    semantic = {"similar_to": own or {"description": description}}
    settings = [
        *judge,
        words,
        similarity({**semantic, "keywords": []}, "similarity alone", None),
        similarity({**semantic, "combine": "any"}, "keywords or similarity (combine: any)", "any"),
        similarity({**semantic, "combine": "all"}, "keywords and similarity (combine: all)", "all"),
    ]
    if any(day.vectors for day in days):
        settings += [
            similarity({"keywords": []}, "similarity to labelled examples alone", None, by_examples=True),
            similarity({"combine": "any"}, "keywords or similarity to examples (any)", "any", by_examples=True),
            similarity({"combine": "all"}, "keywords and similarity to examples (all)", "all", by_examples=True),
        ]
    words_plan = TopicPlan(topic, replace(rules, match="words"))
    steps, moves = _phrase_steps(days, stored, words_plan, subscribed, labels)
    if moves:
        mined = apply_moves(words_plan, moves).topic
        grown = mined.model_dump(mode="json", include={"keywords", "filters"}, exclude_defaults=True)
        changes = {"match": "words", "keywords": grown.get("keywords", []), "filters": grown.get("filters")}
        settings.append(Setting(f"match: words + {len(moves)} mined moves", changes, steps[len(moves) - 1].confusion))
    report = TuneReport(
        name, len(days), len({p.id for d in days for p in d.papers if p.id in labels}), configured, settings, steps, {}
    )
    return replace(report, proposal=proposed_topic(topic, report.best), warnings=warnings_of(days, labels))


def _phrase_steps(
    days: Sequence[LabelledDay], stored: Sequence[LabelledDay], words_plan: TopicPlan, subscribed: Collection[str],
    labels: Mapping[str, bool],
) -> tuple[list[Step], list[Move]]:  # fmt: skip
    """Greedy phrase selection, scored honestly: each fold mines and selects on its training dates only and
    is scored on its held-out date; step k's figures are every fold's first k moves. The moves shown are
    those selected on all the dates; they are kept while the cross-validated F1 rises. `stored` are all the
    stored dates of the range, labelled or not: how common a phrase is among all their papers."""
    labelled = Labelled(days, labels)
    on_labelled_dates = {day.day: day.papers for day in days}
    every_date = on_labelled_dates | {day.day: day.papers for day in stored if day.day not in on_labelled_dates}
    index = PhraseIndex(every_date, labelled, words_plan, subscribed, WEIGHED_HOLDERS)
    hits = Hits(labelled, words_plan, subscribed)

    def moves_on(train: Sequence[LabelledDay]) -> list[Move]:
        dates = {day.day for day in train}
        decided = labelled.of(dates)
        return select_moves(words_plan, dates, index, lambda plan: hits.verdicts(plan, decided))

    everywhere = moves_on(days)
    per_fold = {held.day: moves_on([d for d in days if d is not held] or [held]) for held in days}

    def at_step(count: int) -> Confusion:
        return folds(
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
