"""What a command asks for (its options) and what it did (its report), for the terminal, logs and benchmark."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from digest.config import Source
from digest.publish import PublishResult
from digest.write import INDEX_NAME, digest_path

__all__ = ["BackfillOptions", "BackfillReport", "DayResult", "FetchOptions", "RunOptions", "RunReport"]


@dataclass(frozen=True, kw_only=True)
class FetchOptions:
    """What every command that fetches asks: the source, whether to stay offline, to commit, to push."""

    source: Source = "auto"
    offline: bool = False
    commit: bool = False
    push: bool = False


@dataclass(frozen=True)
class RunOptions(FetchOptions):
    """What one `digest run` (or one scheduled tick) asks for: the latest batch, or the one on `day`."""

    day: date | None = None
    refresh: bool = False


@dataclass(frozen=True)
class BackfillOptions(FetchOptions):
    """What one `digest backfill` asks for: the dates from `start` to `end`."""

    start: date
    end: date
    every_day: bool = False
    force: bool = False


@dataclass(frozen=True)
class DayResult:
    """What a date produced: papers per topic."""

    date: date
    counts: dict[str, int]

    def targets(self, output_dir: Path) -> list[Path]:
        """Every file this date's run is responsible for: its digests and the index pages.

        Publishing these, not only the files whose bytes changed, also commits what a crashed run left.
        """
        pages = [digest_path(output_dir, topic, self.date) for topic in self.counts]
        pages += [output_dir / topic / INDEX_NAME for topic in self.counts]
        return [*pages, output_dir / INDEX_NAME]

    def summary(self) -> str:
        """One line for logs and the terminal: `2025-10-04: MLLM 48, LLM 120`."""
        counts = ", ".join(f"{topic} {count}" for topic, count in self.counts.items())
        return f"{self.date.isoformat()}: {counts}"


@dataclass
class RunReport:
    """What a run did: the dates and counts, the requests arXiv saw, notes for the user, what was published."""

    days: list[DayResult] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    published: PublishResult | None = None

    def summary(self) -> str:
        parts = [day.summary() for day in self.days] or ["nothing written"]
        parts.append(f"{self.requests.get('total', 0)} requests")
        if self.published is not None:
            parts.append(self.published.summary())
        return "; ".join(parts)


@dataclass
class BackfillReport(RunReport):
    """A backfill's outcome: dates written, skipped (already on disk) and failed (with the cause)."""

    skipped: list[date] = field(default_factory=list)
    failed: list[tuple[date, str]] = field(default_factory=list)

    def summary(self) -> str:
        line = (
            f"{len(self.days)} dates written, {len(self.skipped)} skipped, {len(self.failed)} failed; "
            f"{self.requests.get('total', 0)} requests"
        )
        return f"{line}; {self.published.summary()}" if self.published is not None else line
