"""Why a topic kept what it kept: per-paper verdicts for `digest explain`, per-day counts for `digest try`.

Pure: batches in, text out. The verdicts come from `select.decide`, the function selection itself uses.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from digest.core.config import MatchMode
from digest.core.errors import InputError
from digest.core.models import Decision, Paper
from digest.core.plan import TopicPlan
from digest.core.words import plural
from digest.selection.select import Criteria, decide, order_papers, select_topic

__all__ = [
    "NearMiss",
    "explain_topic",
    "format_explanation",
    "format_near_misses",
    "format_trial",
    "near_misses",
    "other_mode",
    "trial_counts",
]


def explain_topic(
    papers: Iterable[Paper],
    planned: TopicPlan,
    subscribed: Collection[str],
    seen: Mapping[str, date] | None = None,
    similarity: Mapping[str, float] | None = None,
) -> list[Decision]:
    """Every paper's verdict: the kept ones in digest order, then the dropped ones by id."""
    criteria = Criteria.of(planned, subscribed)
    scores = similarity or {}
    decisions = [decide(paper, criteria, seen, similarity=scores.get(paper.id)) for paper in papers]
    kept_order = {paper.id: n for n, paper in enumerate(order_papers(d.paper for d in decisions if d.kept))}
    return sorted(decisions, key=lambda d: (not d.kept, kept_order.get(d.paper.id, 0), d.paper.id))


@dataclass(frozen=True)
class NearMiss:
    """A paper the other match mode would add to, or drop from, what the topic's own mode keeps."""

    decision: Decision
    added: bool


def other_mode(planned: TopicPlan) -> MatchMode:
    """The match mode a topic does not use: what `--near-misses` compares it with."""
    return "substring" if planned.rules.match == "words" else "words"


def near_misses(papers: Iterable[Paper], planned: TopicPlan, subscribed: Collection[str]) -> list[NearMiss]:
    """The papers on which the topic's own match mode and the other disagree, with the other's verdict
    when it keeps the paper (added), else the own mode's (dropped)."""
    by_own = Criteria.of(planned, subscribed)
    by_other = Criteria.of(TopicPlan(planned.topic, replace(planned.rules, match=other_mode(planned))), subscribed)
    misses = []
    for paper in papers:
        with_other = decide(paper, by_other)
        with_own = decide(paper, by_own)
        if with_other.kept != with_own.kept:
            misses.append(NearMiss(with_other if with_other.kept else with_own, added=with_other.kept))
    return sorted(misses, key=lambda miss: (not miss.added, miss.decision.paper.id))


Shown = Literal["all", "kept", "dropped"]


def format_explanation(
    topic_name: str, day: date, decisions: Sequence[Decision], *, shown: Shown = "all", paper_id: str | None = None
) -> str:
    """The verdicts as text: a count line, then a line a paper (`shown` ones, or only `paper_id`'s).

    A dropped paper's line ends with its title, since its reason alone does not say what the paper is.
    """
    kept = sum(decision.kept for decision in decisions)
    lines = [f"{topic_name} on {day.isoformat()}: {kept} of {len(decisions)} papers kept", ""]
    chosen = [
        decision
        for decision in decisions
        if (paper_id is None or decision.paper.id == paper_id) and shown in ("all", _verdict(decision))
    ]
    if paper_id is not None and not chosen:
        raise InputError(f"{paper_id} is not in the batch of {day.isoformat()} ({len(decisions)} papers)")
    lines += [_line(_verdict(decision), decision) for decision in chosen]
    return "\n".join(lines) + "\n"


def _verdict(decision: Decision) -> Literal["kept", "dropped"]:
    return "kept" if decision.kept else "dropped"


def format_near_misses(misses: Sequence[NearMiss], mode: MatchMode) -> str:
    """What `mode` (the topic's other match mode) would add and drop, a line a paper."""
    if not misses:
        return f"{mode} mode would keep the same papers\n"
    lines = [f"{mode} mode would add {sum(m.added for m in misses)} and drop {sum(not m.added for m in misses)}:"]
    lines += [_line(f"+ {mode}" if miss.added else f"- {mode}", miss.decision) for miss in misses]
    return "\n".join(lines) + "\n"


def trial_counts(
    batches: Iterable[tuple[date, list[Paper] | None]], planned: TopicPlan, subscribed: Collection[str]
) -> list[tuple[date, list[Paper] | None]]:
    """The papers a topic would keep on each date; None where the store holds no batch."""
    return [
        (day, None if papers is None else select_topic(papers, planned.topic, subscribed, planned.rules))
        for day, papers in batches
    ]


def format_trial(topic_name: str, counts: Sequence[tuple[date, list[Paper] | None]]) -> str:
    lines = [f"{topic_name}: papers per day", ""]
    for day, kept in counts:
        lines.append(f"{day.isoformat()}  {'not stored' if kept is None else len(kept)}")
    stored = [kept for _, kept in counts if kept is not None]
    total = sum(len(kept) for kept in stored)
    lines += ["", f"total {plural(total, 'paper')} over {plural(len(stored), 'stored date')}"]
    missing = len(counts) - len(stored)
    if missing:
        lines.append(f"{plural(missing, 'date')} not stored: fetch with `digest backfill` first")
    return "\n".join(lines) + "\n"


def _line(verdict: str, decision: Decision) -> str:
    title = f" — {decision.paper.title}" if not decision.kept else ""
    return f"{verdict:8} {decision.paper.id:12} {decision.why}{title}"
