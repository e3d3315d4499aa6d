"""The embedded store: every record fetched from arXiv, and which papers made up each announcement.

SQLite (standard library), one file in the cache directory. Re-rendering a date or adding a topic reads
from here instead of the network (`--offline`); an OAI-PMH harvest saves each page here together with its
resumption token, so an interrupted harvest resumes where it stopped.

WAL mode lets a reader (a second command, a benchmark) see the last committed state while a run writes.
The schema and its upgrades live in `digest/migrations.py`; docs/design.md, "The store", draws it.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self, cast

from digest.core.errors import StoreError
from digest.core.journal import JournalEntry, Step
from digest.core.links import find_code_links
from digest.core.models import AnnounceType, Paper
from digest.outputs.feed import FeedPaper
from digest.store.migrations import migrate

__all__ = ["Coverage", "Harvest", "Member", "RunRecord", "Store", "VersionRow"]

Member = tuple[str, int | None, str]
"""A batch membership row: paper id, version, announce type."""

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


@dataclass(frozen=True)
class RunRecord:
    """One command as `digest status` lists it."""

    started: datetime
    command: str
    dates: list[date]
    outcome: str
    requests: int
    error: str | None = None


class Store:
    """One SQLite file; open it with `Store.open(path)` as a context manager.

    Any SQLite error inside the `with` block (a damaged page is found only when it is read) leaves it as
    one StoreError naming the file and what to do, never a traceback.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

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

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
        if isinstance(exc, sqlite3.Error):
            raise store_error(self.path, exc) from exc

    def close(self) -> None:
        self._db.close()

    # Papers

    def save_papers(self, papers: Iterable[Paper], *, replace: bool = True) -> None:
        """Upsert records by (id, version): a later save of the same version (API metadata) wins.

        With `replace=False` a record the store holds already stays as it is: records from a user's file
        (`digest render`) fill gaps but never overwrite what arXiv said.
        """
        with self._transaction():
            self._upsert_papers(papers, replace=replace)

    def _upsert_papers(self, papers: Iterable[Paper], *, replace: bool = True) -> None:
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        self._db.executemany(f"{verb} INTO papers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (_row(p) for p in papers))

    def load_feed_papers(self, ids: Sequence[str]) -> dict[str, FeedPaper]:
        """What a feed entry shows of each id's latest stored record, without building the whole record:
        a month of feeds is tens of thousands of entries."""
        found: dict[str, FeedPaper] = {}
        query = (
            "SELECT id, title, authors, abstract, categories, comment FROM papers WHERE id IN ({}) ORDER BY id, version"
        )
        for paper_id, title, authors, abstract, categories, comment in self._rows_for_ids(query, ids):
            links = [(link.kind, link.url) for link in find_code_links(abstract, comment)]
            found[paper_id] = FeedPaper(paper_id, title, json.loads(authors), abstract, json.loads(categories), links)
        return found

    def load_papers(self, ids: Sequence[str]) -> list[Paper]:
        """The latest stored version of each id, in the order asked; unknown ids are left out."""
        rows = self._rows_for_ids("SELECT * FROM papers WHERE id IN ({}) ORDER BY id, version", ids)
        found = {row[0]: _paper(row) for row in rows}
        return [found[paper_id] for paper_id in ids if paper_id in found]

    # Batches

    def save_batch(self, announcement: date, source: str, members: Sequence[Member]) -> None:
        """Replace the membership of an announcement's batch, all at once.

        An empty batch is not kept: no source can prove a regular announcement empty, so an empty answer is
        asked again next time rather than trusted.
        """
        with self._transaction():
            self._db.execute("DELETE FROM batches WHERE announcement = ?", (announcement.isoformat(),))
            if not members:
                return
            self._db.execute("INSERT INTO batches VALUES (?, ?)", (announcement.isoformat(), source))
            self._db.executemany(
                "INSERT INTO batch_members VALUES (?, ?, ?, ?, ?)",
                (
                    (announcement.isoformat(), position, paper_id, version or 0, announce_type)
                    for position, (paper_id, version, announce_type) in enumerate(members)
                ),
            )

    def has_batch(self, announcement: date) -> bool:
        """Whether the store holds the announcement's batch; an empty one (older versions saved them) is not held."""
        row = self._db.execute(
            "SELECT 1 FROM batch_members WHERE announcement = ? LIMIT 1", (announcement.isoformat(),)
        )
        return row.fetchone() is not None

    def load_batch(
        self, announcement: date, only: Callable[[list[str], str | None], bool] | None = None
    ) -> list[Paper] | None:
        """The batch as it was saved (the very records rendered then, with their announce types), or None.

        `only` tests each paper's categories and primary category as SQLite reads the row, once per distinct
        pair: a paper it rejects is never built, and building records is most of the cost of reading a batch.
        """
        if not self.has_batch(announcement):
            return None
        wanted = functools.cache(lambda categories, primary: only is None or only(json.loads(categories), primary))
        self._db.create_function("wanted", 2, wanted, deterministic=True)
        rows = self._db.execute(
            """
            SELECT papers.*, batch_members.announce_type FROM batch_members
            JOIN papers ON papers.id = batch_members.id AND papers.version = batch_members.version
            WHERE batch_members.announcement = ? AND wanted(papers.categories, papers.primary_category)
            ORDER BY batch_members.position
            """,
            (announcement.isoformat(),),
        )
        return [_paper(record, cast(AnnounceType, announce_type)) for *record, announce_type in rows]

    def latest_batch_before(self, announcement: date) -> tuple[date, set[str]] | None:
        """The previous stored batch and its ids: a feed that repeats it is stale."""
        row = self._db.execute(
            "SELECT announcement FROM batch_members WHERE announcement < ? ORDER BY announcement DESC LIMIT 1",
            (announcement.isoformat(),),
        ).fetchone()
        if row is None:
            return None
        ids = self._db.execute("SELECT id FROM batch_members WHERE announcement = ?", (row[0],))
        return date.fromisoformat(row[0]), {paper_id for (paper_id,) in ids}

    def load_batch_sources(self, start: date, end: date) -> dict[date, str]:
        """The stored batches announced from `start` to `end` and where each came from (rss, oai, api)."""
        rows = self._db.execute(
            "SELECT announcement, source FROM batches WHERE announcement >= ? AND announcement <= ? "
            "AND EXISTS (SELECT 1 FROM batch_members WHERE batch_members.announcement = batches.announcement) "
            "ORDER BY announcement",
            (start.isoformat(), end.isoformat()),
        )
        return {date.fromisoformat(day): source for day, source in rows}

    def load_members(self, announcement: date) -> list[Member]:
        """A stored batch's membership: id, version and announce type, in its order."""
        rows = self._db.execute(
            "SELECT id, version, announce_type FROM batch_members WHERE announcement = ? ORDER BY position",
            (announcement.isoformat(),),
        )
        return [(paper_id, version or None, announce_type) for paper_id, version, announce_type in rows]

    def load_primaries(self, ids: Sequence[str]) -> dict[str, str]:
        """The primary category of each id's latest stored record (the first category when none is given)."""
        query = "SELECT id, primary_category, categories FROM papers WHERE id IN ({}) ORDER BY id, version"
        rows = self._rows_for_ids(query, ids)
        return {paper_id: primary or json.loads(categories)[0] for paper_id, primary, categories in rows}

    # Feeds: each date's rendered entries, kept while what they were made from is unchanged

    def load_row_marks(self, ids: Sequence[str]) -> dict[str, int]:
        """Each id's latest stored record as a number that changes whenever the record is saved again
        (its rowid: INSERT OR REPLACE gives a replaced row a new one), without reading the record."""
        return dict(self._rows_for_ids("SELECT id, rowid FROM papers WHERE id IN ({}) ORDER BY id, version", ids))

    def load_feed_entries(self, topic: str, day: date, fingerprint: str) -> bytes | None:
        row = self._db.execute(
            "SELECT entries FROM feed_entries WHERE topic = ? AND date = ? AND fingerprint = ?",
            (topic, day.isoformat(), fingerprint),
        ).fetchone()
        return None if row is None else bytes(row[0])

    def forget_feed_entries(self) -> None:
        """Drop every cached date's entries: the next feeds are built from the records."""
        with self._transaction():
            self._db.execute("DELETE FROM feed_entries")

    def save_feed_entries(self, topic: str, day: date, fingerprint: str, entries: bytes) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO feed_entries VALUES (?, ?, ?, ?)",
                (topic, day.isoformat(), fingerprint, entries),
            )

    # Embeddings of the semantic matcher, by paper id, version and model

    def load_embeddings(self, keys: Sequence[tuple[str, int]], model: str) -> dict[tuple[str, int], bytes]:
        wanted = set(keys)
        query = "SELECT id, version, vector FROM embeddings WHERE model = ? AND id IN ({})"
        rows = self._rows_for_ids(query, sorted({paper_id for paper_id, _ in keys}), model)
        return {(i, version): vector for i, version, vector in rows if (i, version) in wanted}

    def save_embeddings(self, vectors: Mapping[tuple[str, int], bytes], model: str) -> None:
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)",
                ((paper_id, version, model, vector) for (paper_id, version), vector in vectors.items()),
            )

    # What the digests listed: the memory of `dedupe_days`

    def save_listed(self, day: date, listed: Mapping[str, Iterable[str]]) -> None:
        """Replace what each topic's digest of `day` lists (topic -> paper ids)."""
        when = day.isoformat()
        with self._transaction():
            self._db.executemany("DELETE FROM listed WHERE topic = ? AND date = ?", ((t, when) for t in listed))
            self._db.executemany(
                "INSERT INTO listed VALUES (?, ?, ?)",
                ((topic, when, paper_id) for topic, ids in listed.items() for paper_id in ids),
            )

    def load_listed(self, topic: str, start: date, end: date) -> dict[str, date]:
        """The ids the topic's digests dated in [start, end) listed, each with the latest date it was listed."""
        rows = self._db.execute(
            "SELECT id, MAX(date) FROM listed WHERE topic = ? AND date >= ? AND date < ? GROUP BY id",
            (topic, start.isoformat(), end.isoformat()),
        )
        return {paper_id: date.fromisoformat(day) for paper_id, day in rows}

    # Notifications: what each target was sent, so that a message goes out once

    def load_notification(self, day: date, target: str) -> tuple[str, bool] | None:
        """The stored message of `day` for the target key: its body hash and whether it was sent."""
        row = self._db.execute(
            "SELECT body_hash, sent_at IS NOT NULL FROM notifications WHERE date = ? AND target = ?",
            (day.isoformat(), target),
        ).fetchone()
        return None if row is None else (row[0], bool(row[1]))

    def save_notification(
        self, day: date, target: str, body_hash: str, title: str, body: str, *, queued_at: datetime
    ) -> None:
        """Queue a message (replacing the date's earlier one for the target): unsent until `mark_sent`."""
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO notifications VALUES (?, ?, ?, ?, ?, NULL, ?)",
                (day.isoformat(), target, body_hash, title, body, _timestamp(queued_at)),
            )

    def load_unsent(self, targets: Iterable[str]) -> list[tuple[date, str, str, str]]:
        """The queued messages of these target keys, oldest date first: (date, target, title, body)."""
        keys = list(targets)
        marks = ",".join("?" * len(keys))
        rows = self._db.execute(
            f"SELECT date, target, title, body FROM notifications WHERE sent_at IS NULL AND target IN ({marks}) "
            "ORDER BY date, target",
            keys,
        )
        return [(date.fromisoformat(day), target, title, body) for day, target, title, body in rows]

    def mark_sent(self, day: date, target: str, at: datetime) -> None:
        with self._transaction():
            self._db.execute(
                "UPDATE notifications SET sent_at = ? WHERE date = ? AND target = ?",
                (_timestamp(at), day.isoformat(), target),
            )

    def load_owed(self) -> list[tuple[date, datetime | None]]:
        """Every message not sent yet, oldest date first: its date and when it was queued (None: before that
        was kept)."""
        rows = self._db.execute("SELECT date, queued_at FROM notifications WHERE sent_at IS NULL ORDER BY date")
        return [(date.fromisoformat(day), _moment_or_none(at)) for day, at in rows]

    # The journal: the recipe's steps of each date, as they complete (digest/journal.py)

    def begin_journal(self, output: Path, day: date, asked: Sequence[Step], now: datetime) -> None:
        """Record that a command starts `day` and asks these steps: none done yet."""
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO journal VALUES (?, ?, ?, '[]', NULL, ?)",
                (str(output), day.isoformat(), json.dumps(list(asked)), _timestamp(now)),
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

    # Verification: what OAI-PMH says of each batch the store holds from RSS

    def save_verdict(
        self, announcement: date, checked_at: datetime, differences: Sequence[Mapping[str, object]]
    ) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO verdicts VALUES (?, ?, ?, ?)",
                (announcement.isoformat(), _timestamp(checked_at), int(not differences), json.dumps(list(differences))),
            )

    def load_verdicts(self) -> dict[date, tuple[datetime, bool]]:
        """Every stored verdict: announcement -> when it was checked and whether the sources agreed."""
        rows = self._db.execute("SELECT announcement, checked_at, agree FROM verdicts ORDER BY announcement")
        return {date.fromisoformat(day): (datetime.fromisoformat(at), bool(agree)) for day, at, agree in rows}

    # Runs: what each command did, for `digest status`

    def save_run(self, run: RunRecord) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT INTO runs (started, command, dates, outcome, requests, error) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    _timestamp(run.started),
                    run.command,
                    json.dumps([day.isoformat() for day in run.dates]),
                    run.outcome,
                    run.requests,
                    run.error,
                ),
            )

    def load_runs(self, limit: int) -> list[RunRecord]:
        """The last `limit` runs, newest first."""
        rows = self._db.execute(
            "SELECT started, command, dates, outcome, requests, error FROM runs ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_run(row) for row in rows]

    def load_last_success(self) -> RunRecord | None:
        row = self._db.execute(
            "SELECT started, command, dates, outcome, requests, error FROM runs WHERE outcome = 'ok' "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else _run(row)

    def count_rows(self) -> dict[str, int]:
        """Batches by source and papers: the store's size in what it holds."""
        counts = {
            f"batches from {source}": count
            for source, count in self._db.execute(
                "SELECT source, COUNT(*) FROM batches GROUP BY source ORDER BY source"
            )
        }
        counts["papers"] = self._db.execute("SELECT COUNT(DISTINCT id) FROM papers").fetchone()[0]
        return counts

    # OAI-PMH harvests

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
                    _timestamp(coverage.harvested_at),
                ),
            )

    def save_harvest_page(self, harvest: Harvest, papers: Sequence[Paper], versions: Sequence[VersionRow]) -> None:
        """A page's records and the harvest's new position, in one transaction: a crash loses neither alone."""
        with self._transaction():
            self._upsert_papers(papers)
            self._db.executemany(
                "INSERT OR REPLACE INTO versions VALUES (?, ?, ?)",
                ((paper_id, version, _timestamp(submitted)) for paper_id, version, submitted in versions),
            )
            self._save_harvest(harvest)

    def restart_harvest(self, harvest: Harvest) -> None:
        """Forget a harvest's position (its token expired); the records already saved stay."""
        harvest.restart()
        with self._transaction():
            self._save_harvest(harvest)

    def has_versions_submitted_between(self, start: datetime, end: datetime) -> bool:
        """Whether any harvested version was submitted in [start, end), whatever its categories."""
        row = self._db.execute(
            "SELECT 1 FROM versions WHERE submitted >= ? AND submitted < ? LIMIT 1",
            (_timestamp(start), _timestamp(end)),
        )
        return row.fetchone() is not None

    def versions_submitted_between(self, start: datetime, end: datetime) -> Iterator[VersionRow]:
        """Versions submitted in [start, end), oldest first: an announcement window's batch."""
        rows = self._db.execute(
            "SELECT id, version, submitted FROM versions WHERE submitted >= ? AND submitted < ? "
            "ORDER BY submitted, id, version",
            (_timestamp(start), _timestamp(end)),
        )
        for paper_id, version, submitted in rows:
            yield paper_id, version, datetime.fromisoformat(submitted)

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

    def _rows_for_ids(self, query: str, ids: Sequence[str], *before: object) -> Iterator[tuple[Any, ...]]:
        """The rows of `query` (its `{}` the list of ids, after the `before` parameters), 500 ids at a time:
        SQLite caps the parameters of one statement."""
        for start in range(0, len(ids), _IDS_A_QUERY):
            chunk = ids[start : start + _IDS_A_QUERY]
            yield from self._db.execute(query.format(",".join("?" * len(chunk))), [*before, *chunk])

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


_IDS_A_QUERY = 500


def store_error(path: Path, err: sqlite3.Error) -> StoreError:
    """What to tell the user of an SQLite error: a damaged file is moved aside, all of it can be fetched again."""
    if isinstance(err, sqlite3.OperationalError):
        return StoreError(f"cannot use the store {path}: {err}")
    return StoreError(
        f"the store {path} is damaged ({err}); move it aside and run again: everything in it can be fetched again"
    )


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


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("store timestamps must be time-zone aware")
    return moment.astimezone(UTC).isoformat()


def _row(paper: Paper) -> tuple[object, ...]:
    return (
        paper.id,
        paper.version or 0,
        paper.title,
        json.dumps(paper.authors, ensure_ascii=False),
        paper.abstract,
        json.dumps(paper.categories),
        paper.primary_category,
        paper.published.isoformat() if paper.published else None,
        paper.updated.isoformat() if paper.updated else None,
        paper.comment,
    )


def _paper(row: Sequence[object], announce_type: AnnounceType | None = None) -> Paper:
    """A stored row as a record. It was validated when saved, so it is built without validating again:
    building records is most of the cost of reading a batch or a feed."""
    paper_id, version, title, authors, abstract, categories, primary, published, updated, comment = row
    return Paper.model_construct(
        id=str(paper_id),
        version=int(str(version)) or None,
        title=str(title),
        authors=json.loads(str(authors)),
        abstract=str(abstract),
        categories=json.loads(str(categories)),
        primary_category=_text_or_none(primary),
        published=datetime.fromisoformat(published) if isinstance(published, str) else None,
        updated=datetime.fromisoformat(updated) if isinstance(updated, str) else None,
        comment=_text_or_none(comment),
        announce_type=announce_type,
    )


def _run(row: Sequence[object]) -> RunRecord:
    started, command, dates, outcome, requests, error = row
    return RunRecord(
        started=datetime.fromisoformat(str(started)),
        command=str(command),
        dates=[date.fromisoformat(day) for day in json.loads(str(dates))],
        outcome=str(outcome),
        requests=int(str(requests)),
        error=_text_or_none(error),
    )


def _moment_or_none(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
