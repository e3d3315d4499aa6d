"""The store's schema, as the list of migrations that build it: an older file is upgraded in one place.

The schema version lives in `PRAGMA user_version`: migration N takes a file from version N to N + 1.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from digest.core.errors import StoreError

__all__ = ["SCHEMA_VERSION", "migrate"]

MIGRATIONS: list[str] = [
    """
    CREATE TABLE papers (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,           -- 0 when the source did not say
        title TEXT NOT NULL,
        authors TEXT NOT NULL,              -- JSON list
        abstract TEXT NOT NULL,
        categories TEXT NOT NULL,           -- JSON list, primary first
        primary_category TEXT,
        published TEXT,
        updated TEXT,
        comment TEXT,
        PRIMARY KEY (id, version)
    );
    CREATE TABLE versions (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        submitted TEXT NOT NULL,            -- ISO 8601 UTC, sortable as text
        PRIMARY KEY (id, version)
    );
    CREATE INDEX versions_by_submission ON versions (submitted);
    CREATE TABLE batches (
        announcement TEXT PRIMARY KEY,      -- the announcement evening, YYYY-MM-DD
        source TEXT NOT NULL                -- rss, oai or api
    );
    CREATE TABLE batch_members (
        announcement TEXT NOT NULL REFERENCES batches (announcement) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        announce_type TEXT NOT NULL,
        PRIMARY KEY (announcement, position)
    );
    CREATE TABLE harvests (
        set_spec TEXT NOT NULL,
        from_date TEXT NOT NULL,
        token TEXT,                         -- the next page's resumption token; NULL before the first page
        cursor INTEGER NOT NULL DEFAULT 0,
        complete_list_size INTEGER,
        records INTEGER NOT NULL DEFAULT 0,
        complete INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (set_spec, from_date)
    );
    """,
    """
    ALTER TABLE harvests DROP COLUMN cursor;
    CREATE TABLE listed (
        topic TEXT NOT NULL,
        date TEXT NOT NULL,                 -- the digest's date, YYYY-MM-DD
        id TEXT NOT NULL,
        PRIMARY KEY (topic, date, id)
    );
    """,
    """
    CREATE TABLE notifications (
        date TEXT NOT NULL,                 -- the digest date the message is about
        target TEXT NOT NULL,               -- SHA-256 of the Apprise URL: the store keeps no credential
        body_hash TEXT NOT NULL,            -- SHA-256 of the body: a changed batch sends a correction
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        sent_at TEXT,                       -- NULL until the target accepted it
        PRIMARY KEY (date, target)
    );
    """,
    """
    CREATE TABLE harvests_by_span (
        set_spec TEXT NOT NULL,
        from_date TEXT NOT NULL,
        until_date TEXT NOT NULL DEFAULT '',  -- '' when the harvest runs to today
        token TEXT,
        complete_list_size INTEGER,
        records INTEGER NOT NULL DEFAULT 0,
        complete INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (set_spec, from_date, until_date)
    );
    INSERT INTO harvests_by_span
        SELECT set_spec, from_date, '', token, complete_list_size, records, complete FROM harvests;
    DROP TABLE harvests;
    ALTER TABLE harvests_by_span RENAME TO harvests;
    CREATE TABLE coverage (
        set_spec TEXT PRIMARY KEY,
        start TEXT NOT NULL,                -- every record with a datestamp from here
        end TEXT NOT NULL,                  -- to here (YYYY-MM-DD, UTC) is stored,
        harvested_at TEXT NOT NULL          -- as arXiv had it at this time (the harvest's last page)
    );
    CREATE TABLE verdicts (
        announcement TEXT PRIMARY KEY,      -- a batch the store holds from RSS
        checked_at TEXT NOT NULL,
        agree INTEGER NOT NULL,
        differences TEXT NOT NULL           -- JSON list of {id, rss, oai}
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        command TEXT NOT NULL,
        dates TEXT NOT NULL,                -- JSON list of the dates it wrote
        outcome TEXT NOT NULL,              -- ok or failed
        requests INTEGER NOT NULL,
        error TEXT                          -- the Error: line, when it failed
    );
    """,
    """
    CREATE TABLE embeddings (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        model TEXT NOT NULL,
        vector BLOB NOT NULL,               -- float32, unit length
        PRIMARY KEY (id, version, model)
    );
    """,
    """
    CREATE TABLE feed_entries (
        topic TEXT NOT NULL,
        date TEXT NOT NULL,                 -- the digest's date
        fingerprint TEXT NOT NULL,          -- SHA-256 of everything the entries are made from
        entries BLOB NOT NULL,              -- the date's <entry> lines, as the feed carries them
        PRIMARY KEY (topic, date)
    );
    """,
    """
    CREATE TABLE journal (
        output TEXT NOT NULL,               -- the output directory, resolved
        date TEXT NOT NULL,                 -- the digest's date
        asked TEXT NOT NULL,                -- JSON list of the recipe's steps the command asked for
        done TEXT NOT NULL,                 -- JSON list of those completed
        kept TEXT,                          -- JSON {topic: [ids]} once the digests are written
        started TEXT NOT NULL,
        PRIMARY KEY (output, date)
    );
    ALTER TABLE notifications ADD COLUMN queued_at TEXT;   -- NULL in rows queued before it was kept
    """,
    """
    CREATE TABLE summaries (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        model TEXT NOT NULL,
        prompt TEXT NOT NULL,               -- hash of the template and language
        text TEXT NOT NULL,
        tokens_in INTEGER NOT NULL,
        tokens_out INTEGER NOT NULL,
        made_at TEXT NOT NULL,
        PRIMARY KEY (id, version, model, prompt)
    );
    CREATE TABLE judgements (
        id TEXT NOT NULL,
        version INTEGER NOT NULL,
        model TEXT NOT NULL,
        prompt TEXT NOT NULL,               -- hash of the topic's judge prompt
        relevant INTEGER NOT NULL,
        reason TEXT NOT NULL,
        tokens_in INTEGER NOT NULL,
        tokens_out INTEGER NOT NULL,
        made_at TEXT NOT NULL,
        PRIMARY KEY (id, version, model, prompt)
    );
    ALTER TABLE runs ADD COLUMN tokens_in INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN tokens_out INTEGER NOT NULL DEFAULT 0;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the file at `path` up to SCHEMA_VERSION; a newer file than this code knows is refused."""
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"the store {path} has schema version {current}, newer than this arxiv-digest knows "
            f"({SCHEMA_VERSION}); upgrade arxiv-digest or set DIGEST_CACHE_DIR to another directory"
        )
    for version in range(current, SCHEMA_VERSION):
        db.executescript(f"BEGIN; {MIGRATIONS[version]}; PRAGMA user_version = {version + 1}; COMMIT;")
