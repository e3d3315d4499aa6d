"""What the topics want of a batch, handed to the sources by the caller: the sources never select."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from digest.core.models import Paper

__all__ = ["CategoryFilter", "Wanted"]

CategoryFilter = Callable[[list[str], str | None], bool]
"""A test on a stored paper's categories and primary category, made before the paper is built."""


@dataclass(frozen=True)
class Wanted:
    """What the topics want of a batch, handed in by the caller: `keep` names the papers whose full metadata
    the API is asked for (those some topic keeps: `selection.kept`), `prefilter` the stored papers worth
    building at all (those some topic's category rule lets through; None: every one)."""

    keep: Callable[[list[Paper]], set[str]]
    prefilter: CategoryFilter | None = None
