"""The runs table group: what each command did, and where each date's steps stand.

Tables `runs` (one row per command, for `digest status`) and `journal` (per output directory and date, the
recipe's steps asked and done: digest/core/journal.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from digest.core.journal import JournalEntry, Step
from digest.store.tables import Tables, text_or_none, timestamp

__all__ = ["RunRecord", "RunTables"]


@dataclass(frozen=True)
class RunRecord:
    """One command as `digest status` lists it."""

    started: datetime
    command: str
    dates: list[date]
    outcome: str
    requests: int
    error: str | None = None
    tokens: tuple[int, int] = (0, 0)
    """The language model's tokens in and out (`llm:`), from the API's usage fields."""


class RunTables(Tables):
    """Runs and the per-date journal."""

    def save_run(self, run: RunRecord) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT INTO runs (started, command, dates, outcome, requests, error, tokens_in, tokens_out) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    timestamp(run.started),
                    run.command,
                    json.dumps([day.isoformat() for day in run.dates]),
                    run.outcome,
                    run.requests,
                    run.error,
                    *run.tokens,
                ),
            )

    def load_runs(self, limit: int) -> list[RunRecord]:
        """The last `limit` runs, newest first."""
        rows = self._db.execute(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [_run(row) for row in rows]

    def load_last_success(self) -> RunRecord | None:
        row = self._db.execute(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE outcome = 'ok' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else _run(row)

    def begin_journal(self, output: Path, day: date, asked: Sequence[Step], now: datetime) -> None:
        """Record that a command starts `day` and asks these steps: none done yet."""
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO journal VALUES (?, ?, ?, '[]', NULL, ?)",
                (str(output), day.isoformat(), json.dumps(list(asked)), timestamp(now)),
            )

    def mark_done(
        self, output: Path, days: Iterable[date], step: Step, kept: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        """Record that `step` is done for `days` (and, for the write, what the digests list)."""
        with self._transaction():
            for day in days:
                where = (str(output), day.isoformat())
                row = self._db.execute("SELECT done FROM journal WHERE output = ? AND date = ?", where).fetchone()
                if row is None:
                    continue
                done = [*json.loads(row[0]), step]
                self._db.execute(
                    "UPDATE journal SET done = ? WHERE output = ? AND date = ?", (json.dumps(done), *where)
                )
                if kept is not None:
                    self._db.execute(
                        "UPDATE journal SET kept = ? WHERE output = ? AND date = ?", (json.dumps(kept), *where)
                    )

    def load_unfinished(self, output: Path) -> list[JournalEntry]:
        """The dates of `output` with a step asked and not done, oldest first."""
        rows = self._db.execute(
            "SELECT date, asked, done, kept, started FROM journal WHERE output = ? ORDER BY date", (str(output),)
        )
        entries = [
            JournalEntry(
                day=date.fromisoformat(day),
                asked=tuple(json.loads(asked)),
                done=tuple(json.loads(done)),
                kept=json.loads(kept) if kept is not None else None,
                started=datetime.fromisoformat(started),
            )
            for day, asked, done, kept, started in rows
        ]
        return [entry for entry in entries if entry.owed]


_RUN_COLUMNS = "started, command, dates, outcome, requests, error, tokens_in, tokens_out"


def _run(row: Sequence[object]) -> RunRecord:
    started, command, dates, outcome, requests, error, tokens_in, tokens_out = row
    return RunRecord(
        started=datetime.fromisoformat(str(started)),
        command=str(command),
        dates=[date.fromisoformat(day) for day in json.loads(str(dates))],
        outcome=str(outcome),
        requests=int(str(requests)),
        error=text_or_none(error),
        tokens=(int(str(tokens_in)), int(str(tokens_out))),
    )
