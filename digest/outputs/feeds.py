"""The archive's feeds on disk: each topic's `feed.xml`, the combined `feed.xml` of all topics, the OPML list.

Each paper is one entry per feed (RFC 4287: an id is one entry), at its newest listing: a new version moves
it to the date that announced it (`updated` that date, the title says the version); a re-listing of the
same version (a Friday repeating Thursday's batch) adds nothing. See docs/design.md, "Feeds".
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from digest.core.calendar import announcement_in_force, announcement_time
from digest.core.errors import OutputError
from digest.core.models import IndexEntry, Paper, made_once_per_record
from digest.core.plan import Plan
from digest.outputs.day_record import day_record_path, paper_status, parse_listings, read_day_record_text
from digest.outputs.feed import (
    FEED_NAME,
    OPML_NAME,
    FeedDay,
    FeedHead,
    assemble_feed,
    feed_dates,
    render_entries,
    render_opml,
)
from digest.outputs.render import read_digest_entries, read_digest_ids
from digest.outputs.write import Content, digest_path, read_digest, write_pages
from digest.store.database import Store

__all__ = ["ALL_TOPICS", "Listing", "feed_base_url", "listings_of", "newest_listings", "write_feeds"]

ALL_TOPICS = "*"
"""The combined feed's key in the store's entry cache: never a topic name (those start with a letter or digit)."""
FEED_FORMAT = "2"
"""Changes whenever the entries' markup or the code-link extraction changes: every cached date is rebuilt."""


@dataclass(frozen=True, slots=True)
class Listing:
    """One paper on one digest: its version (None when the digest has no record) and whether it was updated."""

    id: str
    version: int | None
    updated: bool


def listings_of(digests: Mapping[str, Sequence[Paper]]) -> dict[str, list[Listing]]:
    """The listings of one date's digests (topic -> its papers), as their records give them: what a run that
    wrote the digests hands the feeds (`write_feeds`), so that they need not parse the records again. A
    paper several topics list has one listing, made once and shared (a re-render lists half a million)."""

    @made_once_per_record
    def listing(paper: Paper) -> Listing:
        return Listing(paper.id, paper.version, paper_status(paper) == "updated")

    return {topic: [listing(paper) for paper in papers] for topic, papers in digests.items()}


@dataclass(frozen=True)
class _Digest:
    output_dir: Path
    topic: str
    day: date
    made_of: str
    """The SHA-256 of the digest's text and its record's: a feed's cached entries are made of these (a
    month of an archive's digests is gigabytes, never held at once)."""
    listings: Sequence[Listing]

    def text(self) -> str:
        """The digest's markdown, read again: only for a paper the store lacks."""
        return read_digest(self.output_dir, self.topic, self.day)


def newest_listings(days: Sequence[tuple[date, Sequence[Listing]]]) -> dict[str, tuple[date, Listing]]:
    """Each paper's entry: the first date that listed its highest version (pure)."""
    chosen: dict[str, tuple[date, Listing]] = {}
    for day, listings in sorted(days, key=lambda pair: pair[0]):
        for listing in listings:
            held = chosen.get(listing.id)
            if held is None or (listing.version or 0) > (held[1].version or 0):
                chosen[listing.id] = (day, listing)
    return chosen


def feed_base_url(plan: Plan) -> str | None:
    """Where the archive's feeds are public: `feed_url`, else the site's (which carries copies of them)."""
    base = plan.settings.feed_url or plan.settings.site_url
    return base.rstrip("/") if base else None


def write_feeds(
    plan: Plan,
    store: Store,
    archive: Mapping[str, Sequence[IndexEntry]],
    written: Mapping[tuple[str, date], Sequence[Listing]] | None = None,
) -> None:
    """Every topic's feed, the combined feed and the OPML list, from the digests and records on disk; the
    listings of the digests this run `written` (topic and date -> `listings_of` their papers) are not parsed
    from their records again."""
    if not archive:
        return
    written = written or {}
    archive_id = _archive_id(plan.output_dir / FEED_NAME)
    base = feed_base_url(plan)
    read = {  # each digest's listings and fingerprint, not its text: a month of a busy topic is megabytes
        topic: [
            _read(plan, topic, day, written.get((topic, day)))
            for day in feed_dates([entry.date for entry in entries], plan.settings.feed_days)
        ]
        for topic, entries in archive.items()
    }
    write_pages(plan.output_dir, _feed_pages(plan, store, base, archive_id, read))


def _feed_pages(
    plan: Plan, store: Store, base: str | None, archive_id: uuid.UUID, read: Mapping[str, Sequence[_Digest]]
) -> Iterator[tuple[str, Content]]:
    """Each topic's feed, the combined feed and the OPML list, made one at a time as they are written: a
    re-render's feeds are hundreds of megabytes."""
    every = [digest for digests in read.values() for digest in digests]
    marks = store.load_row_marks(sorted({listing.id for digest in every for listing in digest.listings}))
    stored = _Stored(store, marks)
    for topic, digests in read.items():
        head = FeedHead(
            id=f"{base}/{quote(topic)}/{FEED_NAME}" if base else f"urn:uuid:{uuid.uuid5(archive_id, topic)}",
            title=f"arXiv digest · {topic}",
            subtitle=f"New arXiv papers on {topic}, one digest per announcement.",
            self_url=f"{base}/{quote(topic)}/{FEED_NAME}" if base else None,
            alternate_url=_digest_page(plan, f"{quote(topic)}/README.md"),
        )
        yield f"{topic}/{FEED_NAME}", _feed(plan, stored, head, topic, digests)
    newest = max(digest.day for digest in every)
    recent = [digest for digest in every if (newest - digest.day).days < plan.settings.feed_days]
    head = FeedHead(
        id=f"{base}/{FEED_NAME}" if base else f"urn:uuid:{archive_id}",
        title="arXiv digest · all topics",
        subtitle="New arXiv papers on every topic of this archive, one entry per paper.",
        self_url=f"{base}/{FEED_NAME}" if base else None,
        alternate_url=_digest_page(plan, "README.md"),
    )
    yield FEED_NAME, _feed(plan, stored, head, ALL_TOPICS, recent)
    listed = [(f"arXiv digest · {topic}", f"{quote(topic)}/{FEED_NAME}") for topic in sorted(read)]
    listed.insert(0, ("arXiv digest · all topics", FEED_NAME))
    yield OPML_NAME, render_opml("arXiv digest", [(name, f"{base}/{url}" if base else url) for name, url in listed])


def _digest_page(plan: Plan, path: str) -> str | None:
    return f"{plan.settings.digest_url.rstrip('/')}/{path}" if plan.settings.digest_url else None


def _read(plan: Plan, topic: str, day: date, written: Sequence[Listing] | None) -> _Digest:
    """A digest and its record as the feeds see them: its listings, in its order (those `written`, when this
    run wrote it: its files are read as bytes, only to be hashed)."""
    path = day_record_path(plan.output_dir, topic, day)
    if written is not None:
        try:
            digest, record = digest_path(plan.output_dir, topic, day).read_bytes(), path.read_bytes()
        except OSError:
            pass  # gone or unreadable since: read as any digest, whose errors say which
        else:
            return _Digest(plan.output_dir, topic, day, _made_of(digest, record), written)
    text = read_digest(plan.output_dir, topic, day)
    record_text = read_day_record_text(path)
    if record_text is None:  # a digest written before records: no version to tell
        listings = [Listing(paper_id, None, False) for paper_id in read_digest_ids(text)]
        return _Digest(plan.output_dir, topic, day, _made_of(text.encode("utf-8"), None), listings)
    listed = parse_listings(path, record_text)
    listings = [Listing(paper_id, version, status == "updated") for paper_id, version, status in listed]
    return _Digest(plan.output_dir, topic, day, _made_of(text.encode("utf-8"), record_text.encode("utf-8")), listings)


def _made_of(digest: bytes, record: bytes | None) -> str:
    """The SHA-256 of a digest and its record as text reads them back (universal newlines: a carriage return
    is a newline), whether they were read as text or as bytes."""
    made_of = hashlib.sha256(_as_text_reads(digest))
    if record is not None:
        made_of.update(_as_text_reads(record))
    return made_of.hexdigest()


def _as_text_reads(data: bytes) -> bytes:
    if b"\r" not in data:
        return data
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")


class _Stored(NamedTuple):
    """The store, and the row mark (`load_row_marks`) of every paper the feeds list, asked in one pass rather
    than once per topic and date: a re-render of all of arXiv fingerprints thousands of them."""

    store: Store
    marks: Mapping[str, int]


def _feed(plan: Plan, stored: _Stored, head: FeedHead, key: str, digests: Sequence[_Digest]) -> Iterator[bytes]:
    """A feed of `digests` (one topic's, or every topic's for the combined feed), each paper once."""
    chosen = newest_listings([(digest.day, digest.listings) for digest in digests])
    days = sorted({digest.day for digest in digests}, reverse=True)
    of_day = {day: [digest for digest in digests if digest.day == day] for day in days}
    announced = {day: announcement_time(announcement_in_force(day, plan.holidays)) for day in days}
    summaries = stored.store.load_summaries(chosen, plan.llm)
    fragments: Iterator[bytes] = (
        _entries(stored, key, (day, announced[day]), of_day[day], chosen, summaries) for day in days
    )
    return assemble_feed(head, announced[days[0]], fragments)


def _entries(
    stored: _Stored,
    key: str,
    dated: tuple[date, datetime],
    digests: Sequence[_Digest],
    chosen: Mapping[str, tuple[date, Listing]],
    summaries: Mapping[str, str],
) -> bytes:
    """A date's entries (`dated`: the date and when its batch was announced): the papers whose entry is on
    this date, in digest order, as the store holds them; from the store's cache when neither the digests,
    their records, those records in the store nor the choice of entries changed. A paper the store lacks (it
    was moved aside) is read back from the digest."""
    day, announced = dated
    topics_of: dict[str, list[str]] = {}
    for digest in digests:
        for listing in digest.listings:
            if chosen[listing.id][0] == day:
                topics_of.setdefault(listing.id, []).append(digest.topic)
    ids = list(topics_of)
    store, marks = stored
    made_of = [FEED_FORMAT, announced.isoformat(), *(digest.made_of for digest in digests)]
    made_of += [f"{paper_id}:{marks.get(paper_id)}:{','.join(topics_of[paper_id])}" for paper_id in ids]
    made_of += [f"{paper_id}={summaries[paper_id]}" for paper_id in ids if paper_id in summaries]
    fingerprint = hashlib.sha256("\n".join(made_of).encode("utf-8")).hexdigest()
    cached = store.load_feed_entries(key, day, fingerprint)
    if cached is not None:
        return cached
    shown = store.load_feed_papers(ids)
    if len(shown) < len(ids):
        for digest in digests:
            shown = {entry.id: entry for entry in read_digest_entries(digest.text())} | shown
    papers = []
    for paper_id in ids:
        listing = chosen[paper_id][1]
        topics = topics_of[paper_id] if key == ALL_TOPICS else ()
        summary = summaries.get(paper_id)
        papers.append(
            replace(shown[paper_id], version=listing.version, updated=listing.updated, topics=topics, summary=summary)
        )
    entries = render_entries(FeedDay(day, announced, papers))
    store.save_feed_entries(key, day, fingerprint, entries)
    return entries


_ARCHIVE_ID = re.compile(rb"<id>urn:uuid:([0-9a-f-]{36})</id>")


def _archive_id(combined_feed: Path) -> uuid.UUID:
    """The archive's own id, kept in its combined feed: every installation's feeds have ids of their own
    (topic feeds: a UUID derived from it and the topic's name), stable from run to run."""
    try:
        with combined_feed.open("rb") as feed:
            found = _ARCHIVE_ID.search(feed.read(2048))
    except FileNotFoundError:
        found = None
    except OSError as err:
        raise OutputError(f"cannot read {combined_feed}: {err.strerror or err}") from err
    return uuid.UUID(found.group(1).decode()) if found else uuid.uuid4()
