"""The archive as a static website (`digest site`, and every run with `site: true`), built from the JSON records.

Layout of the site folder (`site_dir`, by default `<output>/_site`)::

    index.html  style.css  site.js  feed.xml  feeds.opml   the home page, its assets, copies of the feeds
    <Topic>/index.html                                      the topic's dates, newest first
    <Topic>/<date>.html  <date>.md  <date>.json  feed.xml   a date's page, copies of its digest and record
    pagefind/                                               the search index (Pagefind), a bundle a month
    .site-manifest.json                                     what each page was built from: written last

Incremental and crash-safe: a date's page is rebuilt only when what it is made of (its record, its digest,
its neighbours, the templates) hashes otherwise than the manifest says; every file is written atomically;
each month's search index is built beside the old one and swapped in (`site_search`); the manifest goes
last. A build killed anywhere leaves the old manifest, so the next build redoes what it cannot vouch for
and ends with the same bytes as one never interrupted.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from digest.core.errors import InputError, OutputError
from digest.core.models import IndexEntry
from digest.core.words import plural
from digest.outputs.day_record import day_record_path, parse_day_record
from digest.outputs.feed import FEED_NAME, OPML_NAME
from digest.outputs.site_pages import (
    DayLink,
    TopicDates,
    day_page_name,
    render_day_page,
    render_home_page,
    render_topic_page,
    static_files,
    templates_fingerprint,
)
from digest.outputs.site_search import Indexer, refresh_search, remove_search_leftovers, run_pagefind
from digest.outputs.write import TEMPORARY_NAME, digest_path, read_archive, write_pages

__all__ = ["MANIFEST_NAME", "SiteReport", "build_site", "site_dir_of"]

log = logging.getLogger(__name__)

MANIFEST_NAME = ".site-manifest.json"


@dataclass(frozen=True)
class SiteReport:
    """What a build did: pages rebuilt and removed, and the search index's own time (None: not rebuilt)."""

    site_dir: Path
    rebuilt: int
    removed: int
    search_seconds: float | None

    def summary(self) -> str:
        search = "search index unchanged"
        if self.search_seconds is not None:
            search = f"search index rebuilt in {self.search_seconds:.1f} s"
        return f"site {self.site_dir}: {plural(self.rebuilt, 'date page')} rebuilt, {self.removed} removed, {search}"


def site_dir_of(site_dir: Path | None, output_dir: Path) -> Path:
    """The site's folder: `site_dir`, else `<output>/_site` (a name no topic can have: a topic's name starts
    with a letter or a digit)."""
    return site_dir if site_dir is not None else output_dir / "_site"


def build_site(output_dir: Path, site_dir: Path, topics: Iterable[str], *, index: Indexer = run_pagefind) -> SiteReport:
    """Bring the site in `site_dir` up to date with the digests and records in `output_dir` (`topics`: the
    configured ones, as for the index pages)."""
    if output_dir.resolve().is_relative_to(site_dir.resolve()):
        raise InputError(
            f"site_dir {site_dir} holds the output directory {output_dir}: give the site a folder of its own "
            "(by default <output>/_site)"
        )
    _remove_leftovers(site_dir)
    manifest = _read_manifest(site_dir)
    fingerprint = templates_fingerprint()
    built = manifest.pages if manifest.templates == fingerprint else {}
    build = _Build(output_dir, site_dir, fingerprint, built, (output_dir / FEED_NAME).is_file())
    archive = {
        topic: build.topic(topic, entries) for topic, entries in sorted(read_archive(output_dir, topics).items())
    }
    if not archive:
        raise InputError(f"{output_dir} holds no digest to build a site from: write some first (`digest run`)")
    build.add(static_files())
    build.add({"index.html": render_home_page(archive, feeds=build.feeds)})
    build.add(_feed_copies(output_dir, archive) if build.feeds else {})
    write_pages(site_dir, build.pages.items())
    removed = _remove_stale(site_dir, set(manifest.files) - build.files)
    search, seconds = refresh_search(site_dir, build.keys, manifest.search, index)
    files = sorted(build.files)
    _write_manifest(site_dir, _Manifest(templates=build.fingerprint, pages=build.keys, files=files, search=search))
    return SiteReport(site_dir, build.rebuilt(), sum(1 for name in removed if name.endswith(".html")), seconds)


@dataclass
class _Build:
    """One build: what it renders (`pages`, by name in the site), each date page's key, every file the site
    holds once it is done; `built` are the keys of the pages the last complete build made."""

    output_dir: Path
    site_dir: Path
    fingerprint: str
    built: Mapping[str, str]
    feeds: bool
    pages: dict[str, str | bytes] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)

    def add(self, pages: Mapping[str, str | bytes]) -> None:
        self.pages.update(pages)
        self.files.update(pages)

    def rebuilt(self) -> int:
        return sum(1 for name in self.pages if name in self.keys)

    def topic(self, topic: str, entries: Sequence[IndexEntry]) -> TopicDates:
        """A topic's pages: each date's whose key changed (with copies of its digest and record), its list of
        dates; a digest without a record gets its copy only."""
        records = {e.date: _read_bytes(day_record_path(self.output_dir, topic, e.date)) for e in entries}
        newest_first = sorted(entries, key=lambda entry: entry.date, reverse=True)
        dates = TopicDates(topic, [DayLink(e.date, e.count, records[e.date] is not None) for e in newest_first])
        with_pages = [day for day in dates.days if day.has_page]
        for position, day in enumerate(with_pages):
            newer = with_pages[position - 1] if position else None
            older = with_pages[position + 1] if position + 1 < len(with_pages) else None
            self.day(topic, day, (older, newer), records[day.date] or b"")
        for day in dates.days:
            if not day.has_page:
                markdown = _read_bytes(digest_path(self.output_dir, topic, day.date)) or b""
                self.add({f"{topic}/{day.date.isoformat()}.md": markdown})
        self.add({f"{topic}/index.html": render_topic_page(dates, feeds=self.feeds)})
        return dates

    def day(self, topic: str, day: DayLink, neighbours: tuple[DayLink | None, DayLink | None], record: bytes) -> None:
        """A date's page and its copies, rendered only when what they are made of changed (or the page is gone)."""
        older, newer = neighbours
        markdown = _read_bytes(digest_path(self.output_dir, topic, day.date)) or b""
        stem = f"{topic}/{day.date.isoformat()}"
        name = f"{topic}/{day_page_name(day.date)}"
        self.keys[name] = _key(self.fingerprint, record, markdown, neighbours, self.feeds)
        self.files.update({name, f"{stem}.md", f"{stem}.json"})
        if self.built.get(name) == self.keys[name] and (self.site_dir / name).is_file():
            return
        parsed = parse_day_record(day_record_path(self.output_dir, topic, day.date), record)
        self.add({name: render_day_page(parsed, older, newer, feeds=self.feeds), f"{stem}.md": markdown})
        self.add({f"{stem}.json": record})


def _key(
    fingerprint: str, record: bytes, markdown: bytes, neighbours: tuple[DayLink | None, DayLink | None], feeds: bool
) -> str:
    """What a date's page and its copies are made of, as one hash."""
    dates = [day.date.isoformat() if day else "" for day in neighbours]
    made_of = hashlib.sha256(f"{fingerprint}\n{dates[0]}\n{dates[1]}\n{feeds}\n".encode())
    made_of.update(hashlib.sha256(record).digest() + hashlib.sha256(markdown).digest())
    return made_of.hexdigest()


def _read_bytes(path: Path) -> bytes | None:
    """A file of the archive; None when there is none (a digest without a record, a feed turned off)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise OutputError(f"cannot read {path}: {err.strerror or err}") from err


def _feed_copies(output_dir: Path, archive: Mapping[str, TopicDates]) -> dict[str, str | bytes]:
    """The archive's feeds and OPML, served beside the pages (`site_url` makes them the feeds' public home)."""
    names = [FEED_NAME, OPML_NAME, *(f"{topic}/{FEED_NAME}" for topic in archive)]
    copies = {name: _read_bytes(output_dir / name) for name in names}
    return {name: data for name, data in copies.items() if data is not None}


def _remove_leftovers(site_dir: Path) -> None:
    """What a killed build left: temporary files of the atomic writes and half-built search indexes."""
    if not site_dir.is_dir():
        return
    remove_search_leftovers(site_dir)
    for folder, _, names in os.walk(site_dir):
        for name in names:
            if TEMPORARY_NAME.match(name):
                Path(folder, name).unlink(missing_ok=True)


def _remove_stale(site_dir: Path, names: Iterable[str]) -> list[str]:
    """Files an earlier build wrote that no digest asks for now (a digest deleted, a topic gone)."""
    removed = sorted(names)
    for name in removed:
        (site_dir / name).unlink(missing_ok=True)
    for folder in {(site_dir / name).parent for name in removed} - {site_dir}:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return removed


class _Manifest(BaseModel):
    """What the last complete build made: the templates' hash, each date page's key, every file, the
    keys of the months of the search index."""

    templates: str = ""
    pages: dict[str, str] = {}
    files: list[str] = []
    search: dict[str, str] = {}


def _read_manifest(site_dir: Path) -> _Manifest:
    """The last complete build's manifest; a missing or damaged one is none (every page is checked)."""
    try:
        return _Manifest.model_validate_json((site_dir / MANIFEST_NAME).read_bytes())
    except (OSError, ValidationError):
        return _Manifest()


def _write_manifest(site_dir: Path, manifest: _Manifest) -> None:
    write_pages(site_dir, [(MANIFEST_NAME, manifest.model_dump_json(indent=1) + "\n")])
