"""The papers table group: every record fetched from arXiv, and which papers made up each announcement.

Tables `papers` (one row per id and version) and `batches` with `batch_members` (an announcement's papers,
in their order, with their announce types).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from pydantic_core import from_json

from digest.core.config import CategoryRule, TextField
from digest.core.links import find_code_links
from digest.core.models import AnnounceType, FeedPaper, Paper
from digest.store.tables import Tables, text_or_none

__all__ = ["CategoryTest", "ClueFilter", "Clues", "Member", "PaperTables", "StoredBatch"]

Member = tuple[str, int | None, str]
"""A batch membership row: paper id, version, announce type."""

Clues = Mapping[tuple[TextField, ...], set[str]]
"""The keyword clues a paper's text holds, by the fields searched."""
ClueFilter = Callable[[str, str, str | None], Clues]
"""The clues a stored paper's title, abstract and comment hold, found as SQLite reads the row: a paper
holding none is not built (`selection.match.clue_prefilter`)."""


class StoredBatch(list[Paper]):
    """A batch as `load_batch` read it: its papers, and the clues its `ClueFilter` found in each one's text
    ((id, version) -> clues), so that the selection does not search the same texts again
    (`selection.match.BatchIndex`)."""

    def __init__(self, papers: Iterable[Paper], clues: Mapping[tuple[str, int | None], Clues]) -> None:
        super().__init__(papers)
        self.clues = clues


_SUBSCRIBED = "(SELECT value FROM json_each(:subscribed))"
_RULE_SQL: dict[CategoryRule, str] = {
    "all": f"NOT EXISTS (SELECT 1 FROM json_each(papers.categories) WHERE value NOT IN {_SUBSCRIBED})",
    "any": f"EXISTS (SELECT 1 FROM json_each(papers.categories) WHERE value IN {_SUBSCRIBED})",
    "primary": "COALESCE(NULLIF(papers.primary_category, ''), json_extract(papers.categories, '$[0]'))"
    f" IN {_SUBSCRIBED}",
}


@dataclass(frozen=True)
class CategoryTest:
    """The stored papers some topic's category rule (`in_subscribed_categories`) lets through, tested by SQLite
    on the row: a batch holds thousands of distinct category lists, and parsing each in Python cost more."""

    subscribed: Collection[str]
    rules: Collection[CategoryRule]

    def sql(self) -> str:
        return "(" + " OR ".join(_RULE_SQL[rule] for rule in sorted(self.rules)) + ")" if self.rules else "0"


class PaperTables(Tables):
    """Records and batches."""

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

    def load_primaries(self, ids: Sequence[str]) -> dict[str, str]:
        """The primary category of each id's latest stored record (the first category when none is given)."""
        query = "SELECT id, primary_category, categories FROM papers WHERE id IN ({}) ORDER BY id, version"
        rows = self._rows_for_ids(query, ids)
        return {paper_id: primary or json.loads(categories)[0] for paper_id, primary, categories in rows}

    def load_row_marks(self, ids: Sequence[str]) -> dict[str, int]:
        """Each id's latest stored record as a number that changes whenever the record is saved again
        (its rowid: INSERT OR REPLACE gives a replaced row a new one), without reading the record."""
        return dict(self._rows_for_ids("SELECT id, rowid FROM papers WHERE id IN ({}) ORDER BY id, version", ids))

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
        self,
        announcement: date,
        only: CategoryTest | None = None,
        holding: ClueFilter | None = None,
    ) -> StoredBatch | None:
        """The batch as it was saved (the very records rendered then, with their announce types), or None.

        `only` tests each paper's categories and primary category as SQLite reads the row, and `holding` its
        title, abstract and comment: a paper either rejects is never built, and building records is most of
        the cost of reading a batch. The clues `holding` found come with the papers.
        """
        if not self.has_batch(announcement):
            return None
        found: dict[tuple[str, int | None], Clues] = {}

        def holds(paper_id: str, version: int, title: str, abstract: str, comment: str | None) -> bool:
            if holding is None:
                return True
            clues = holding(title, abstract, comment)
            if not any(clues.values()):
                return False
            found[paper_id, version or None] = clues
            return True

        self._db.create_function("holding", 5, holds)
        rows = self._db.execute(
            f"""
            SELECT papers.*, batch_members.announce_type FROM batch_members
            JOIN papers ON papers.id = batch_members.id AND papers.version = batch_members.version
            WHERE batch_members.announcement = :announcement AND {"1" if only is None else only.sql()}
            AND holding(papers.id, papers.version, papers.title, papers.abstract, papers.comment)
            ORDER BY batch_members.position
            """,
            {
                "announcement": announcement.isoformat(),
                "subscribed": json.dumps(sorted(only.subscribed if only else [])),
            },
        )
        return StoredBatch(
            (_paper(record, cast(AnnounceType, announce_type)) for *record, announce_type in rows), found
        )

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
    building records is most of the cost of reading a batch or a feed. Its lists of authors and categories
    (JSON arrays of strings) are parsed by pydantic's parser, a fifth of `json.loads`'s time."""
    paper_id, version, title, authors, abstract, categories, primary, published, updated, comment = row
    return Paper.model_construct(
        id=str(paper_id),
        version=int(str(version)) or None,
        title=str(title),
        authors=from_json(str(authors)),
        abstract=str(abstract),
        categories=from_json(str(categories)),
        primary_category=text_or_none(primary),
        published=datetime.fromisoformat(published) if isinstance(published, str) else None,
        updated=datetime.fromisoformat(updated) if isinstance(updated, str) else None,
        comment=text_or_none(comment),
        announce_type=announce_type,
    )
