"""A paper's phrases, for `digest tune`'s mining: what a words-mode keyword could match in it, counted.

Pure. A paper's phrases are runs of one to four words that no punctuation breaks (so a parenthesised
acronym such as "(VLA)" is a phrase of its own, and "vision-language models" is "vision language model"),
lower-cased, the last word without its plural ending. `PhraseIndex` holds them for the labelled papers and
counts them on every stored date, so `Counts` can say how common a phrase is among all the papers of the
range. See docs/design.md, "Measuring and tuning".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from digest.core.models import Paper
from digest.core.plan import TopicPlan
from digest.selection.match import in_subscribed_categories, searched_text
from digest.selection.terms import singular

__all__ = ["Counts", "PhraseIndex", "phrases"]

LONGEST = 4
"""Words in the longest phrase mined."""
_BREAK = re.compile(r"[^\w\s\-\u2010-\u2015]+|_")
_SEPARATOR = re.compile(r"[\s\-\u2010-\u2015]+")
_STOPWORDS = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by can for from has have in into is it its of on or our that the their these this "
        "to we which while with via using based than such both each how what when where whether not no more most "
        "also only over under between across through",
    )
)


def phrases(text: str) -> dict[str, str]:
    """Each phrase of `text` (its folded form) with how the text spells it, the plural ending dropped."""
    found: dict[str, str] = {}
    for segment in _BREAK.split(text):
        words = [word for word in _SEPARATOR.split(segment) if word]
        stop = [word.lower() in _STOPWORDS for word in words]
        last = [singular(word) for word in words]
        for start in range(len(words)):
            if stop[start]:
                continue
            for end in range(start + 1, min(start + LONGEST, len(words)) + 1):
                if stop[end - 1]:
                    continue
                shown = " ".join([*words[start : end - 1], last[end - 1]])
                if len(shown) > 2 and not shown.replace(" ", "").isdigit():
                    found.setdefault(shown.lower(), shown)
    return found


class PhraseIndex:
    """The phrases of each labelled paper, and per date how many of its papers hold each phrase (labelled
    or not: the papers the topic's category rule lets through)."""

    def __init__(
        self, days: Mapping[date, Sequence[Paper]], planned: TopicPlan, subscribed: Collection[str],
        labels: Mapping[str, bool],
    ) -> None:  # fmt: skip
        self.of: dict[str, set[str]] = {}
        self.date_of: dict[str, date] = {}
        self.shown: dict[str, str] = {}
        self.papers_with: dict[date, Counter[str]] = {}
        self.papers: dict[date, int] = {}
        rule, fields = planned.rules.category_rule, planned.topic.fields
        for day, papers in days.items():
            counts: Counter[str] = Counter()
            for paper in papers:
                found = phrases(searched_text(paper, fields))
                if in_subscribed_categories(paper.categories, subscribed, rule, paper.primary):
                    counts.update(found.keys())
                    self.papers[day] = self.papers.get(day, 0) + 1
                if paper.id in labels and paper.id not in self.of:
                    self.of[paper.id], self.date_of[paper.id] = set(found), day
                    for folded, shown in found.items():
                        self.shown.setdefault(folded, shown)
            self.papers_with[day] = counts
        self.everywhere: Counter[str] = Counter()
        """How many papers of all the dates hold each phrase."""
        for counts in self.papers_with.values():
            self.everywhere.update(counts)


@dataclass(frozen=True)
class Counts:
    """How many papers hold each phrase: on the training dates, and in the whole store (every date but the
    labelled ones held out)."""

    training: Counter[str]
    training_papers: int
    stored: Counter[str]
    stored_papers: int
    relevant: Counter[str]
    """How many of the relevant labelled papers of the training dates hold each phrase."""

    @classmethod
    def of(cls, index: PhraseIndex, days: Collection[date], relevant: Iterable[str]) -> Counts:
        """The counts on the training `days`, whose relevant labelled papers are `relevant`."""
        held_out = set(index.date_of.values()) - set(days)
        training: Counter[str] = Counter()
        for day in days:
            training.update(index.papers_with.get(day, {}))
        stored = index.everywhere.copy()
        for day in held_out:
            stored.subtract(index.papers_with[day])
        return cls(
            training,
            sum(index.papers.get(day, 0) for day in days),
            stored,
            sum(n for day, n in index.papers.items() if day not in held_out),
            Counter(phrase for paper_id in relevant for phrase in index.of[paper_id]),
        )

    def precision(self, phrase: str) -> float:
        """The share of the papers holding `phrase` that are relevant, estimated twice and the lower kept: on
        the training dates, and across the store (the relevant rate of the training dates over the
        phrase's rate among all stored papers: a phrase common on unlabelled dates too is generic)."""
        relevant = self.relevant[phrase]
        on_training = relevant / self.training[phrase]
        in_store = (relevant / self.training_papers) / (self.stored[phrase] / self.stored_papers)
        return min(on_training, in_store)
