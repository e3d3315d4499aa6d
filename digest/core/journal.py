"""The journal: which steps of a date's recipe a command asked for, and which are done.

A date's recipe is `STEPS`, in order. A command records a date's entry before writing it and marks each
step as it completes, in the store. A digest on disk is not proof that its date is done: a kill between
two steps leaves an entry with steps owed, and the next run (of any date) finishes them first
(`recipe.finish_unfinished`). See docs/design.md, "The journal".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

__all__ = ["STEPS", "JournalEntry", "Step"]

Step = Literal["write", "indexes", "commit", "push", "notify"]

STEPS: tuple[Step, ...] = ("write", "indexes", "commit", "push", "notify")
"""A date's recipe, in the order its steps run: the digests, the index pages and feeds, git, the message."""


@dataclass(frozen=True)
class JournalEntry:
    """One date of one output directory: the steps asked, those done, and what its digests list (once
    written)."""

    day: date
    asked: tuple[Step, ...]
    done: tuple[Step, ...]
    kept: Mapping[str, Sequence[str]] | None
    started: datetime

    @property
    def owed(self) -> tuple[Step, ...]:
        """The steps asked and not done, in the recipe's order."""
        return tuple(step for step in STEPS if step in self.asked and step not in self.done)
