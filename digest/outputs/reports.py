"""What a command asks for (its options) and what it did (its report), for the terminal, logs and benchmark."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from digest.core.errors import NotifyError
from digest.core.models import Usage
from digest.core.words import plural
from digest.outputs.day_record import day_record_path
from digest.outputs.feed import FEED_NAME, OPML_NAME
from digest.outputs.feeds import Listing
from digest.outputs.publish import PublishResult
from digest.outputs.write import INDEX_NAME, digest_path

__all__ = ["BackfillOptions", "BackfillReport", "DayResult", "Delivery", "RunReport"]


@dataclass(frozen=True)
class BackfillOptions:
    """Which dates one `digest backfill` writes: the announcements (or, with `every_day`, every date) from
    `start` to `end`, less those written already unless `force`."""

    start: date
    end: date
    every_day: bool = False
    force: bool = False


@dataclass(frozen=True)
class DayResult:
    """What a date produced: the ids each topic's digest lists (ids, not records: a backfill's report of 60
    dates stays small)."""

    date: date
    kept: Mapping[str, Sequence[str]]
    before: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """What each topic's digest of the date listed before this run (empty the first time): a correction's diff."""
    unjudged: Mapping[str, str] = field(default_factory=dict)
    """The judged topics not written, with why: the model could not give all their verdicts."""
    listings: Mapping[str, Sequence[Listing]] = field(default_factory=dict)
    """Each digest written, as its record lists its papers (`feeds.listings_of`): the archive pass's feeds
    need not parse the records back (empty: read them)."""

    @property
    def counts(self) -> dict[str, int]:
        return {topic: len(papers) for topic, papers in self.kept.items()}

    def targets(self, output_dir: Path, *, feeds: bool = False) -> list[Path]:
        """Every file this date's run is responsible for: its digests and records, the index pages, the feeds.

        Publishing these, not only the files whose bytes changed, also commits what a crashed run left.
        """
        pages = [digest_path(output_dir, topic, self.date) for topic in self.kept]
        pages += [day_record_path(output_dir, topic, self.date) for topic in self.kept]
        pages += [output_dir / topic / INDEX_NAME for topic in self.kept]
        if feeds:
            pages += [output_dir / topic / FEED_NAME for topic in self.kept]
            pages += [output_dir / FEED_NAME, output_dir / OPML_NAME]
        return [*pages, output_dir / INDEX_NAME]

    def summary(self) -> str:
        """One line for logs and the terminal: `2025-10-04: MLLM 48, LLM 120`."""
        counts = ", ".join(f"{topic} {count}" for topic, count in self.counts.items())
        return f"{self.date.isoformat()}: {counts}"


@dataclass
class Delivery:
    """What a run's notifications did: messages accepted, and one line per target that refused."""

    sent: int = 0
    failures: list[NotifyError] = field(default_factory=list)

    def joined(self, other: Delivery | None) -> Delivery:
        """Both deliveries as one: an earlier run's messages finished, then this run's."""
        if other is None:
            return self
        return Delivery(self.sent + other.sent, [*self.failures, *other.failures])

    def error(self) -> str:
        """The `Error:` line of the failures: the digests stand, the messages wait for the next run."""
        return f"{'; '.join(map(str, self.failures))}; the digests were written; the next run retries"


@dataclass
class RunReport:
    """What a run did: the dates and counts, the requests arXiv saw, notes for the user, what was published."""

    days: list[DayResult] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    published: PublishResult | None = None
    delivery: Delivery | None = None
    unjudged: list[str] = field(default_factory=list)
    """One line per judged topic and date not written: the model could not answer."""
    usage: Usage | None = None
    """What the language model was asked, when one is configured."""

    def summary(self) -> str:
        parts = [day.summary() for day in self.days] or ["nothing written"]
        parts.append(plural(self.requests.get("total", 0), "request"))
        parts += self._after()
        return "; ".join(parts)

    def _after(self) -> list[str]:
        """What happened after writing: the commit, the messages."""
        parts = [self.published.summary()] if self.published is not None else []
        if self.delivery is not None and self.delivery.sent:
            parts.append(f"{plural(self.delivery.sent, 'message')} sent")
        if self.usage is not None and self.usage.calls:
            made = f"{plural(self.usage.summaries, 'summary', 'summaries')}, " if self.usage.summaries else ""
            parts.append(f"{made}model tokens {self.usage.tokens_in:,} in, {self.usage.tokens_out:,} out")
        return parts


@dataclass
class BackfillReport(RunReport):
    """A backfill's outcome: dates written, skipped (already on disk) and failed (with the cause)."""

    skipped: list[date] = field(default_factory=list)
    failed: list[tuple[date, str]] = field(default_factory=list)

    def summary(self) -> str:
        line = (
            f"{plural(len(self.days), 'date')} written, {len(self.skipped)} skipped, {len(self.failed)} failed; "
            f"{plural(self.requests.get('total', 0), 'request')}"
        )
        return "; ".join([line, *self._after()])
