"""What every table group of the store shares: the one connection, transactions, and row conversions.

A table group is a class of its own module (`papers`, `harvests`, `deliveries`, `labels`, `runs`) that
derives from `Tables` and reads and writes its tables through `self._db`; `Store` (`database.py`) is all of
them on one connection. docs/design.md, "The store", says how to add a group.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from digest.core.errors import StoreError

__all__ = ["Tables", "moment_or_none", "store_error", "text_or_none", "timestamp"]

_IDS_A_QUERY = 500


class Tables:
    """The connection a table group reads and writes, and the helpers every group uses on it."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    def _rows_for_ids(self, query: str, ids: Sequence[str], *before: object) -> Iterator[tuple[Any, ...]]:
        """The rows of `query` (its `{}` the list of ids, after the `before` parameters), 500 ids at a time:
        SQLite caps the parameters of one statement."""
        for start in range(0, len(ids), _IDS_A_QUERY):
            chunk = ids[start : start + _IDS_A_QUERY]
            yield from self._db.execute(query.format(",".join("?" * len(chunk))), [*before, *chunk])

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK when the block raises."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")


def store_error(path: Path, err: sqlite3.Error) -> StoreError:
    """What to tell the user of an SQLite error: a damaged file is moved aside, all of it can be fetched again."""
    if isinstance(err, sqlite3.OperationalError):
        return StoreError(f"cannot use the store {path}: {err}")
    return StoreError(
        f"the store {path} is damaged ({err}); move it aside and run again: everything in it can be fetched again"
    )


def timestamp(moment: datetime) -> str:
    """A moment as the store keeps it: ISO 8601 in UTC, sortable as text."""
    if moment.tzinfo is None:
        raise ValueError("store timestamps must be time-zone aware")
    return moment.astimezone(UTC).isoformat()


def moment_or_none(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
