"""A topic's verdicts on the labelled papers, as `digest tune`'s mining asks for them: hundreds of topics,
each a move away from another.

Pure. The labelled papers are numbered (`Labelled`) and a set of them is a bitset: bit n is the n-th paper.
`Hits` searches each keyword and filter once in each labelled paper, so a topic's verdicts are a few
operations on bitsets: the papers its keywords find, less those its filters find. They are `decide`'s
verdicts without similarity (as `evaluation.evaluate` makes them): the same rules and the same compiled
terms, each read once instead of once a topic. See docs/design.md, "Measuring and tuning".
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from digest.core.config import Keyword, KeywordSpec
from digest.core.models import Paper
from digest.core.plan import TopicPlan
from digest.ops.evaluation import LabelledDay
from digest.ops.labels import Confusion
from digest.selection.match import TopicMatcher, searched_text
from digest.selection.select import refused
from digest.selection.terms import Term

__all__ = ["Hits", "Labelled", "Verdicts"]


class Labelled:
    """The labelled papers of some dates, numbered in their order, each once (`evaluation.one_date_each`
    leaves a labelled paper on one date); which are relevant, and each date's, as bitsets."""

    def __init__(self, days: Sequence[LabelledDay], labels: Mapping[str, bool]) -> None:
        self.papers: list[Paper] = []
        self.position: dict[str, int] = {}
        self.on: dict[date, int] = {}
        """Each date's labelled papers."""
        self.relevant = 0
        self.judged_no = 0
        """The papers the judge said no to, for a topic with `judge:`."""
        for day in days:
            for paper in day.papers:
                if paper.id not in labels or paper.id in self.position:
                    continue
                bit = 1 << len(self.papers)
                self.position[paper.id] = len(self.papers)
                self.papers.append(paper)
                self.on[day.day] = self.on.get(day.day, 0) | bit
                self.relevant |= bit if labels[paper.id] else 0
                self.judged_no |= bit if day.judged.get(paper.id) is False else 0

    def of(self, days: Collection[date]) -> int:
        """The labelled papers of these dates."""
        papers = 0
        for day in days:
            papers |= self.on.get(day, 0)
        return papers

    def dates(self, papers: int) -> int:
        """How many dates these papers are on."""
        return sum(1 for on_day in self.on.values() if on_day & papers)

    def confusion(self, kept: int, among: int) -> Confusion:
        """The confusion counts over the papers `among`, of which `kept` (a subset) are kept."""
        relevant = among & self.relevant
        tp, fp = (kept & relevant).bit_count(), (kept & ~relevant).bit_count()
        fn = relevant.bit_count() - tp
        return Confusion(tp, fp, fn, among.bit_count() - tp - fp - fn)


@dataclass(frozen=True)
class Verdicts:
    """A topic's verdicts on the labelled papers `decided`: those it keeps, and those it drops because no
    keyword matched (the ones it misses, when relevant)."""

    labelled: Labelled
    decided: int
    kept: int
    unmatched: int

    @property
    def confusion(self) -> Confusion:
        return self.labelled.confusion(self.kept, self.decided)

    def no_date_worse(self, kept: int) -> bool:
        """Whether keeping only `kept` (an exclusion) lowers F1 on none of the dates decided: one that helps
        on some dates and hurts on another fits a few papers, not the topic."""
        for on_day in self.labelled.on.values():
            among = on_day & self.decided
            if among and (
                self.labelled.confusion(kept & among, among).f1
                < self.labelled.confusion(self.kept & among, among).f1 - 1e-9
            ):
                return False
        return True


class Hits:
    """The labelled papers each keyword and filter finds, searched once, as `planned`'s topic and rules
    (its fields, match mode, followed authors, judge) would search them: every topic asked of `verdicts`
    differs from `planned` in its keywords and filters only."""

    def __init__(self, labelled: Labelled, planned: TopicPlan, subscribed: Collection[str]) -> None:
        self.labelled = labelled
        self._mode = planned.rules.match
        fields = tuple(planned.topic.fields)
        self._texts = [(text, text.lower()) for text in (searched_text(p, fields) for p in labelled.papers)]
        authors = TopicMatcher(planned.topic.model_copy(update={"keywords": [], "filters": None}), self._mode)
        self._eligible = self._by_author = 0
        for position, (paper, (text, folded)) in enumerate(zip(labelled.papers, self._texts, strict=True)):
            if refused(paper, planned.rules, subscribed) is None:
                self._eligible |= 1 << position
            if authors.keyword(paper, text, folded) is not None:
                self._by_author |= 1 << position
        self._judged_no = labelled.judged_no if planned.topic.judge is not None else 0
        self._found: dict[tuple[str, object], int] = {}

    def verdicts(self, planned: TopicPlan, decided: int) -> Verdicts:
        """The topic's verdicts on the labelled papers `decided`."""
        matched, blocked = self._by_author, 0
        for keyword in planned.topic.keywords:
            matched |= self._found_by(keyword)
        for term in planned.topic.filters or []:
            blocked |= self._found_by(term)
        considered = self._eligible & decided
        kept = considered & matched & ~blocked & ~self._judged_no
        return Verdicts(self.labelled, decided, kept, considered & ~matched)

    def _found_by(self, keyword: Keyword) -> int:
        key = _key_of(keyword)
        found = self._found.get(key)
        if found is None:
            term, found = Term.compile(keyword, self._mode), 0
            for position, (text, folded) in enumerate(self._texts):
                if (term.clue is None or term.clue in folded) and term.search(text, folded) is not None:
                    found |= 1 << position
            self._found[key] = found
        return found


def _key_of(keyword: Keyword) -> tuple[str, object]:
    if isinstance(keyword, KeywordSpec):
        return "spec", keyword.model_dump_json()
    return ("parts", tuple(keyword)) if isinstance(keyword, list) else ("term", keyword)
