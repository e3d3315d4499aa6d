"""Writing: digests and index pages on disk, atomically and only when their bytes change; no rendering here.

Layout (docs/design.md, "Output")::

    <output>/README.md                 overview of every topic
    <output>/<Topic>/README.md         the topic's archive, newest first
    <output>/<Topic>/<YYYY-MM-DD>.md   one digest
"""

from __future__ import annotations

import filecmp
import logging
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from digest.core.errors import InputError, OutputError
from digest.core.models import INDEX_MARKER, IndexEntry
from digest.outputs.day_record import day_record_path
from digest.store.lock import OLD_LOCK_NAME

__all__ = [
    "INDEX_NAME",
    "TEMPORARY_NAME",
    "Content",
    "check_indexes",
    "digest_path",
    "read_archive",
    "read_digest",
    "remove_leftovers",
    "write_digests",
    "write_file",
    "write_pages",
]

log = logging.getLogger(__name__)

INDEX_NAME = "README.md"
_DIGEST_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.md$")
_COUNT_BADGE = re.compile(r"badge/Papers-(\d+)-")
_HEAD = 4096  # the count badge is on the digest's third line; an index need not read whole digests


def digest_path(output_dir: Path, topic: str, day: date) -> Path:
    """Where a topic's digest for a date lives."""
    return output_dir / topic / f"{day.isoformat()}.md"


def read_digest(output_dir: Path, topic: str, day: date) -> str:
    """A digest's text as it is on disk."""
    try:
        return digest_path(output_dir, topic, day).read_text(encoding="utf-8")
    except OSError as err:
        raise OutputError(f"cannot read {err.filename}: {err.strerror or err}") from err


def write_digests(
    output_dir: Path, day: date, digests: Mapping[str, str | bytes], records: Mapping[str, bytes] | None = None
) -> list[Path]:
    """Write one date's digests (topic -> text or its bytes) and their JSON records (topic -> bytes) all
    together; return the files whose bytes changed.

    Every temporary file is written before any is renamed, so a full disk leaves the date's old files, and
    a digest is never without its record.
    """
    files: dict[Path, str | bytes] = {digest_path(output_dir, topic, day): text for topic, text in digests.items()}
    files |= {day_record_path(output_dir, topic, day): data for topic, data in (records or {}).items()}
    return _write_all(files.items())


def write_file(path: Path, text: str) -> bool:
    """Write one file atomically (a temporary file renamed over it); False when it held these bytes already."""
    return bool(_write_all([(path, text)]))


Content = str | bytes | Iterable[bytes]
"""A file's text, its bytes, or its bytes in pieces made as they are written: the combined feed of a re-render of
all of arXiv is 160 MB, never all in memory."""


def _write_all(files: Iterable[tuple[Path, Content]]) -> list[Path]:
    """Stage each file whose bytes change as it comes (`files` may be made one at a time: a re-render's feeds
    are half a gigabyte), then rename them all. On any failure, or an error of whatever makes `files` or their
    pieces, the staged ones go and every old file stays."""
    staged: dict[Path, str] = {}
    folders: set[Path] = set()  # made once each: a date writes 400 files into 200 folders
    try:
        for path, content in files:
            data = content.encode("utf-8") if isinstance(content, str) else content
            with _said_as_output_error(path):
                if isinstance(data, bytes) and _holds(path, data):
                    continue  # bytes are compared before they are staged
                if path.parent not in folders:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    folders.add(path.parent)
                staged[path] = _stage(path, [data] if isinstance(data, bytes) else data)
                if not isinstance(data, bytes) and _same_bytes(staged[path], path):
                    Path(staged.pop(path)).unlink()  # pieces once staged: they can be made only once
        for path, temporary in staged.items():
            with _said_as_output_error(path):
                os.replace(temporary, path)
    except BaseException:
        for temporary in staged.values():
            Path(temporary).unlink(missing_ok=True)
        raise
    return list(staged)


@contextmanager
def _said_as_output_error(path: Path) -> Iterator[None]:
    """An OSError of writing `path`, said as the OutputError naming the file or folder it concerns: `path`
    itself rather than its temporary file."""
    try:
        yield
    except OSError as err:
        named = err.filename if err.filename and not TEMPORARY_NAME.match(Path(str(err.filename)).name) else path
        raise OutputError(f"cannot write {named}: {err.strerror or err}") from err


TEMPORARY_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
"""A name `_stage` gives a file while it is written (`.2025-07-07.md.k3j9x_2a.tmp`): `tempfile`'s eight random
characters between the file's name and `.tmp`."""


def remove_leftovers(output_dir: Path, topics: Iterable[str]) -> list[Path]:
    """Remove what a killed run left in the output directory (call it under the lock): temporary files of
    digests, index pages and feeds in the overview's folder and the topics' (`_topic_dirs`; `topics` are the
    configured ones), and the lock file earlier versions kept there. Return them."""
    if not output_dir.is_dir():
        return []
    old_lock = output_dir / OLD_LOCK_NAME
    candidates = [old_lock] if old_lock.is_file() else []
    for folder in [output_dir, *_topic_dirs(output_dir, topics)]:
        candidates += [path for path in folder.iterdir() if TEMPORARY_NAME.match(path.name) and path.is_file()]
    for path in candidates:
        try:
            path.unlink()
        except OSError as err:
            raise OutputError(f"cannot remove {path}, left by an interrupted run: {err.strerror or err}") from err
    if candidates:
        log.info("removed %d files left by an interrupted run: %s", len(candidates), ", ".join(map(str, candidates)))
    return candidates


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


def _same_bytes(staged: str, path: Path) -> bool:
    try:
        return filecmp.cmp(staged, path, shallow=False)
    except FileNotFoundError:
        return False


def _stage(path: Path, pieces: Iterable[bytes]) -> str:
    """A temporary file beside `path` holding the `pieces`, on the disk, readable by all: written through its
    descriptor, without a file object's buffer (a re-render writes 24,000 files)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            for piece in pieces:
                unwritten = memoryview(piece)
                while unwritten:
                    unwritten = unwritten[os.write(handle, unwritten) :]
            os.fsync(handle)
            os.fchmod(handle, 0o644)
        finally:
            os.close(handle)
    except BaseException:  # an OSError, or an error of whatever makes the pieces
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def check_indexes(output_dir: Path, topics: Iterable[str]) -> None:
    """Refuse, before anything is written, to replace an index page that arxiv-digest did not write: the
    overview, or the archive page of a configured topic (any other folder is a topic only when its page is
    ours: `_topic_dirs`). A foreign `README.md` is someone's own file, say a repository's README under a
    mistaken `--output`."""
    _refuse_foreign([output_dir / INDEX_NAME, *(output_dir / topic / INDEX_NAME for topic in sorted(topics))])


def _refuse_foreign(pages: Iterable[Path]) -> None:
    for page in pages:
        if not _written_by_us(page):
            raise InputError(
                f"{page} was not written by arxiv-digest and would be replaced by an index page; nothing was "
                f"written: check --output (or settings.output_dir), or move {page} aside"
            )


def _written_by_us(page: Path) -> bool:
    try:
        with page.open(encoding="utf-8", errors="replace") as text:
            first = text.readline().rstrip("\n")
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return first in (INDEX_MARKER, _OLDER_OVERVIEW) or (first.startswith("# 🔍 ") and first.endswith(_OLDER_ARCHIVE))


_OLDER_OVERVIEW = "# 📰 arXiv daily digests"
_OLDER_ARCHIVE = " Papers · archive"
"""The first lines of index pages written before the marker: an archive kept from then is still ours."""


def _topic_dirs(output_dir: Path, topics: Iterable[str]) -> list[Path]:
    """The configured topics' folders, and every other folder whose archive page arxiv-digest wrote (a topic
    since dropped from the configuration keeps its archive). Dated `.md` files alone make no topic: they may
    be someone's journal."""
    if not output_dir.is_dir():
        return []
    configured = set(topics)
    return sorted(
        path
        for path in output_dir.iterdir()
        if path.is_dir()
        and not path.name.startswith(".")
        and (path.name in configured or ((path / INDEX_NAME).is_file() and _written_by_us(path / INDEX_NAME)))
    )


def read_archive(output_dir: Path, topics: Iterable[str]) -> dict[str, list[IndexEntry]]:
    """Every topic's digests on disk (topic -> date and count), for the index pages; `topics` are the
    configured ones (`_topic_dirs`).

    Reading the disk, not a run's memory, keeps the indexes right after a backfill or a deleted digest.
    """
    archive = {topic_dir.name: _topic_entries(topic_dir) for topic_dir in _topic_dirs(output_dir, topics)}
    return {topic: entries for topic, entries in archive.items() if entries}


def write_pages(output_dir: Path, pages: Iterable[tuple[str, Content]]) -> list[Path]:
    """Write pages (a path under `output_dir` and its text or bytes) all together, each staged as it comes:
    a foreign index page is refused before any is renamed."""

    def checked() -> Iterator[tuple[Path, Content]]:
        for name, text in pages:
            path = output_dir / name
            if path.name == INDEX_NAME:
                _refuse_foreign([path])
            yield path, text

    return _write_all(checked())


def _digest_files(topic_dir: Path) -> Iterator[tuple[date, Path]]:
    for path in topic_dir.iterdir():
        name = _DIGEST_NAME.match(path.name)
        if name:
            yield date.fromisoformat(name.group(1)), path


def _topic_entries(topic_dir: Path) -> list[IndexEntry]:
    entries = []
    for day, path in _digest_files(topic_dir):
        with path.open(encoding="utf-8") as digest:
            badge = _COUNT_BADGE.search(digest.read(_HEAD))
        entries.append(IndexEntry(day, int(badge.group(1)) if badge else 0))
    return entries
