"""The changes `digest tune` may make to a topic, how they are made, and what every kind of move measures.

Pure. `mining` chooses moves; `narrowing` proposes those that narrow a keyword (`unless`, `mentions`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from digest.core.config import Keyword, KeywordSpec
from digest.core.models import Decision
from digest.core.plan import TopicPlan
from digest.ops.labels import Confusion
from digest.ops.phrases import PhraseIndex

__all__ = [
    "MENTIONS",
    "Move",
    "Option",
    "VerdictsOf",
    "apply_moves",
    "confusion_of",
    "found_in",
    "no_date_worse",
    "term_of",
]

MENTIONS = 2
"""How often a `mentions` move asks a keyword to be found in a paper."""


@dataclass(frozen=True)
class Move:
    """One change to a topic: `keyword` adds a keyword, `filter` a filter, `drop` removes a keyword,
    `unless` keeps the keywords `of` from counting in a paper that holds `term` (`KeywordSpec.unless`), and
    `mentions` lets the keyword `term` count only in a paper that mentions it twice, adding the keywords
    `of`, mined to win back the relevant papers it would lose."""

    kind: Literal["keyword", "filter", "drop", "unless", "mentions"]
    term: str
    of: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.kind == "mentions":
            return f"~ `{self.term}` mentioned twice" + "".join(f", + `{keyword}`" for keyword in self.of)
        if self.kind == "unless":
            return f"~ {', '.join(f'`{keyword}`' for keyword in self.of)} unless `{self.term}`"
        return {"keyword": "+ keyword", "filter": "+ filter", "drop": "- keyword"}[self.kind] + f" `{self.term}`"


def apply_moves(planned: TopicPlan, moves: Sequence[Move]) -> TopicPlan:
    """The topic with these moves made, in order."""
    keywords: list[Keyword] = list(planned.topic.keywords)
    filters: list[Keyword] = list(planned.topic.filters or [])
    for move in moves:
        if move.kind == "keyword":
            keywords.append(move.term)
        elif move.kind == "filter":
            filters.append(move.term)
        elif move.kind == "unless":
            keywords = [_narrowed(keyword, move) for keyword in keywords]
        elif move.kind == "mentions":
            keywords = [_counted(keyword, move.term) for keyword in keywords] + list(move.of)
        else:
            keywords = [keyword for keyword in keywords if term_of(keyword) != move.term]
    topic = planned.topic.model_copy(update={"keywords": keywords, "filters": filters or None})
    return TopicPlan(topic, planned.rules)


def term_of(keyword: Keyword) -> str | None:
    """The term of a plain keyword or of a mapping with a `term`; None for a list of parts or a regex."""
    if isinstance(keyword, str):
        return keyword
    return keyword.term if isinstance(keyword, KeywordSpec) else None


def _narrowed(keyword: Keyword, move: Move) -> Keyword:
    """The keyword with the move's term among its `unless` terms, if it is one the move narrows."""
    term = term_of(keyword)
    if term is None or term not in move.of:
        return keyword
    if isinstance(keyword, KeywordSpec):
        return keyword.model_copy(update={"unless": [*keyword.unless, move.term]})
    return KeywordSpec(term=term, unless=[move.term])


VerdictsOf = Callable[[TopicPlan], Mapping[str, Decision]]
"""A topic's verdicts on the labelled papers of the dates a selection learns from (id -> Decision)."""


def _counted(keyword: Keyword, term: str) -> Keyword:
    """The keyword asking to be mentioned twice (`KeywordSpec.mentions`), if it is `term`."""
    if term_of(keyword) != term:
        return keyword
    if isinstance(keyword, KeywordSpec):
        return keyword.model_copy(update={"mentions": MENTIONS})
    return KeywordSpec(term=term, mentions=MENTIONS)


Option = tuple[float, Move]


def confusion_of(verdicts: Mapping[str, Decision], labels: Mapping[str, bool]) -> Confusion:
    return Confusion.count((i for i, d in verdicts.items() if d.kept), {i: labels[i] for i in verdicts})


def no_date_worse(
    before: Mapping[str, Decision], after: Mapping[str, Decision], labels: Mapping[str, bool], index: PhraseIndex
) -> bool:
    """Whether an exclusion lowers F1 on none of the dates learnt from (a paper missing from `after` is
    dropped): one that helps on some dates and hurts on another fits a few papers, not the topic."""
    for day in {index.date_of[i] for i in before}:
        on_day = {i: labels[i] for i in before if index.date_of[i] == day}
        kept_before = (i for i in on_day if before[i].kept)
        kept_after = (i for i in on_day if i in after and after[i].kept)
        if Confusion.count(kept_after, on_day).f1 < Confusion.count(kept_before, on_day).f1 - 1e-9:
            return False
    return True


def found_in(ids: Collection[str], index: PhraseIndex) -> dict[str, list[str]]:
    """Each phrase of these papers, with the papers that hold it."""
    holders: dict[str, list[str]] = {}
    for paper_id in sorted(ids):
        for phrase in index.of[paper_id]:
            holders.setdefault(phrase, []).append(paper_id)
    return holders
