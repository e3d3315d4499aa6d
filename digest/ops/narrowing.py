"""The moves of `digest tune` that narrow a keyword instead of adding one: `unless` (`VLM` unless `CLIP`) and
`mentions` (`Vision Language Model` mentioned twice).

Pure. An `unless` narrows only the keywords that keep more wrong papers than right ones among those holding
its phrase, so the papers other keywords find stay kept; it must drop ten more wrong papers than right ones
and lower F1 on none of the dates it learns from. A `mentions` move is tried on a keyword whose papers that
name it once hold enough wrong ones; it comes with the keywords mined to win back the relevant papers among
them (`large vision-language models (LVLMs)` says `LVLM` too), and is measured with them. See
docs/design.md, "Measuring and tuning".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from digest.core.config import KeywordSpec
from digest.core.plan import TopicPlan
from digest.ops.moves import Move, Option, VerdictsOf, apply_moves, term_of
from digest.ops.phrases import PhraseIndex
from digest.ops.verdicts import Verdicts

__all__ = ["FILTER_GAIN", "UNLESS_GAIN", "Reach", "mentions_options", "unless_options"]

FILTER_GAIN = 4
"""An exclusion must drop this many more wrongly kept papers than relevant ones: it can only lose recall."""
UNLESS_GAIN = 10
"""An `unless` must drop this many more wrongly kept papers than relevant ones. It chooses which keywords it
narrows, those whose papers holding its phrase are mostly wrong, so its margin is flattered by that choice
and a few papers are found by chance: on the labelled MLLM days, the `unless` moves chosen with a margin
under ten ("adapter", "CLIP", "downstream task") lowered the cross-validated F1."""
UNLESS_TRIED = 8
"""Phrases measured as an `unless` per step: those that most separate the wrongly kept papers from the rest."""


class Reach(NamedTuple):
    """Which phrases may narrow a keyword: none that is `common`, each held on at least `spread` dates."""

    common: Callable[[str], bool]
    spread: int


def unless_options(
    verdicts: Verdicts, index: PhraseIndex, current: TopicPlan, verdicts_of: VerdictsOf, reach: Reach
) -> list[Option]:
    """Phrases of the wrongly kept papers as an `unless` of the keywords that keep more wrong papers than
    right ones among those holding it, each with the F1 it brings, measured (a paper another keyword holds
    stays kept). The phrases measured are those that would drop most wrong papers net of right ones."""
    common, spread = reach
    matched: dict[str, int] = {}
    for keyword in current.topic.keywords:
        term = term_of(keyword)
        if term is not None:
            alone = verdicts_of(TopicPlan(current.topic.model_copy(update={"keywords": [keyword]}), current.rules))
            matched[term] = alone.kept
    relevant = index.labelled.relevant
    shortlist = []
    for phrase, holders in index.held_by(verdicts.kept & ~relevant, UNLESS_GAIN).items():
        if index.labelled.dates(holders) < spread or common(phrase):
            continue
        right = index.holding[phrase] & verdicts.kept & relevant
        narrowed = tuple(
            term for term, ids in matched.items() if (ids & holders).bit_count() > (ids & right).bit_count()
        )
        still = 0
        for term, ids in matched.items():
            still |= 0 if term in narrowed else ids
        gain = (holders & ~still).bit_count() - (right & ~still).bit_count()
        if narrowed and gain >= UNLESS_GAIN:
            shortlist.append((gain, phrase, narrowed))
    options = []
    for _, phrase, narrowed in sorted(shortlist, reverse=True)[:UNLESS_TRIED]:
        move = Move("unless", index.shown[phrase], narrowed)
        after = verdicts_of(apply_moves(current, [move]))
        if verdicts.no_date_worse(after.kept):
            options.append((after.confusion.f1, move))
    return options


Recover = Callable[[TopicPlan, str], tuple[str, ...]]
"""The keywords mined, greedily, to win back what a topic narrowed on a keyword lost."""


def mentions_options(verdicts: Verdicts, current: TopicPlan, verdicts_of: VerdictsOf, recover: Recover) -> list[Option]:
    """Each plain keyword asked to be mentioned twice, with the keywords that win back what it loses, and
    the F1 they bring together. A keyword is tried when the papers that name it once hold enough wrong ones,
    and kept when, with the keywords won back, it sets right more papers than it sets wrong, by more than luck."""
    options = []
    before, relevant = verdicts.confusion, verdicts.labelled.relevant
    for keyword in current.topic.keywords:
        term = term_of(keyword)
        if term is None or (isinstance(keyword, KeywordSpec) and keyword.mentions > 1):
            continue
        narrowed = apply_moves(current, [Move("mentions", term)])
        lost = verdicts.kept & ~verdicts_of(narrowed).kept
        if (lost & ~relevant).bit_count() < FILTER_GAIN:
            continue
        move = Move("mentions", term, recover(narrowed, term))
        after = verdicts_of(apply_moves(current, [move])).confusion
        if (before.fp - after.fp) - (before.tp - after.tp) >= FILTER_GAIN:
            options.append((after.f1, move))
    return options
