"""What a backfill shows and asks on the terminal: confirmation of a large plan; while it runs, a labelled bar
per harvested set and one for the dates (elsewhere, one line a date); a failed date as an `Error:` line.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import click
from tqdm import tqdm

from digest.cli.arguments import say
from digest.core.errors import InputError
from digest.core.redact import redact

__all__ = ["BackfillProgress", "backfill_progress", "confirm_large"]


class BackfillProgress:
    """The hooks a backfill calls: `on_harvest` for each OAI-PMH page, `on_date` for each date written or failed."""

    def __init__(self, dates: tqdm[Any], terminal: bool) -> None:
        self._dates = dates
        self._terminal = terminal
        self._harvests: dict[str, tqdm[Any]] = {}

    def on_harvest(self, spec: str, received: int, total: int | None) -> None:
        bar = self._harvests.get(spec)
        if bar is None:
            bar = tqdm(desc=f"harvest {spec}", unit="record", disable=not self._terminal, file=sys.stderr)
            self._harvests[spec] = bar
        bar.total = total
        bar.update(received - bar.n)

    def on_date(self, day: date, outcome: str, failed: bool) -> None:
        """The date's line (and an `Error:` line when it failed); on a terminal written above the bars, which
        stay at the bottom."""
        line = f"{day.isoformat()}: failed: {redact(outcome)}" if failed else outcome
        error = f"Error: {day.isoformat()}: {redact(outcome)}"
        if self._terminal:
            if failed:
                tqdm.write(error, file=sys.stderr)
            tqdm.write(line, file=sys.stdout)
        else:
            if failed:
                say(error, logging.ERROR)
            say(line)
        self._dates.update(1)

    def close(self) -> None:
        for bar in self._harvests.values():
            bar.close()
        self._dates.close()


@contextmanager
def backfill_progress(total: int) -> Iterator[BackfillProgress]:
    """Progress for a backfill of `total` dates, shown as bars when stderr is a terminal."""
    terminal = sys.stderr.isatty()
    progress = BackfillProgress(
        tqdm(desc="backfill", total=total, unit="date", disable=not terminal, file=sys.stderr), terminal
    )
    try:
        yield progress
    finally:
        progress.close()


def confirm_large(requests: int, limit: int, yes: bool) -> None:
    """Ask on a terminal before a plan of more than `limit` requests; elsewhere it takes `--yes`."""
    if requests <= limit or yes:
        return
    if sys.stdin.isatty():
        click.confirm(f"This backfill makes about {requests:,} requests. Go ahead?", abort=True, err=True)
        return
    raise InputError(
        f"this backfill makes about {requests:,} requests, more than settings.backfill_confirm_requests "
        f"({limit:,}); pass --yes to go ahead, or --dry-run to see the plan"
    )
