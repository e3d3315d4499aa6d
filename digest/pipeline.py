"""The one place the stages are composed for a date: select -> render -> write.

`digest render`, `digest run`, `digest backfill` and the scheduler all end in `write_day`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from digest.config import Config, Topic
from digest.errors import InputError
from digest.models import Paper
from digest.render import render_digest
from digest.select import select_topic
from digest.write import rebuild_indexes, write_digests

__all__ = ["DayResult", "chosen_topics", "select_day", "write_day"]


@dataclass(frozen=True)
class DayResult:
    """What a date produced: papers per topic and the files whose bytes changed."""

    date: date
    counts: dict[str, int]
    written: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """One line for logs and the terminal: `2025-10-04: MLLM 48, LLM 120`."""
        counts = ", ".join(f"{topic} {count}" for topic, count in self.counts.items())
        return f"{self.date.isoformat()}: {counts}"


def chosen_topics(config: Config, names: Sequence[str] = ()) -> dict[str, Topic]:
    """The configured topics, or the named subset; an unknown name is an input error."""
    unknown = [name for name in names if name not in config.topic]
    if unknown:
        known = ", ".join(config.topic)
        raise InputError(f"unknown topic {unknown[0]!r}; the configuration has: {known}")
    return {name: topic for name, topic in config.topic.items() if not names or name in names}


def select_day(config: Config, papers: Iterable[Paper], topics: Mapping[str, Topic]) -> dict[str, list[Paper]]:
    """The papers each topic keeps from one date's batch, in digest order. Pure."""
    batch = list(papers)
    rule = config.settings.category_rule
    return {name: select_topic(batch, topic, config.category, rule) for name, topic in topics.items()}


def write_day(config: Config, day: date, papers: Iterable[Paper], topics: Mapping[str, Topic]) -> DayResult:
    """Render and write one date's digests, then bring the index pages up to date."""
    kept = select_day(config, papers, topics)
    digests = {name: render_digest(name, topics[name], day, selected) for name, selected in kept.items()}
    output_dir = config.settings.output_dir
    written = write_digests(output_dir, day, digests)
    written += rebuild_indexes(output_dir)
    return DayResult(day, {name: len(selected) for name, selected in kept.items()}, written)
