"""What the topics want of a batch, handed to the sources by the caller: the sources never select."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from digest.core.models import Paper
from digest.store.papers import CategoryTest, ClueFilter

__all__ = ["Wanted"]


@dataclass(frozen=True)
class Wanted:
    """What the topics want of a batch, handed in by the caller: `keep` names the papers whose full metadata
    the API is asked for (those some topic keeps: `selection.kept`), `prefilter` and `clues` the stored
    papers worth building at all (those some topic's category rule lets through, and whose text holds a
    clue of some topic's keywords; None: every one)."""

    keep: Callable[[list[Paper]], set[str]]
    prefilter: CategoryTest | None = None
    clues: ClueFilter | None = None
