"""Selection: which papers of a batch a topic keeps, why, and in what order. See docs/design.md, "Selection".

Pure functions over `Paper` records; no I/O. The defaults are the source's rules exactly: every category
subscribed, a case-insensitive substring in title + abstract (a list keyword needs every part), no filter,
ordered by categories then id, descending. A topic may ask for whole-word matching, regexes, case-sensitive
acronyms, followed authors, other fields, and policies (replacements, category rule, dedupe).

`decide` is the one place a verdict is made, so `digest explain` reports exactly what selection did.
`select_topics` asks it only about a batch's candidates: the papers that pass a topic's category rule and
contain one of its keyword clues, found for every topic in one pass over each text (`match.BatchIndex`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from digest.core.config import Topic
from digest.core.models import Decision, Paper
from digest.core.plan import Rules, TopicPlan
from digest.selection.match import BatchIndex, SearchedTexts, TopicMatcher, in_subscribed_categories
from digest.store.papers import StoredBatch

__all__ = ["Criteria", "decide", "order_papers", "refused", "select_decisions", "select_topic", "select_topics"]


@dataclass(frozen=True)
class Criteria:
    """What a topic judges a paper by: its keywords and filters compiled once, its rules, and the subscribed
    categories its category rule reads."""

    matcher: TopicMatcher
    rules: Rules
    subscribed: Collection[str]

    @classmethod
    def of(cls, planned: TopicPlan, subscribed: Collection[str]) -> Criteria:
        return cls(TopicMatcher(planned.topic, planned.rules.match), planned.rules, subscribed)


def decide(
    paper: Paper,
    criteria: Criteria,
    seen: Mapping[str, date] | None = None,
    texts: SearchedTexts | None = None,
    similarity: float | None = None,
) -> Decision:
    """Kept or dropped, and why; `seen` maps ids already in this topic's recent digests to their date.

    `texts` shares each paper's searched text between the topics deciding on one batch. `similarity` is
    the paper's score for a topic with `similar_to` (None for a keyword topic): with `combine: any` a
    keyword or a score at the threshold keeps it, with `all` it needs both. Filters drop it either way.
    """
    matcher, rules = criteria.matcher, criteria.rules
    ruled = refused(paper, rules, criteria.subscribed)
    if ruled is not None:
        return Decision(paper, False, ruled, similarity=similarity)
    searched = texts or SearchedTexts()
    text, folded, held = searched.of(paper, matcher.fields)
    matched = matcher.keyword(paper, text, folded, held)
    similar = similarity is not None and similarity >= rules.threshold
    score = f"similarity {similarity:.3f}" if similarity is not None else ""
    if similarity is None or rules.combine == "any":
        if matched is None and not similar:
            reason = _no_keyword(matcher, text, folded) + (f", {score} < {rules.threshold:g}" if score else "")
            return Decision(paper, False, reason, similarity=similarity)
    elif matched is None or not similar:
        reason = (
            _no_keyword(matcher, text, folded) if matched is None else f"{score} < {rules.threshold:g} (combine: all)"
        )
        return Decision(paper, False, reason, similarity=similarity)
    blocked = matcher.filter(text, folded)
    if blocked is not None:
        return Decision(paper, False, f"filter `{blocked[0]}`", blocked[0], blocked[1], similarity)
    if seen and paper.id in seen:
        when = seen[paper.id].isoformat()
        reason = f"already listed on {when} (dedupe_days: {rules.dedupe_days})"
        return Decision(paper, False, reason, similarity=similarity)
    if matched is None:
        return Decision(paper, True, f"{score} ≥ {rules.threshold:g}", similarity=similarity)
    also = f", {score}" if score else ""
    return Decision(paper, True, f"keyword `{matched[0]}`{also}", matched[0], matched[1], similarity)


def refused(paper: Paper, rules: Rules, subscribed: Collection[str]) -> str | None:
    """Why the topic's rules drop the paper whatever its text says (its categories, or a replacement the
    topic excludes); None when its text decides."""
    if not in_subscribed_categories(paper.categories, subscribed, rules.category_rule, paper.primary):
        outside = ", ".join(category for category in paper.categories if category not in subscribed)
        return f"category rule ({rules.category_rule}): {outside} not subscribed"
    if rules.replacements == "exclude" and paper.announce_type in ("replace", "replace-cross"):
        return "a replacement (replacements: exclude)"
    return None


def _no_keyword(matcher: TopicMatcher, text: str, folded: str) -> str:
    """ "no keyword matched", and the keyword an `unless` term ruled out, if one did."""
    ruled_out = matcher.ruled_out(text, folded)
    return "no keyword matched" + (f" ({ruled_out})" if ruled_out else "")


def order_papers(papers: Iterable[Paper]) -> list[Paper]:
    """The source's order: by the categories list (primary first), descending, then by arXiv id, descending."""
    return sorted(papers, key=_source_order, reverse=True)


def _source_order(paper: Paper) -> tuple[list[str], str]:
    return paper.categories, paper.id


def select_topics(
    papers: Iterable[Paper],
    topics: Mapping[str, TopicPlan],
    subscribed: Collection[str],
    seen: Mapping[str, Mapping[str, date]] | None = None,
    similarity: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, list[Paper]]:
    """The papers of one batch that each topic keeps, in digest order (`select_decisions`, papers only)."""
    decisions = select_decisions(papers, topics, subscribed, seen, similarity)
    return {name: [decision.paper for decision in kept] for name, kept in decisions.items()}


def select_decisions(
    papers: Iterable[Paper],
    topics: Mapping[str, TopicPlan],
    subscribed: Collection[str],
    seen: Mapping[str, Mapping[str, date]] | None = None,
    similarity: Mapping[str, Mapping[str, float]] | None = None,
) -> dict[str, list[Decision]]:
    """The verdicts on the papers of one batch that each topic keeps, in digest order; `seen` as for
    `decide`, by topic. Each day's JSON says why a paper was kept from these.

    `similarity` holds the scores of the topics with `similar_to` (topic -> id -> score): with `combine:
    any` a paper at the threshold is a candidate too, not only one with a keyword clue. A batch read from the
    store comes with the clues found in its texts as it was read (`StoredBatch`): they are not searched again.
    """
    known = papers.clues if isinstance(papers, StoredBatch) else None
    batch = list(papers)
    judged = {name: Criteria.of(planned, subscribed) for name, planned in topics.items()}
    index = BatchIndex(batch, subscribed, [(c.matcher, c.rules.category_rule) for c in judged.values()], known)
    scores = similarity or {}
    kept = {}
    for name, criteria in judged.items():
        rules = criteria.rules
        scored = scores.get(name)
        candidates = index.candidates(criteria.matcher, rules.category_rule)
        if scored is not None and rules.combine == "any":  # a paper without a keyword clue may be similar enough
            clued = {paper.id for paper in candidates}
            candidates += [p for p in batch if p.id not in clued and scored[p.id] >= rules.threshold]
        recent = (seen or {}).get(name)
        decisions = (
            decide(paper, criteria, recent, index.texts, None if scored is None else scored[paper.id])
            for paper in candidates
        )
        kept[name] = sorted(
            (decision for decision in decisions if decision.kept),
            key=lambda decision: _source_order(decision.paper),
            reverse=True,
        )
    return kept


def select_topic(
    papers: Iterable[Paper],
    topic: Topic,
    subscribed: Collection[str],
    rules: Rules | None = None,
    seen: Mapping[str, date] | None = None,
    similarity: Mapping[str, float] | None = None,
) -> list[Paper]:
    """The papers of a batch that `topic` keeps, in digest order (`similarity`: id -> score, if semantic)."""
    scores = {"topic": similarity} if similarity is not None else None
    planned = {"topic": TopicPlan(topic, rules or Rules())}
    return select_topics(papers, planned, subscribed, {"topic": seen or {}}, scores)["topic"]
