"""A paper's phrases, for `digest tune`'s mining: what a words-mode keyword could match in it, counted.

Pure. A paper's phrases are runs of one to four words that no punctuation breaks (so a parenthesised
acronym such as "(VLA)" is a phrase of its own, and "vision-language models" is "vision language model"),
lower-cased, the last word without its plural ending. `PhraseIndex` holds them for the labelled papers and
counts the papers of every stored date holding each, so `Counts` can say how common a phrase is among all
the papers of the range. See docs/design.md, "Measuring and tuning".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ahocorasick_rs import AhoCorasick, Implementation

from digest.core.config import TextField
from digest.core.models import Paper
from digest.core.plan import TopicPlan
from digest.ops.verdicts import Labelled
from digest.selection.match import in_subscribed_categories, searched_text
from digest.selection.terms import singular

__all__ = ["Counts", "PhraseIndex", "phrases"]

LONGEST = 4
"""Words in the longest phrase mined."""
TOPICAL_LIFT = 2.0
"""How many times as common among the relevant papers as among all papers a word of a keyword must be."""
_BREAK = re.compile(r"[^\w\s\-\u2010-\u2015]+|_")
_SEPARATOR = re.compile(r"[\s\-\u2010-\u2015]+")
_TOKEN = re.compile(r"[^\W_]+|[^\w\s\-\u2010-\u2015]+|_")
"""A word (what `_BREAK` and `_SEPARATOR` leave), or a run of what breaks a phrase: a text's tokens."""
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


class _Finder:
    """Which of some phrases a text holds, without reading all of the text's own: the words of the phrases
    are looked for at once among the text's folded words (an Aho-Corasick automaton for runs of words, a
    set for single words), each spelled as it folds or with a plural ending; each place found is read by
    `phrases` to confirm it, since a word's case can keep its plural (`LVLMS` is no `lvlm`)."""

    def __init__(self, counted: Collection[str]) -> None:
        self.phrases = frozenset(counted)
        self._words: set[str] = set()
        self._runs: list[tuple[str, int]] = []
        patterns = []
        for phrase in sorted(self.phrases):
            *inner, last = phrase.split(" ")
            if not inner:
                self._words |= _spellings(last)
                continue
            for spelling in sorted(_spellings(last)):
                patterns.append(f" {' '.join([*inner, spelling])} ")
                self._runs.append((phrase, len(inner) + 1))
        self._automaton = AhoCorasick(patterns, implementation=Implementation.DFA) if patterns else None
        self._confirmed: dict[str, frozenset[str]] = {}

    def held_in(self, text: str) -> set[str]:
        """The phrases of `self.phrases` that `phrases(text)` holds."""
        words = _TOKEN.findall(text)  # no phrase holds a break: no pattern matches across one
        found: set[str] = set()
        for word in {word for word in set(words) if word.lower() in self._words}:
            found |= self._read(word)
        if self._automaton is not None:
            folded = f" {' '.join(words).lower()} "
            for number, start, _ in self._automaton.find_matches_as_indexes(folded, overlapping=True):
                phrase, size = self._runs[number]
                first = folded.count(" ", 0, start)
                if phrase not in found and phrase in self._read(" ".join(words[first : first + size])):
                    found.add(phrase)
        return found

    def _read(self, words: str) -> frozenset[str]:
        """The phrases counted among those of a few words, remembered: the same words recur in paper after paper."""
        read = self._confirmed.get(words)
        if read is None:
            read = self._confirmed[words] = self.phrases.intersection(phrases(words))
        return read


def _spellings(word: str) -> set[str]:
    """How a word whose singular folds to `word` may fold: as it is, or with a plural ending (a final `ς` is
    a `σ` before it)."""
    stems = {word, word[:-1] + "σ"} if word.endswith("ς") else {word}
    return {word} | {stem + ending for stem in stems for ending in ("s", "es")}


class PhraseIndex:
    """The phrases of each labelled paper, the labelled papers holding each phrase (a bitset over
    `Labelled`), and per date how many of its papers hold each of those phrases (labelled or not: the papers
    the topic's category rule lets through). Only a phrase enough labelled papers hold can be proposed, so
    no other is counted."""

    def __init__(
        self, days: Mapping[date, Sequence[Paper]], labelled: Labelled, planned: TopicPlan,
        subscribed: Collection[str], least: int,
    ) -> None:  # fmt: skip
        """Only the phrases `least` labelled papers hold are counted on the dates: no move names another."""
        self.labelled = labelled
        self.of: list[tuple[str, ...]] = []
        """Each labelled paper's phrases, by its number."""
        self.holding: dict[str, int] = {}
        """The labelled papers holding each phrase."""
        self.shown: dict[str, str] = {}
        rule, fields = planned.rules.category_rule, planned.topic.fields
        for position, paper in enumerate(labelled.papers):
            found = phrases(searched_text(paper, fields))
            self.of.append(tuple(found))
            for folded, shown in found.items():
                self.shown.setdefault(folded, shown)
                self.holding[folded] = self.holding.get(folded, 0) | 1 << position
        finder = _Finder({phrase for phrase, holders in self.holding.items() if holders.bit_count() >= least})
        self.papers_with: dict[date, dict[str, int]] = {}
        """Per date, how many of its papers hold each phrase counted (a phrase not counted is no key)."""
        self.papers: dict[date, int] = {}
        for day, papers in days.items():
            counts = dict.fromkeys(finder.phrases, 0)
            for paper in papers:
                if in_subscribed_categories(paper.categories, subscribed, rule, paper.primary):
                    for phrase in self._held_by(paper, fields, finder):
                        counts[phrase] += 1
                    self.papers[day] = self.papers.get(day, 0) + 1
            self.papers_with[day] = counts
        self.everywhere = dict.fromkeys(finder.phrases, 0)
        """How many papers of all the dates hold each phrase counted."""
        for counts in self.papers_with.values():
            for phrase, count in counts.items():
                self.everywhere[phrase] += count

    def _held_by(self, paper: Paper, fields: Sequence[TextField], finder: _Finder) -> Collection[str]:
        """The phrases counted that this paper holds; a labelled paper's own are read once."""
        position = self.labelled.position.get(paper.id)
        if position is not None and self.labelled.papers[position] is paper:
            return finder.phrases.intersection(self.of[position])
        return finder.held_in(searched_text(paper, fields))

    def held_by(self, papers: int, least: int) -> dict[str, int]:
        """Each phrase held by at least `least` of these labelled papers, with those that hold it."""
        held: Counter[str] = Counter()
        remaining = papers
        while remaining:
            lowest = remaining & -remaining
            held.update(self.of[lowest.bit_length() - 1])
            remaining ^= lowest
        return {phrase: self.holding[phrase] & papers for phrase, count in held.items() if count >= least}


@dataclass(frozen=True)
class Counts:
    """How many papers hold a phrase: on the training dates, and in the whole store (every date but the
    labelled ones held out)."""

    index: PhraseIndex
    days: Collection[date]
    held_out: Collection[date]
    training_papers: int
    stored_papers: int
    relevant: int
    """The relevant labelled papers of the training dates."""

    @classmethod
    def of(cls, index: PhraseIndex, days: Collection[date], relevant: int) -> Counts:
        """The counts on the training `days`, whose relevant labelled papers are `relevant`."""
        held_out = set(index.labelled.on) - set(days)
        return cls(
            index,
            days,
            held_out,
            sum(index.papers.get(day, 0) for day in days),
            sum(n for day, n in index.papers.items() if day not in held_out),
            relevant,
        )

    def training(self, phrase: str) -> int:
        """How many papers of the training dates hold `phrase`."""
        return sum(self.index.papers_with[day][phrase] for day in self.days)

    def precision(self, phrase: str) -> float:
        """The share of the papers holding `phrase` that are relevant, estimated twice and the lower kept: on
        the training dates, and across the store (the relevant rate of the training dates over the
        phrase's rate among all stored papers: a phrase common on unlabelled dates too is generic)."""
        relevant = (self.index.holding[phrase] & self.relevant).bit_count()
        on_training = relevant / self.training(phrase)
        in_store = (relevant / self.training_papers) / (self._stored(phrase) / self.stored_papers)
        return min(on_training, in_store)

    def topical(self, phrase: str) -> bool:
        """Whether a word of `phrase` is `TOPICAL_LIFT` times as common among the relevant papers of the
        training dates as among all the stored papers: a run of common words that a few missed papers
        happen to share ("existing models often") names no topic, however rare the run itself is."""
        relevant = self.relevant.bit_count()
        words = [alone for alone in map(singular, phrase.split(" ")) if alone in self.index.everywhere]
        return any(
            (self.index.holding[alone] & self.relevant).bit_count() / relevant
            >= TOPICAL_LIFT * self._stored(alone) / self.stored_papers
            for alone in words
        )

    def _stored(self, phrase: str) -> int:
        """How many papers of the store hold `phrase`, the held-out dates' left out."""
        return self.index.everywhere[phrase] - sum(self.index.papers_with[day][phrase] for day in self.held_out)
