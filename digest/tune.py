"""Measuring and tuning a topic against labelled papers: `digest try --labels` and `digest tune`.

`evaluate` (pure) sets a topic's verdicts on the stored batches beside the labels. `tune` compares
settings (as configured, whole words, similarity alone, keywords or/and similarity, one more keyword or
filter) and reports each by leave-one-date-out cross-validation: whatever it chooses (a threshold, a term)
is chosen on the other dates and scored on the held-out one, so the figures are not those of the data it
tuned on. See README, "Is my topic any good?".
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import yaml

from digest.config import KeywordSpec, Topic, keyword_text
from digest.labels import Confusion
from digest.match import TopicMatcher
from digest.models import Paper
from digest.plan import Rules, TopicPlan
from digest.select import Decision, decide

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
CANDIDATES = 5
"""Keyword and filter candidates proposed."""


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
class TuneReport:
    topic: str
    dates: int
    labelled: int
    configured: Setting
    settings: list[Setting]
    candidates: list[Setting]
    snippet: str

    @property
    def best(self) -> Setting:
        return max(
            [self.configured, *self.settings, *self.candidates],
            key=lambda s: (round(s.confusion.f1, 9), -len(s.changes)),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "configured": self.configured.confusion.scores(),
            "best": self.best.as_json(),
            "candidates": [setting.as_json() for setting in [*self.settings, *self.candidates]],
        }

    def describe(self) -> str:
        lines = [
            f"{self.topic}: {self.labelled} labelled papers on {self.dates} dates; every figure is cross-validated "
            "(leave one date out)",
            "",
            f"{'setting':44} {'precision':>9} {'recall':>7} {'F1':>6}",
        ]
        for setting in [self.configured, *self.settings, *self.candidates]:
            chosen = f" (thresholds {', '.join(f'{t:g}' for t in setting.thresholds)})" if setting.thresholds else ""
            c = setting.confusion
            lines.append(f"{setting.name:44} {c.precision:9.3f} {c.recall:7.3f} {c.f1:6.3f}{chosen}")
        best = self.best
        lines += [
            "",
            f"best by F1: {best.name} (F1 {best.confusion.f1:.3f})",
            "",
            "Paste into the topic:",
            self.snippet,
        ]
        return "\n".join(lines) + "\n"


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
    """Every setting scored by leave-one-date-out cross-validation; the best by F1, as a YAML snippet."""
    topic, rules = planned.topic, planned.rules

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
    candidates = _term_candidates(days, planned, subscribed, labels)
    report = TuneReport(
        name, len(days), sum(1 for d in days for p in d.papers if p.id in labels), configured, settings, candidates, ""
    )
    return replace(report, snippet=_snippet(name, topic, report.best))


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


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]+")


def _terms(paper: Paper) -> set[str]:
    """A paper's candidate terms: its words and two-word phrases, case kept (acronyms matter)."""
    words = _WORD.findall(f"{paper.title} {paper.abstract}")
    return {*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))}


def _mined(
    days: Sequence[LabelledDay], planned: TopicPlan, subscribed: Collection[str], labels: Mapping[str, bool]
) -> tuple[list[str], list[str]]:
    """Keyword candidates (frequent among the missed relevant papers, rare among the rightly dropped) and
    filter candidates (frequent among the wrongly kept, rare among the rightly kept), best first."""
    evaluation = evaluate(days, planned, subscribed, labels)
    kept_right = {decision.paper.id for decision in evaluation.of(kept=True, relevant=True)}
    dropped_right = {decision.paper.id for decision in evaluation.of(kept=False, relevant=False)}
    papers = {p.id: p for d in days for p in d.papers}

    def ranked(wanted: Sequence[Paper], unwanted: Collection[str]) -> list[str]:
        hits = Counter(term for paper in wanted for term in _terms(paper))
        against = Counter(term for paper_id in unwanted for term in _terms(papers[paper_id]))
        scored = [(count - 2 * against[term], term) for term, count in hits.items() if count >= 2 and len(term) > 2]
        return [term for score, term in sorted(scored, key=lambda item: (-item[0], item[1])) if score > 0][:CANDIDATES]

    keywords = ranked([d.paper for d in evaluation.false_negatives], dropped_right)
    filters = ranked([d.paper for d in evaluation.false_positives], kept_right)
    return keywords, filters


def _term_candidates(
    days: Sequence[LabelledDay], planned: TopicPlan, subscribed: Collection[str], labels: Mapping[str, bool]
) -> list[Setting]:
    """Each mined term as one more keyword or filter, scored on each held-out date only if the other
    dates' mining proposed it too."""
    keywords, filters = _mined(days, planned, subscribed, labels)
    per_fold = {
        id(held): _mined([d for d in days if d is not held] or [held], planned, subscribed, labels) for held in days
    }
    settings = []
    for kind, terms in (("keywords", keywords), ("filters", filters)):
        for term in terms:
            added = _with_term(planned, kind, term)

            def fold(
                train: Sequence[LabelledDay],
                held: LabelledDay,
                kind: str = kind,
                term: str = term,
                added: TopicPlan = added,
            ) -> Confusion:
                proposed = per_fold[id(held)][0 if kind == "keywords" else 1]
                chosen = added if term in proposed else planned
                return evaluate([held], chosen, subscribed, labels).confusion

            shown = [*(keyword_text(k) for k in getattr(added.topic, kind) or [])]
            settings.append(Setting(f"{kind[:-1]} + `{term}`", {kind: shown}, _folds(days, fold)))
    return settings


def _with_term(planned: TopicPlan, kind: str, term: str) -> TopicPlan:
    spec = KeywordSpec(term=term, case_sensitive=any(c.isupper() for c in term[1:]))
    current = list(getattr(planned.topic, kind) or [])
    return TopicPlan(planned.topic.model_copy(update={kind: [*current, spec]}), planned.rules)


def _snippet(name: str, topic: Topic, best: Setting) -> str:
    """The best setting as YAML to paste under `topic:`."""
    data: dict[str, Any] = {"keywords": [_keyword_yaml(k) for k in topic.keywords]}
    if topic.filters:
        data["filters"] = [_keyword_yaml(k) for k in topic.filters]
    changes = dict(best.changes)
    threshold = changes.pop("threshold", None)
    data.update(changes)
    if "similar_to" in data and threshold is not None:
        data["similar_to"] = {**data["similar_to"], "threshold": threshold}
    if data.get("keywords") == []:
        del data["keywords"]
    return yaml.safe_dump({name: data}, sort_keys=False, allow_unicode=True, width=100)


def _keyword_yaml(keyword: Any) -> Any:
    if isinstance(keyword, KeywordSpec):
        return keyword.model_dump(exclude_defaults=True)
    return keyword
