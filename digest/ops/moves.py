"""The changes `digest tune` may make to a topic, and how they are made.

Pure. `mining` chooses moves; `narrowing` proposes those that narrow a keyword (`unless`, `mentions`);
`verdicts` measures what a move does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from digest.core.config import Keyword, KeywordSpec
from digest.core.plan import TopicPlan
from digest.ops.verdicts import Verdicts

__all__ = [
    "MENTIONS",
    "Move",
    "Option",
    "VerdictsOf",
    "apply_moves",
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


VerdictsOf = Callable[[TopicPlan], Verdicts]
"""A topic's verdicts on the labelled papers of the dates a selection learns from."""


def _counted(keyword: Keyword, term: str) -> Keyword:
    """The keyword asking to be mentioned twice (`KeywordSpec.mentions`), if it is `term`."""
    if term_of(keyword) != term:
        return keyword
    if isinstance(keyword, KeywordSpec):
        return keyword.model_copy(update={"mentions": MENTIONS})
    return KeywordSpec(term=term, mentions=MENTIONS)


Option = tuple[float, Move]
