"""The site's search: Pagefind indexes the date pages, one bundle per month, so a daily update re-indexes
only the month that changed; the browser searches every bundle at once (Pagefind's `mergeIndex`).

    pagefind/<YYYY-MM>/          one month's bundle, as Pagefind writes it
    pagefind/pagefind-ui.js/css  Pagefind's search box (the same file in every bundle), at a fixed address
    pagefind/bundles.js          the months there are, newest first, for site.js

Each bundle is built beside the old one (`.pagefind-new/<month>`) and put in its place by two renames: a
kill leaves the month's old bundle, its new one, or none, and the next build (whose manifest still has the
month's old key) builds it again. Pagefind writes the same bytes for the same pages met in the same order, and
it meets them in the order its folder lists them, which on many filesystems (tmpfs, btrfs) is the order they
were written in: a first build and a day-by-day one write a month's pages in different orders. So Pagefind
indexes a copy of the month's pages (`.pagefind-new/<month>.pages`), written afresh in the order of their names.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from digest.core.errors import OutputError
from digest.outputs.write import write_pages

__all__ = ["SEARCH_DIR", "Indexer", "refresh_search", "remove_search_leftovers", "run_pagefind"]

SEARCH_DIR = "pagefind"
_NEW = ".pagefind-new"
_OLD = ".pagefind-old"
_UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")

Indexer = Callable[[Path, str, Path], None]
"""Indexes the pages of a site folder that a glob matches into a bundle folder: `run_pagefind`, or a test's."""


def run_pagefind(site_dir: Path, pages: str, bundle: Path) -> None:
    """Pagefind's binary (from the `pagefind[bin]` wheel: nothing is downloaded) indexes `pages`."""
    try:
        from pagefind_bin import get_executable

        executable = get_executable()
    except (ImportError, FileNotFoundError) as err:
        raise OutputError(
            f"cannot build the search index: Pagefind is missing ({err}); pip install 'pagefind[bin]'"
        ) from err
    command = [str(executable), "--site", str(site_dir), "--glob", pages, "--output-path", str(bundle), "--silent"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise OutputError(f"Pagefind could not index {site_dir}: {reason[-1] if reason else done.returncode}")


def month_keys(page_keys: Mapping[str, str]) -> dict[str, str]:
    """Each month's key: a hash of the keys of its date pages (`<Topic>/<YYYY-MM-DD>.html`)."""
    months: dict[str, list[tuple[str, str]]] = {}
    for name, key in sorted(page_keys.items()):
        months.setdefault(Path(name).stem[:7], []).append((name, key))
    return {month: hashlib.sha256(json.dumps(pages).encode()).hexdigest() for month, pages in months.items()}


def refresh_search(
    site_dir: Path, page_keys: Mapping[str, str], indexed: Mapping[str, str], index: Indexer
) -> tuple[dict[str, str], float | None]:
    """Index the months whose pages changed since `indexed` (month -> key, as the manifest says), drop the
    months that are gone; return the months' keys now and Pagefind's time (None when nothing was indexed)."""
    months = month_keys(page_keys)
    root = site_dir / SEARCH_DIR
    stale = [
        m for m, key in months.items() if indexed.get(m) != key or not (root / m / "pagefind-entry.json").is_file()
    ]
    started = time.perf_counter()
    for month in stale:
        _swap(site_dir, month, index)
    for gone in sorted(set(indexed) - set(months)):
        shutil.rmtree(root / gone, ignore_errors=True)
    remove_search_leftovers(site_dir)
    _write_front(root, sorted(months, reverse=True))
    return months, (time.perf_counter() - started if stale else None)


def remove_search_leftovers(site_dir: Path) -> None:
    """Bundles a killed build left half-built or half-swapped."""
    for folder in (site_dir / _NEW, site_dir / _OLD):
        shutil.rmtree(folder, ignore_errors=True)


def _swap(site_dir: Path, month: str, index: Indexer) -> None:
    fresh, old, current = site_dir / _NEW / month, site_dir / _OLD / month, site_dir / SEARCH_DIR / month
    pages, staged = f"*/{month}-*.html", site_dir / _NEW / f"{month}.pages"
    try:
        _copy_in_order(site_dir, pages, staged)
    except OSError as err:
        raise OutputError(f"cannot copy the pages to index to {staged}: {err.strerror or err}") from err
    index(staged, pages, fresh)
    shutil.rmtree(staged, ignore_errors=True)
    try:
        old.parent.mkdir(exist_ok=True)
        current.parent.mkdir(exist_ok=True)
        if current.exists():
            current.rename(old)
        fresh.rename(current)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as err:
        raise OutputError(f"cannot put the search index in {current}: {err.strerror or err}") from err


def _copy_in_order(site_dir: Path, pages: str, staged: Path) -> None:
    """The pages `pages` matches, copied to a new folder one by one in the order of their names (a folder
    that lists its files in the order they were written, or by their names, lists them alike every time)."""
    for page in sorted(site_dir.glob(pages)):
        copy = staged / page.relative_to(site_dir)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, copy)


def _write_front(root: Path, months: list[str]) -> None:
    """The search box at a fixed address (copied from the newest bundle) and the list of bundles; none
    without a date page."""
    if not months:
        return
    files: dict[str, str | bytes] = {name: (root / months[0] / name).read_bytes() for name in _UI_FILES}
    files["bundles.js"] = f"window.arxivDigestBundles = {json.dumps(months)};\n"
    write_pages(root, files.items())
