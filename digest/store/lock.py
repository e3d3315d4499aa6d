"""One run at a time per output directory: a file lock that a second run waits for, for a bounded time.

The lock is `fcntl`/`msvcrt` based (the `filelock` package), so the operating system releases it when a run
dies, however it dies; the file itself stays behind and holds nothing. It lives beside the store
(`<cache_dir>/locks/<hash of the output directory>.lock`), never in the output directory: a digests
repository must not show it as an untracked file, and nothing in it is worth publishing.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from digest.core.errors import LockError

__all__ = ["OLD_LOCK_NAME", "lock_held", "lock_path", "output_lock"]

log = logging.getLogger(__name__)

OLD_LOCK_NAME = ".digest.store.lock"
"""Where versions before the journal kept the lock: inside the output directory (removed by a run now)."""


def lock_path(cache_dir: Path, output_dir: Path) -> Path:
    """The lock file of an output directory, beside the store."""
    key = hashlib.sha256(str(output_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_dir / "locks" / f"{key}.lock"


@contextmanager
def output_lock(path: Path, timeout: float) -> Iterator[Path]:
    """Hold the lock file `path` for the block; wait up to `timeout` seconds, then raise LockError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise LockError(f"cannot create the lock's directory {path.parent}: {err.strerror or err}") from err
    lock = FileLock(path, timeout=timeout)
    try:
        _acquire(lock, path, timeout)
    except Timeout as err:
        raise LockError(f"another digest run holds {path}; waited {timeout:g} s") from err
    except OSError as err:
        raise LockError(f"cannot lock {path}: {err.strerror or err}") from err
    log.debug("locked %s", path)
    try:
        yield path
    finally:
        lock.release()


def _acquire(lock: FileLock, path: Path, timeout: float) -> None:
    """Take the lock; when another run holds it, say so once, with the limit, then wait."""
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if timeout <= 0:
            raise
        log.warning("another digest run holds %s; waiting up to %g s for it to finish", path, timeout)
        lock.acquire()


def lock_held(path: Path) -> bool:
    """Whether a run holds the lock now (`digest status`: its unfinished dates may be in progress)."""
    if not path.exists():
        return False
    try:
        with output_lock(path, timeout=0):
            return False
    except LockError:
        return True
