"""Phrase mining for `digest tune`: the words a topic misses, and the words of what it keeps wrongly.

Pure. `select_moves` grows a topic greedily on some labelled dates, one move a step, the move that best
raises F1 there: a keyword (a phrase of the relevant papers no keyword matched), a filter or an `unless`
(a phrase of the wrongly kept papers), or the removal of a configured keyword. A keyword is weighed against
how common it is among all the stored papers of the range, labelled or not (its estimated precision,
`Counts.precision`), and a phrase held by 5% of the papers is never one, so a phrase every paper uses ("we
construct") is never proposed. An `unless` narrows only the keywords that keep more wrong papers than right
ones among those holding it (`VLM` unless `CLIP`), so the papers other keywords find stay kept. An exclusion
(filter, unless, removal) must lower F1 on none of the dates it learns from. `tune` calls it inside each
cross-validation fold. See docs/design.md, "Measuring and tuning".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal, NamedTuple

from digest.core.config import Keyword, KeywordSpec
from digest.core.models import Decision
from digest.core.plan import TopicPlan
from digest.ops.labels import Confusion
from digest.ops.phrases import Counts, PhraseIndex

__all__ = ["Move", "apply_moves", "select_moves", "term_of"]

MOST_STEPS = 12
"""Moves a selection makes at most."""
PRECISION_FLOOR = 0.6
"""A keyword is proposed only if at least this share of the papers holding it are relevant, as estimated
on the training dates and across the store (`Counts.precision`)."""
LEAST_HOLDERS = 3
"""A keyword must be held by this many missed relevant papers: two is a coincidence of wording."""
LEAST_GAIN = 2
"""A move must set right at least this many more papers than it sets wrong (one paper is luck)."""
FILTER_GAIN = 4
"""An exclusion must drop this many more wrongly kept papers than relevant ones: it can only lose recall."""
SPREAD = 2
FILTER_SPREAD = 3
"""A keyword must set right papers of this many dates (an exclusion: more, since it can only lose relevant ones)."""
GENERIC_SHARE = 0.05
"""A phrase held by more than this share of all the papers of the dates is too common to mean a topic."""
UNLESS_TRIED = 8
"""Phrases measured as an `unless` per step: those that most separate the wrongly kept papers from the rest."""


@dataclass(frozen=True)
class Move:
    """One change to a topic: `keyword` adds a keyword, `filter` a filter, `drop` removes a keyword, and
    `unless` keeps the keywords `of` from counting in a paper that holds `term` (`KeywordSpec.unless`)."""

    kind: Literal["keyword", "filter", "drop", "unless"]
    term: str
    of: tuple[str, ...] = ()

    def describe(self) -> str:
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


def select_moves(
    planned: TopicPlan, days: Collection[date], index: PhraseIndex, labels: Mapping[str, bool], verdicts_of: VerdictsOf
) -> list[Move]:
    """Greedy forward selection on `days`: at each step the move with the best F1 there, while F1 rises."""
    counts = Counts.of(index, days)
    common = {phrase for phrase, count in counts.training.items() if count > GENERIC_SHARE * counts.training_papers}
    moves: list[Move] = []
    for _ in range(MOST_STEPS):
        current = apply_moves(planned, moves)
        verdicts = verdicts_of(current)
        confusion = _confusion(verdicts, labels)
        options = _keyword_options(verdicts, labels, index, counts, confusion, min(SPREAD, len(days)))
        spread = min(FILTER_SPREAD, len(days))
        options += _filter_options(verdicts, labels, index, confusion, spread)
        options = [option for option in options if option[1].term.lower() not in common]
        options += _unless_options(verdicts, labels, index, current, verdicts_of, _Reach(common, spread))
        for keyword in (k for k in current.topic.keywords if isinstance(k, str) and k in planned.topic.keywords):
            dropped = verdicts_of(apply_moves(current, [Move("drop", keyword)]))
            if _no_date_worse(verdicts, dropped, labels, index):
                options.append((_confusion(dropped, labels).f1, Move("drop", keyword)))
        move = _best(options, confusion.f1)
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


def _confusion(verdicts: Mapping[str, Decision], labels: Mapping[str, bool]) -> Confusion:
    return Confusion.count((i for i, d in verdicts.items() if d.kept), {i: labels[i] for i in verdicts})


def _keyword_options(
    verdicts: Mapping[str, Decision], labels: Mapping[str, bool], index: PhraseIndex, counts: Counts,
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
    kept = {i for i, d in verdicts.items() if d.kept}
    tp, fp, fn = confusion.tp, confusion.fp, confusion.fn
    options = []
    for phrase, holders in _found_in([i for i in kept if not labels[i]], index).items():
        lost = {i for i in kept if labels[i] and phrase in index.of[i]}
        removed = len(holders)
        if removed - len(lost) < FILTER_GAIN or len({index.date_of[i] for i in holders}) < spread:
            continue
        after = {i: d for i, d in verdicts.items() if i not in lost and i not in holders}
        if not _no_date_worse(verdicts, after, labels, index):
            continue
        f1 = 2 * (tp - len(lost)) / (2 * (tp - len(lost)) + fp - removed + fn + len(lost))
        options.append((f1, Move("filter", index.shown[phrase])))
    return options


class _Reach(NamedTuple):
    """Which phrases may narrow a keyword: none of the `common` ones, each held on at least `spread` dates."""

    common: Collection[str]
    spread: int


def _unless_options(
    verdicts: Mapping[str, Decision], labels: Mapping[str, bool], index: PhraseIndex, current: TopicPlan,
    verdicts_of: VerdictsOf, reach: _Reach,
) -> list[Option]:  # fmt: skip
    """Phrases of the wrongly kept papers as an `unless` of the keywords that keep more wrong papers than
    right ones among those holding it, each with the F1 it brings, measured (a paper another keyword holds
    stays kept). The phrases measured are those that would drop most wrong papers net of right ones."""
    common, spread = reach
    matched: dict[str, set[str]] = {}
    for keyword in current.topic.keywords:
        term = term_of(keyword)
        if term is not None:
            alone = verdicts_of(TopicPlan(current.topic.model_copy(update={"keywords": [keyword]}), current.rules))
            matched[term] = {i for i, d in alone.items() if d.kept}
    kept = {i for i, d in verdicts.items() if d.kept}
    shortlist = []
    for phrase, holders in _found_in([i for i in kept if not labels[i]], index).items():
        if len({index.date_of[i] for i in holders}) < spread or phrase in common:
            continue
        right = {i for i in kept if labels[i] and phrase in index.of[i]}
        narrowed = tuple(term for term, ids in matched.items() if len(ids & set(holders)) > len(ids & right))
        still = {i for term, ids in matched.items() if term not in narrowed for i in ids}
        gain = sum(i not in still for i in holders) - sum(i not in still for i in right)
        if narrowed and gain >= FILTER_GAIN:
            shortlist.append((gain, phrase, narrowed))
    options = []
    for _, phrase, narrowed in sorted(shortlist, reverse=True)[:UNLESS_TRIED]:
        move = Move("unless", index.shown[phrase], narrowed)
        after = verdicts_of(apply_moves(current, [move]))
        if _no_date_worse(verdicts, after, labels, index):
            options.append((_confusion(after, labels).f1, move))
    return options


def _no_date_worse(
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


def _found_in(ids: Collection[str], index: PhraseIndex) -> dict[str, list[str]]:
    """Each phrase of these papers, with the papers that hold it."""
    holders: dict[str, list[str]] = {}
    for paper_id in sorted(ids):
        for phrase in index.of[paper_id]:
            holders.setdefault(phrase, []).append(paper_id)
    return holders
