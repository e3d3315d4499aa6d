"""What a command asks of a run, one bundle per intent: where its batches come from (`Sourcing`) and what
follows the writing of each date (`Finish`: commit, push, notify), and the stored dates a measuring command
reads (`StoredSpan`). Each travels once, to the one stage that acts on it: `Sourcing` to the batches,
`Finish` to the recipe's last steps, `StoredSpan` to `ops.trials`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from digest.core.config import Source
from digest.core.journal import STEPS, Step

__all__ = ["Finish", "Notify", "Publish", "Sourcing", "StoreUse", "StoredSpan"]

StoreUse = Literal["first", "only", "never"]
"""Whether a stored batch serves: `first` (else it is fetched), `only` (offline: nothing is fetched),
`never` (refresh: fetched again even when stored)."""

Publish = Literal["none", "commit", "push"]
"""What git does with the written files: nothing, a commit, or a commit pushed."""

Notify = Literal["none", "owed", "again"]
"""Which messages are sent: none, those not sent yet, or every one again."""


@dataclass(frozen=True)
class Sourcing:
    """Where a command's batches come from: the interface, and whether the store serves first."""

    source: Source = "auto"
    stored: StoreUse = "first"


@dataclass(frozen=True)
class Finish:
    """What follows the writing of each date: git, then the messages."""

    publish: Publish = "none"
    notify: Notify = "none"

    def steps(self) -> tuple[Step, ...]:
        """The recipe's steps asked of each date: always the digests and the indexes."""
        skipped = {
            "commit": self.publish == "none",
            "push": self.publish != "push",
            "notify": self.notify == "none",
        }
        return tuple(step for step in STEPS if not skipped.get(step, False))

    @classmethod
    def of_steps(cls, steps: Collection[Step]) -> Finish:
        """The finish that does `steps` (those an earlier run left owed); a message sent is not sent again."""
        publish: Publish = "push" if "push" in steps else "commit" if "commit" in steps else "none"
        return cls(publish, "owed" if "notify" in steps else "none")


@dataclass(frozen=True)
class StoredSpan:
    """The dates whose stored batches `try`, `tune` and `label --suggest` read (`--from`, `--to`), and the time
    they are asked at, which tells a date not fetched yet from one arXiv has not announced yet."""

    start: date
    end: date
    now: datetime
