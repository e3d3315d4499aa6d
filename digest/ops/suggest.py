"""Which unlabelled papers to label next: `digest label --suggest`.

A label teaches a topic most where its verdict is in doubt, so the suggestions are the papers at its
edges: a similarity near the threshold (for a topic with `similar_to`), a keyword hit that a filter
dropped, a dropped paper holding a phrase of the relevant papers the topic misses (what `tune` would mine),
and a paper on which substring and whole-word matching disagree. Pure: stored batches and labels in,
suggestions out, in a deterministic order (the kinds taken in turn, each closest first).
"""

from __future__ import annotations

import itertools
import re
import shlex
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from digest.core.models import Decision, Paper
from digest.core.plan import TopicPlan
from digest.ops.evaluation import LabelledDay
from digest.ops.explain import near_misses, other_mode
from digest.ops.mining import GENERIC_SHARE
from digest.ops.phrases import phrases
from digest.selection.match import in_subscribed_categories, searched_text
from digest.selection.select import Criteria, decide

__all__ = ["Suggestion", "format_suggestions", "suggest_papers"]

MARGIN = 0.05
"""How far from the threshold a similarity may be for the paper to count as near it."""
MINED_HOLDERS = 2
"""A phrase points at papers to label when this many relevant papers the topic misses hold it."""
ABSTRACT_WIDTH = 100
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class Suggestion:
    """An unlabelled paper worth labelling, and why."""

    paper: Paper
    why: str


def suggest_papers(
    days: Sequence[LabelledDay], planned: TopicPlan, subscribed: Collection[str], labelled: Mapping[str, bool],
    count: int,
) -> list[Suggestion]:  # fmt: skip
    """Up to `count` unlabelled papers of `days` at the topic's edges, one kind after another in turn.
    `labelled` holds each labelled paper's verdict (relevant or not)."""
    papers: dict[str, Paper] = {}
    scores: dict[str, float] = {}
    for day in days:
        for paper in (paper for paper in day.papers if paper.id not in papers):
            papers[paper.id] = paper
            if paper.id in day.similarity:
                scores[paper.id] = day.similarity[paper.id]
    criteria = Criteria.of(planned, subscribed)
    decisions = {paper_id: decide(paper, criteria) for paper_id, paper in papers.items()}
    unlabelled = sorted((paper for paper in papers.values() if paper.id not in labelled), key=lambda paper: paper.id)
    kinds = [
        _near_threshold(unlabelled, planned, scores),
        _filtered([decisions[paper.id] for paper in unlabelled]),
        _mined(decisions, planned, subscribed, labelled),
        _disputed(unlabelled, planned, subscribed),
    ]
    chosen: dict[str, Suggestion] = {}
    for suggestion in itertools.chain.from_iterable(itertools.zip_longest(*kinds)):
        if suggestion is not None and suggestion.paper.id not in chosen:
            chosen[suggestion.paper.id] = suggestion
    return list(chosen.values())[:count]


def _near_threshold(papers: Sequence[Paper], planned: TopicPlan, scores: dict[str, float]) -> list[Suggestion]:
    if planned.topic.similar_to is None:
        return []
    threshold = planned.rules.threshold
    near = [paper for paper in papers if paper.id in scores and abs(scores[paper.id] - threshold) <= MARGIN]
    near.sort(key=lambda paper: (abs(scores[paper.id] - threshold), paper.id))
    return [Suggestion(paper, f"similarity {scores[paper.id]:.3f}, threshold {threshold:g}") for paper in near]


def _filtered(decisions: Sequence[Decision]) -> list[Suggestion]:
    """Papers a keyword found and a filter dropped: is the filter right about them?"""
    suggestions = []
    for decision in decisions:
        if decision.reason.startswith("filter "):
            span = f': "{decision.span}"' if decision.span else ""
            suggestions.append(Suggestion(decision.paper, f"a keyword hit, dropped by {decision.reason}{span}"))
    return suggestions


def _mined(
    decisions: Mapping[str, Decision], planned: TopicPlan, subscribed: Collection[str], labelled: Mapping[str, bool]
) -> list[Suggestion]:
    """Unlabelled papers the topic drops that hold a phrase of the relevant papers it misses, the phrases
    most particular to those papers first (the longer on a tie): their labels say whether the phrase belongs
    in the topic. Only the papers the topic's category rule lets through count, as in `tune`'s mining: no
    keyword can win back the others. A phrase held by more than `GENERIC_SHARE` of them says nothing of a
    topic."""
    rule = planned.rules.category_rule
    papers = {
        i: d.paper for i, d in decisions.items()
        if in_subscribed_categories(d.paper.categories, subscribed, rule, d.paper.primary)
    }  # fmt: skip
    kept = {i: decisions[i].kept for i in papers}
    if sum(bool(labelled.get(i)) and not kept[i] for i in papers) < MINED_HOLDERS:
        return []  # no phrase can be held by enough missed papers: spare reading every paper's phrases
    found = {i: phrases(searched_text(paper, planned.topic.fields)) for i, paper in papers.items()}
    holders = Counter(phrase for held in found.values() for phrase in held)
    missed = Counter(phrase for i, held in found.items() if labelled.get(i) and not kept[i] for phrase in held)
    particular = {
        phrase for phrase, n in missed.items() if n >= MINED_HOLDERS and holders[phrase] <= GENERIC_SHARE * len(found)
    }
    worth: dict[str, list[str]] = {}  # each particular phrase -> the unlabelled dropped papers holding it
    for paper_id in sorted(i for i in papers if i not in labelled and not kept[i]):
        for phrase in particular.intersection(found[paper_id]):
            worth.setdefault(phrase, []).append(paper_id)
    suggestions: dict[str, Suggestion] = {}
    for phrase in sorted(worth, key=lambda p: (-missed[p] / holders[p], -missed[p], -len(p), p)):
        for paper_id in (i for i in worth[phrase] if i not in suggestions):
            why = f"holds `{found[paper_id][phrase]}`, as {missed[phrase]} relevant papers the topic misses do"
            suggestions[paper_id] = Suggestion(papers[paper_id], why)
    return list(suggestions.values())


def _disputed(papers: Sequence[Paper], planned: TopicPlan, subscribed: Collection[str]) -> list[Suggestion]:
    """Papers the two match modes decide differently: the topic's near misses, as `explain` finds them."""
    return [
        Suggestion(
            miss.decision.paper,
            f"only `match: {other_mode(planned) if miss.added else planned.rules.match}` keeps it "
            f"({miss.decision.reason})",
        )
        for miss in near_misses(papers, planned, subscribed)
    ]


def format_suggestions(suggestions: Sequence[Suggestion], heading: str, label_command: Sequence[str]) -> str:
    """Each paper: its id and why, its title, the first line of its abstract, and the command that labels it.

    `label_command` is `digest label` with the options that name the topic and its file.
    """
    lines = [heading]
    for suggestion in suggestions:
        paper = suggestion.paper
        command = shlex.join([*label_command, "--yes", paper.id])
        lines += [
            "",
            f"{paper.id}  {suggestion.why}",
            f"  {paper.title}",
            f"  {first_line(paper.abstract)}",
            f"  {command}    # or --no",
        ]
    return "\n".join(lines) + "\n"


def first_line(abstract: str) -> str:
    """The abstract's first sentence, cut to `ABSTRACT_WIDTH` characters."""
    sentence = _SENTENCE_END.split(abstract.strip(), maxsplit=1)[0]
    return sentence if len(sentence) <= ABSTRACT_WIDTH else sentence[: ABSTRACT_WIDTH - 1].rstrip() + "…"
