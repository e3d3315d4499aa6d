"""Writing: digests and index pages on disk, atomically and only when their bytes change.

Layout (DESIGN.md, "Output layout")::

    <output>/README.md                 overview of every topic
    <output>/<Topic>/README.md         the topic's archive, newest first
    <output>/<Topic>/<YYYY-MM-DD>.md   one digest
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path

from digest.errors import InputError, OutputError
from digest.render import INDEX_MARKER, IndexEntry, OverviewEntry, render_overview, render_topic_index

__all__ = [
    "check_indexes",
    "digest_path",
    "rebuild_indexes",
    "recent_digest_ids",
    "write_digests",
    "write_text_atomic",
]

INDEX_NAME = "README.md"
_DIGEST_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.md$")
_COUNT_BADGE = re.compile(r"badge/Papers-(\d+)-")
_HEAD = 4096  # the count badge is on the digest's third line; an index need not read whole digests
_ENTRY_LINK = re.compile(r"^- \*\*\[.*\]\(https://arxiv\.org/abs/([^)]+)\)\*\*", re.MULTILINE)


def digest_path(output_dir: Path, topic: str, day: date) -> Path:
    """Where a topic's digest for a date lives."""
    return output_dir / topic / f"{day.isoformat()}.md"


def recent_digest_ids(output_dir: Path, topic: str, day: date, days: int) -> dict[str, date]:
    """The ids listed in a topic's digests of the `days` dates before `day`, with the latest date listed."""
    seen: dict[str, date] = {}
    for back in range(days, 0, -1):
        earlier = day - timedelta(days=back)
        path = digest_path(output_dir, topic, earlier)
        if path.exists():
            seen.update((paper_id, earlier) for paper_id in _ENTRY_LINK.findall(path.read_text(encoding="utf-8")))
    return seen


def write_text_atomic(path: Path, text: str) -> bool:
    """Replace `path` with `text` through a temporary file and a rename; False when the bytes were already there.

    A reader, or a crash, sees the old file or the new one, never half of one.
    """
    return bool(_write_all({path: text}))


def write_digests(output_dir: Path, day: date, digests: Mapping[str, str]) -> list[Path]:
    """Write one date's digests (topic -> text) all together; return the files whose bytes changed.

    Every temporary file is written before any is renamed, so a full disk leaves the date's old files.
    """
    return _write_all({digest_path(output_dir, topic, day): text for topic, text in digests.items()})


def _write_all(texts: Mapping[Path, str]) -> list[Path]:
    staged: dict[Path, str] = {}
    try:
        for path, text in texts.items():
            data = text.encode("utf-8")
            if _holds(path, data):
                continue
            staged[path] = _stage(path, data)
        for path, temporary in staged.items():
            os.replace(temporary, path)
    except OSError as err:
        for temporary in staged.values():
            Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"cannot write {err.filename or 'output'}: {err.strerror or err}") from err
    return list(staged)


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


def _stage(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def check_indexes(output_dir: Path, topics: Iterable[str]) -> None:
    """Refuse, before anything is written, to replace an index page that arxiv-digest did not write.

    The pages are the overview and the archive page of every topic written now or found with digests on
    disk. A page is ours when its first line is the marker (or the heading an older version wrote): any
    other `README.md` is someone's own file, say a repository's README under a mistaken `--output`.
    """
    archives = {topic_dir for topic_dir in _topic_dirs(output_dir) if any(_digest_files(topic_dir))}
    topic_dirs = {output_dir / topic for topic in topics} | archives
    for page in [output_dir / INDEX_NAME, *(topic_dir / INDEX_NAME for topic_dir in sorted(topic_dirs))]:
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


def _topic_dirs(output_dir: Path) -> list[Path]:
    if not output_dir.is_dir():
        return []
    return sorted(path for path in output_dir.iterdir() if path.is_dir() and not path.name.startswith("."))


def rebuild_indexes(output_dir: Path) -> list[Path]:
    """Rebuild every archive page and the overview from the digests on disk; return the files that changed.

    Reading the disk, not a run's memory, keeps the indexes right after a backfill or a deleted digest.
    """
    check_indexes(output_dir, [])
    changed = []
    overview = []
    for topic_dir in _topic_dirs(output_dir):
        entries = _topic_entries(topic_dir)
        if not entries:
            continue
        if write_text_atomic(topic_dir / INDEX_NAME, render_topic_index(topic_dir.name, entries)):
            changed.append(topic_dir / INDEX_NAME)
        latest = max(entries, key=lambda entry: entry.date)
        overview.append(OverviewEntry(topic_dir.name, latest.date, latest.count, len(entries)))
    if write_text_atomic(output_dir / INDEX_NAME, render_overview(overview)):
        changed.append(output_dir / INDEX_NAME)
    return changed


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
