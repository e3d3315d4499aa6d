"""Phrase mining for `digest tune`: the words a topic misses, found in the papers it gets wrong.

Pure. A paper's phrases are what a words-mode keyword could match in it: runs of one to four words that
no punctuation breaks (so a parenthesised acronym such as "(VLA)" is a phrase of its own, and
"vision-language models" is "vision language model"), lower-cased, the last word without its plural
ending. `select_moves` grows a topic greedily on some labelled dates: each step adds the keyword that best
raises F1 there or, when none does, the filter or the removal of a configured keyword that does. A keyword
is weighed against how common it is among all the stored papers of the range, labelled or not (its
estimated precision, `_Counts.precision`), and a phrase held by 5% of the papers is never one, so a phrase
every paper uses ("we construct") is never proposed. `tune` calls it inside each cross-validation fold.
See docs/design.md, "Measuring and tuning".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from digest.core.config import Keyword
from digest.core.models import Paper
from digest.core.plan import TopicPlan
from digest.ops.labels import Confusion
from digest.selection.match import in_subscribed_categories, searched_text
from digest.selection.select import Decision

__all__ = ["Move", "PhraseIndex", "apply_moves", "phrases", "select_moves"]

LONGEST = 4
"""Words in the longest phrase mined."""
MOST_STEPS = 12
"""Moves a selection makes at most."""
PRECISION_FLOOR = 0.6
"""A keyword is proposed only if at least this share of the papers holding it are relevant, as estimated
on the training dates and across the store (`_Counts.precision`)."""
LEAST_HOLDERS = 3
"""A keyword must be held by this many missed relevant papers: two is a coincidence of wording."""
LEAST_GAIN = 2
"""A move must set right at least this many more papers than it sets wrong (one paper is luck)."""
FILTER_GAIN = 4
"""A filter must drop this many more wrongly kept papers than relevant ones: it can only lose recall."""
SPREAD = 2
FILTER_SPREAD = 3
"""A keyword must set right papers of this many dates (a filter: more, since it can only lose relevant ones)."""
GENERIC_SHARE = 0.05
"""A phrase held by more than this share of all the papers of the dates is too common to mean a topic."""

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
        for start in range(len(words)):
            for end in range(start + 1, min(start + LONGEST, len(words)) + 1):
                run = words[start:end]
                if run[0].lower() in _STOPWORDS or run[-1].lower() in _STOPWORDS:
                    continue
                shown = " ".join([*run[:-1], _singular(run[-1])])
                if len(shown) > 2 and not shown.replace(" ", "").isdigit():
                    found.setdefault(shown.lower(), shown)
    return found


def _singular(word: str) -> str:
    """The word without a plural `s` or `es` that words mode matches anyway (`models`, `LVLMs`, `approaches`)."""
    if len(word) > 4 and word.endswith("es") and word[:-2].lower().endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.lower().endswith(("ss", "us", "is")):
        return word[:-1]
    return word


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


@dataclass(frozen=True)
class Move:
    """One change to a topic: `keyword` adds a keyword, `filter` a filter, `drop` removes a keyword."""

    kind: Literal["keyword", "filter", "drop"]
    term: str

    def describe(self) -> str:
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
        else:
            keywords = [keyword for keyword in keywords if keyword != move.term]
    topic = planned.topic.model_copy(update={"keywords": keywords, "filters": filters or None})
    return TopicPlan(topic, planned.rules)


VerdictsOf = Callable[[TopicPlan], Mapping[str, Decision]]
"""A topic's verdicts on the labelled papers of the dates a selection learns from (id -> Decision)."""


def select_moves(
    planned: TopicPlan, days: Collection[date], index: PhraseIndex, labels: Mapping[str, bool], verdicts_of: VerdictsOf
) -> list[Move]:
    """Greedy forward selection on `days`: at each step the move with the best F1 there, while F1 rises."""
    counts = _Counts.of(index, days)
    common = {phrase for phrase, count in counts.training.items() if count > GENERIC_SHARE * counts.training_papers}
    spread = min(SPREAD, len(days))
    moves: list[Move] = []
    for _ in range(MOST_STEPS):
        current = apply_moves(planned, moves)
        verdicts = verdicts_of(current)
        confusion = Confusion.count((i for i, d in verdicts.items() if d.kept), {i: labels[i] for i in verdicts})
        keywords = _keyword_options(verdicts, labels, index, counts, confusion, spread)
        move = _best([option for option in keywords if option[1].term.lower() not in common], confusion.f1)
        if move is None:  # keywords first: a phrase many relevant papers use carries over; an exclusion less often
            others = _filter_options(verdicts, labels, index, confusion, min(FILTER_SPREAD, len(days)))
            others = [option for option in others if option[1].term.lower() not in common]
            for keyword in (k for k in current.topic.keywords if isinstance(k, str) and k in planned.topic.keywords):
                dropped = verdicts_of(apply_moves(planned, [*moves, Move("drop", keyword)]))
                kept = (i for i, d in dropped.items() if d.kept)
                others.append((Confusion.count(kept, {i: labels[i] for i in dropped}).f1, Move("drop", keyword)))
            move = _best(others, confusion.f1)
        if move is None:
            break
        moves.append(move)
    return moves


Option = tuple[float, Move]


def _best(options: Sequence[Option], now: float) -> Move | None:
    """The option with the highest F1 (the longer term on a tie: the more specific phrase), if it beats `now`."""
    if not options:
        return None
    score, move = max(options, key=lambda option: (round(option[0], 9), len(option[1].term), option[1].term))
    return move if score > now + 1e-9 else None


@dataclass(frozen=True)
class _Counts:
    """How many papers hold each phrase: on the training dates, and in the whole store (every date but the
    labelled ones held out)."""

    training: Counter[str]
    training_papers: int
    stored: Counter[str]
    stored_papers: int

    @classmethod
    def of(cls, index: PhraseIndex, days: Collection[date]) -> _Counts:
        held_out = set(index.date_of.values()) - set(days)
        training: Counter[str] = Counter()
        stored: Counter[str] = Counter()
        for day, counts in index.papers_with.items():
            if day in days:
                training.update(counts)
            if day not in held_out:
                stored.update(counts)
        return cls(
            training,
            sum(index.papers.get(day, 0) for day in days),
            stored,
            sum(n for day, n in index.papers.items() if day not in held_out),
        )

    def precision(self, phrase: str, relevant: int) -> float:
        """The share of the papers holding `phrase` that are relevant, estimated twice and the lower kept: on
        the training dates, and across the store (the relevant rate of the training dates over the
        phrase's rate among all stored papers: a phrase common on unlabelled dates too is generic)."""
        on_training = relevant / self.training[phrase]
        in_store = (relevant / self.training_papers) / (self.stored[phrase] / self.stored_papers)
        return min(on_training, in_store)


def _keyword_options(
    verdicts: Mapping[str, Decision], labels: Mapping[str, bool], index: PhraseIndex, counts: _Counts,
    confusion: Confusion, spread: int,
) -> list[Option]:  # fmt: skip
    """Phrases of the relevant papers no keyword matched, each with the F1 it would bring: every paper of
    the dates that holds it and is not kept counts as wrongly kept, unless it is a missed relevant one."""
    missed = [i for i, d in verdicts.items() if labels[i] and d.reason.startswith("no keyword matched")]
    relevant = Counter(phrase for i in verdicts if labels[i] for phrase in index.of[i])
    kept = Counter(phrase for i, d in verdicts.items() if d.kept for phrase in index.of[i])
    tp, fp, fn = confusion.tp, confusion.fp, confusion.fn
    options = []
    for phrase, holders in _found_in(missed, index).items():
        gain, everywhere = len(holders), counts.training[phrase]
        if gain < LEAST_HOLDERS or not everywhere or len({index.date_of[i] for i in holders}) < spread:
            continue
        if counts.precision(phrase, relevant[phrase]) < PRECISION_FLOOR:
            continue
        wrong = max(everywhere - kept[phrase] - gain, 0)
        if gain - wrong < LEAST_GAIN:
            continue
        f1 = 2 * (tp + gain) / (2 * (tp + gain) + fp + wrong + fn - gain)
        options.append((f1, Move("keyword", index.shown[phrase])))
    return options


def _filter_options(
    verdicts: Mapping[str, Decision], labels: Mapping[str, bool], index: PhraseIndex, confusion: Confusion,
    spread: int,
) -> list[Option]:  # fmt: skip
    """Phrases of the wrongly kept papers, with the F1 they bring as a filter (the relevant papers holding
    them are lost)."""
    wrongly_kept = [i for i, d in verdicts.items() if d.kept and not labels[i]]
    rightly_kept = Counter(phrase for i, d in verdicts.items() if d.kept and labels[i] for phrase in index.of[i])
    tp, fp, fn = confusion.tp, confusion.fp, confusion.fn
    options = []
    for phrase, holders in _found_in(wrongly_kept, index).items():
        removed, lost = len(holders), rightly_kept[phrase]
        if removed - lost < FILTER_GAIN or len({index.date_of[i] for i in holders}) < spread:
            continue
        f1 = 2 * (tp - lost) / (2 * (tp - lost) + fp - removed + fn + lost)
        options.append((f1, Move("filter", index.shown[phrase])))
    return options


def _found_in(ids: Sequence[str], index: PhraseIndex) -> dict[str, list[str]]:
    """Each phrase of these papers, with the papers that hold it."""
    holders: dict[str, list[str]] = {}
    for paper_id in ids:
        for phrase in index.of[paper_id]:
            holders.setdefault(phrase, []).append(paper_id)
    return holders
