"""Phrase mining for `digest tune`: the words a topic misses, and the words of what it keeps wrongly.

Pure. `select_moves` grows a topic greedily on some labelled dates, one move a step, the move that best
raises F1 there: a keyword (a phrase of the relevant papers no keyword matched), a filter or an `unless`
(a phrase of the wrongly kept papers), a keyword asked to be mentioned twice (with the keywords that win
back what it loses, `narrowing`), or the removal of a configured keyword. A keyword is weighed against
how common it is among all the stored papers of the range, labelled or not (its estimated precision,
`Counts.precision`), and a phrase held by 5% of the papers is never one, so a phrase every paper uses ("we
construct") is never proposed; nor is a run of words each as common everywhere (`Counts.topical`). An
`unless` narrows only the keywords that keep more wrong papers than right ones among those holding it
(`VLM` unless `CLIP`), so the papers other keywords find stay kept. An exclusion (filter, unless, removal)
must lower F1 on none of the dates it learns from. `tune` calls it inside each cross-validation fold.
See docs/design.md, "Measuring and tuning".
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from digest.core.plan import TopicPlan
from digest.ops.moves import Move, Option, VerdictsOf, apply_moves
from digest.ops.narrowing import FILTER_GAIN, UNLESS_GAIN, Reach, mentions_options, unless_options
from digest.ops.phrases import Counts, PhraseIndex, phrases
from digest.ops.verdicts import Verdicts

__all__ = ["WEIGHED_HOLDERS", "select_moves"]

MOST_STEPS = 12
"""Moves a selection makes at most."""
PRECISION_FLOOR = 0.6
"""A keyword is proposed only if at least this share of the papers holding it are relevant, as estimated
on the training dates and across the store (`Counts.precision`)."""
LEAST_HOLDERS = 3
"""A keyword must be held by this many missed relevant papers: two is a coincidence of wording."""
LEAST_GAIN = 2
"""A move must set right at least this many more papers than it sets wrong (one paper is luck)."""
SPREAD = 2
FILTER_SPREAD = 3
"""A keyword must set right papers of this many dates (an exclusion: more, since it can only lose relevant ones)."""
GENERIC_SHARE = 0.05
"""A phrase held by more than this share of all the papers of the dates is too common to mean a topic."""
RECOVERY_STEPS = 4
"""Keywords a `mentions` move may add to win back the relevant papers it loses."""
WEIGHED_HOLDERS = min(LEAST_HOLDERS, FILTER_GAIN, UNLESS_GAIN)
"""No move names a phrase fewer labelled papers hold: only the others are counted on the dates (`PhraseIndex`)."""


def select_moves(planned: TopicPlan, days: Collection[date], index: PhraseIndex, verdicts_of: VerdictsOf) -> list[Move]:
    """Greedy forward selection on `days`: at each step the move with the best F1 there, while F1 rises."""
    start = verdicts_of(planned)
    counts = Counts.of(index, days, start.decided & index.labelled.relevant)

    def common(phrase: str) -> bool:
        return counts.training(phrase) > GENERIC_SHARE * counts.training_papers

    def keywords_for(verdicts: Verdicts) -> list[Option]:
        options = _keyword_options(verdicts, index, counts, min(SPREAD, len(days)))
        return [option for option in options if not common(option[1].term.lower())]

    def recover(narrowed: TopicPlan, term: str) -> tuple[str, ...]:
        """The keywords that win back, one at a time while F1 rises, what narrowing `term` lost: never the
        term or a part of it, which would find every paper the narrowing dropped."""
        parts = set(phrases(term))
        added: list[Move] = []
        for _ in range(RECOVERY_STEPS):
            verdicts = verdicts_of(apply_moves(narrowed, added))
            options = [option for option in keywords_for(verdicts) if option[1].term.lower() not in parts]
            move = _best(options, verdicts.confusion.f1)
            if move is None:
                break
            added.append(move)
        return tuple(move.term for move in added)

    moves: list[Move] = []
    for _ in range(MOST_STEPS):
        current = apply_moves(planned, moves)
        verdicts = verdicts_of(current)
        spread = min(FILTER_SPREAD, len(days))
        options = _filter_options(verdicts, index, spread)
        options = [option for option in options if not common(option[1].term.lower())]
        options += keywords_for(verdicts)
        options += unless_options(verdicts, index, current, verdicts_of, Reach(common, spread))
        options += mentions_options(verdicts, current, verdicts_of, recover)
        for keyword in (k for k in current.topic.keywords if isinstance(k, str) and k in planned.topic.keywords):
            dropped = verdicts_of(apply_moves(current, [Move("drop", keyword)]))
            if verdicts.no_date_worse(dropped.kept):
                options.append((dropped.confusion.f1, Move("drop", keyword)))
        move = _best(options, verdicts.confusion.f1)
        if move is None:
            break
        moves.append(move)
    return moves


def _best(options: Sequence[Option], now: float) -> Move | None:
    """The option with the highest F1 (the longer term on a tie: the more specific phrase), if it beats `now`."""
    if not options:
        return None
    score, move = max(options, key=lambda option: (round(option[0], 9), len(option[1].term), option[1].term))
    return move if score > now + 1e-9 else None


def _keyword_options(verdicts: Verdicts, index: PhraseIndex, counts: Counts, spread: int) -> list[Option]:
    """Phrases of the relevant papers no keyword matched, each with the F1 it would bring: every paper of
    the dates that holds it and is not kept counts as wrongly kept, unless it is a missed relevant one."""
    labelled, confusion = index.labelled, verdicts.confusion
    tp, fp, fn = confusion.tp, confusion.fp, confusion.fn
    options = []
    for phrase, holders in index.held_by(verdicts.unmatched & labelled.relevant, LEAST_HOLDERS).items():
        gain, everywhere = holders.bit_count(), counts.training(phrase)
        if not everywhere or labelled.dates(holders) < spread:
            continue
        if counts.precision(phrase) < PRECISION_FLOOR or not counts.topical(phrase):
            continue
        wrong = max(everywhere - (index.holding[phrase] & verdicts.kept).bit_count() - gain, 0)
        if gain - wrong < LEAST_GAIN:
            continue
        f1 = 2 * (tp + gain) / (2 * (tp + gain) + fp + wrong + fn - gain)
        options.append((f1, Move("keyword", index.shown[phrase])))
    return options


def _filter_options(verdicts: Verdicts, index: PhraseIndex, spread: int) -> list[Option]:
    """Phrases of the wrongly kept papers, with the F1 they bring as a filter (the relevant papers holding
    them are lost)."""
    relevant, confusion = index.labelled.relevant, verdicts.confusion
    tp, fp, fn = confusion.tp, confusion.fp, confusion.fn
    options = []
    for phrase, holders in index.held_by(verdicts.kept & ~relevant, FILTER_GAIN).items():
        lost = (index.holding[phrase] & verdicts.kept & relevant).bit_count()
        removed = holders.bit_count()
        if removed - lost < FILTER_GAIN or index.labelled.dates(holders) < spread:
            continue
        if not verdicts.no_date_worse(verdicts.kept & ~index.holding[phrase]):
            continue
        f1 = 2 * (tp - lost) / (2 * (tp - lost) + fp - removed + fn + lost)
        options.append((f1, Move("filter", index.shown[phrase])))
    return options
