"""The embedded store: every record fetched from arXiv, and what was made and sent from it.

SQLite (standard library), one file in the cache directory. Re-rendering a date or adding a topic reads
from here instead of the network (`--offline`); an OAI-PMH harvest saves each page here together with its
resumption token, so an interrupted harvest resumes where it stopped.

`Store` is every table group (`papers`, `harvests`, `deliveries`, `labels`, `runs`: one module each) on one
connection; the schema and its upgrades are the one list in `migrations.py`. docs/design.md, "The store",
draws the tables and says how to add a group.

WAL mode lets a reader (a second command, a benchmark) see the last committed state while a run writes.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType

from digest.core.errors import StoreError
from digest.store.answers import AnswerTables
from digest.store.deliveries import DeliveryTables
from digest.store.harvests import HarvestTables
from digest.store.labels import LabelTables
from digest.store.migrations import migrate
from digest.store.runs import RunTables
from digest.store.tables import store_error

__all__ = ["Store"]


class Store(HarvestTables, AnswerTables, DeliveryTables, LabelTables, RunTables, AbstractContextManager["Store"]):
    """One SQLite file; open it with `Store.open(path)` as a context manager.

    Any SQLite error inside the `with` block (a damaged page is found only when it is read) leaves it as
    one StoreError naming the file and what to do, never a traceback.
    """

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open (creating it and its directory if need be) and bring the schema up to date."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise StoreError(f"cannot open the store {path}: {err}") from err
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            # With WAL, NORMAL never corrupts the file; a power cut may lose the last rows, all of them refetchable.
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA foreign_keys = ON")
            migrate(connection, path)
        except sqlite3.Error as err:
            connection.close()
            raise store_error(path, err) from err
        return cls(connection, path)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
        if isinstance(exc, sqlite3.Error):
            raise store_error(self.path, exc) from exc

    def close(self) -> None:
        self._db.close()
