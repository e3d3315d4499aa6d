"""One output directory's journal: the steps a command asked of each date and those done (core/journal.py
says what the steps are). Bound to its directory once, at the edge, so a recipe hands it dates only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from digest.core.journal import JournalEntry, Step
from digest.store.database import Store

__all__ = ["Journal"]


@dataclass(frozen=True)
class Journal:
    """The journal of the digests written to `output`, kept in `store`."""

    store: Store
    output: Path

    def begin(self, day: date, asked: Sequence[Step], now: datetime) -> None:
        """`day` starts, with these steps asked and none done."""
        self.store.begin_journal(self.output, day, asked, now)

    def mark(self, days: Iterable[date], step: Step, kept: Mapping[str, Sequence[str]] | None = None) -> None:
        """`step` is done for `days` (and, for the write, what their digests list)."""
        self.store.mark_done(self.output, days, step, kept)

    def unfinished(self) -> list[JournalEntry]:
        """The dates with a step asked and not done, oldest first."""
        return self.store.load_unfinished(self.output)
