"""The deliveries table group: what went out, so that nothing goes out twice or is built twice.

Tables `notifications` (each date's message per target, queued until sent), `feed_entries` (each topic's
rendered feed entries of a date, kept while what they were made from is unchanged) and `listed` (what each
digest listed: the memory of `dedupe_days`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from digest.store.tables import Tables, moment_or_none, timestamp

__all__ = ["DeliveryTables"]


class DeliveryTables(Tables):
    """Messages, the feed cache and what the digests listed."""

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
                (day.isoformat(), target, body_hash, title, body, timestamp(queued_at)),
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
                (timestamp(at), day.isoformat(), target),
            )

    def load_owed(self) -> list[tuple[date, datetime | None]]:
        """Every message not sent yet, oldest date first: its date and when it was queued (None: before that
        was kept)."""
        rows = self._db.execute("SELECT date, queued_at FROM notifications WHERE sent_at IS NULL ORDER BY date")
        return [(date.fromisoformat(day), moment_or_none(at)) for day, at in rows]

    def load_feed_entries(self, topic: str, day: date, fingerprint: str) -> bytes | None:
        row = self._db.execute(
            "SELECT entries FROM feed_entries WHERE topic = ? AND date = ? AND fingerprint = ?",
            (topic, day.isoformat(), fingerprint),
        ).fetchone()
        return None if row is None else bytes(row[0])

    def save_feed_entries(self, topic: str, day: date, fingerprint: str, entries: bytes) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO feed_entries VALUES (?, ?, ?, ?)",
                (topic, day.isoformat(), fingerprint, entries),
            )

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

    def load_listed_on(self, day: date, topics: Iterable[str]) -> dict[str, list[str]]:
        """What each topic's digest of `day` listed (topic -> ids in id order, as `load_listed` gives them;
        none: empty), in one query for all the topics: a re-render asks it of hundreds of topics a date."""
        listed: dict[str, list[str]] = {topic: [] for topic in topics}
        rows = self._db.execute(
            "SELECT topic, id FROM listed WHERE topic IN (SELECT value FROM json_each(?)) AND date = ? "
            "ORDER BY topic, id",
            (json.dumps(list(listed)), day.isoformat()),
        )
        for topic, paper_id in rows:
            listed[topic].append(paper_id)
        return listed
