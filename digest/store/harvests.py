"""The harvests table group: where each OAI-PMH harvest stands, what the store covers, and what it verified.

Tables `harvests` (a harvest's resumption token and progress), `versions` (each harvested version's
submission time: an announcement window's batch), `coverage` (the datestamps every stored record covers,
docs/design.md "Incremental harvesting") and `verdicts` (what OAI-PMH says of each batch held from RSS).
A harvest page saves records too, so the group extends the papers group.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from digest.core.models import Paper
from digest.store.papers import PaperTables
from digest.store.tables import timestamp

__all__ = ["Coverage", "Harvest", "HarvestTables", "VersionRow"]

VersionRow = tuple[str, int, datetime]
"""One version of a paper: id, version number, submission time (UTC)."""


@dataclass
class Harvest:
    """Where an OAI-PMH harvest stands: the token of the next page, and what has arrived so far.

    It asks for the datestamps from `from_date` to `until` (to today when None).
    """

    set_spec: str
    from_date: date
    until: date | None = None
    token: str | None = None
    complete_list_size: int | None = None
    records: int = 0
    complete: bool = False

    @property
    def started(self) -> bool:
        """Whether a page has been saved (so `token` resumes it rather than starting over)."""
        return self.records > 0 or self.token is not None

    def restart(self) -> None:
        """Forget the position (an expired token, a finished harvest done again); saved records stay."""
        self.token, self.records, self.complete = None, 0, False


@dataclass(frozen=True)
class Coverage:
    """What the store holds of an OAI set: every record whose datestamp is in [start, end], as of `harvested_at`."""

    set_spec: str
    start: date
    end: date
    harvested_at: datetime


class HarvestTables(PaperTables):
    """Harvest positions, submitted versions, coverage and verdicts."""

    def load_harvest(self, set_spec: str, from_date: date, until: date | None = None) -> Harvest:
        """The saved state of a harvest, or a fresh one."""
        row = self._db.execute(
            "SELECT token, complete_list_size, records, complete FROM harvests "
            "WHERE set_spec = ? AND from_date = ? AND until_date = ?",
            (set_spec, from_date.isoformat(), until.isoformat() if until else ""),
        ).fetchone()
        if row is None:
            return Harvest(set_spec, from_date, until)
        return Harvest(set_spec, from_date, until, row[0], row[1], row[2], bool(row[3]))

    def save_harvest_page(self, harvest: Harvest, papers: Sequence[Paper], versions: Sequence[VersionRow]) -> None:
        """A page's records and the harvest's new position, in one transaction: a crash loses neither alone."""
        with self._transaction():
            self._upsert_papers(papers)
            self._db.executemany(
                "INSERT OR REPLACE INTO versions VALUES (?, ?, ?)",
                ((paper_id, version, timestamp(submitted)) for paper_id, version, submitted in versions),
            )
            self._save_harvest(harvest)

    def restart_harvest(self, harvest: Harvest) -> None:
        """Forget a harvest's position (its token expired); the records already saved stay."""
        harvest.restart()
        with self._transaction():
            self._save_harvest(harvest)

    def _save_harvest(self, harvest: Harvest) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO harvests VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                harvest.set_spec,
                harvest.from_date.isoformat(),
                harvest.until.isoformat() if harvest.until else "",
                harvest.token,
                harvest.complete_list_size,
                harvest.records,
                int(harvest.complete),
            ),
        )

    def has_versions_submitted_between(self, start: datetime, end: datetime) -> bool:
        """Whether any harvested version was submitted in [start, end), whatever its categories."""
        row = self._db.execute(
            "SELECT 1 FROM versions WHERE submitted >= ? AND submitted < ? LIMIT 1",
            (timestamp(start), timestamp(end)),
        )
        return row.fetchone() is not None

    def versions_submitted_between(self, start: datetime, end: datetime) -> Iterator[VersionRow]:
        """Versions submitted in [start, end), oldest first: an announcement window's batch."""
        rows = self._db.execute(
            "SELECT id, version, submitted FROM versions WHERE submitted >= ? AND submitted < ? "
            "ORDER BY submitted, id, version",
            (timestamp(start), timestamp(end)),
        )
        for paper_id, version, submitted in rows:
            yield paper_id, version, datetime.fromisoformat(submitted)

    def load_coverage(self, set_spec: str) -> Coverage | None:
        row = self._db.execute(
            "SELECT start, end, harvested_at FROM coverage WHERE set_spec = ?", (set_spec,)
        ).fetchone()
        if row is None:
            return None
        return Coverage(
            set_spec, date.fromisoformat(row[0]), date.fromisoformat(row[1]), datetime.fromisoformat(row[2])
        )

    def load_coverages(self) -> list[Coverage]:
        rows = self._db.execute("SELECT set_spec FROM coverage ORDER BY set_spec").fetchall()
        return [coverage for (spec,) in rows if (coverage := self.load_coverage(spec)) is not None]

    def save_coverage(self, coverage: Coverage) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO coverage VALUES (?, ?, ?, ?)",
                (
                    coverage.set_spec,
                    coverage.start.isoformat(),
                    coverage.end.isoformat(),
                    timestamp(coverage.harvested_at),
                ),
            )

    def save_verdict(
        self, announcement: date, checked_at: datetime, differences: Sequence[Mapping[str, object]]
    ) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)",
                (announcement.isoformat(), timestamp(checked_at), int(not differences), json.dumps(list(differences))),
            )

    def load_verdicts(self) -> dict[date, tuple[datetime, bool]]:
        """Every stored verdict: announcement -> when it was checked and whether the sources agreed."""
        rows = self._db.execute("SELECT announcement, checked_at, agree FROM verdicts ORDER BY announcement")
        return {date.fromisoformat(day): (datetime.fromisoformat(at), bool(agree)) for day, at, agree in rows}
