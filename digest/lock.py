"""One run at a time per output directory: a file lock that a second run waits for, for a bounded time.

The lock is `fcntl`/`msvcrt` based (the `filelock` package), so the operating system releases it when a run
dies, however it dies; the file itself stays behind and holds nothing. A digests repository should ignore it
(`.digest.lock` in its `.gitignore`); it is never among the files a run reports as written.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from digest.errors import LockError

__all__ = ["LOCK_NAME", "output_lock"]

log = logging.getLogger(__name__)

LOCK_NAME = ".digest.lock"


@contextmanager
def output_lock(output_dir: Path, timeout: float) -> Iterator[Path]:
    """Hold the output directory's lock for the block; wait up to `timeout` seconds, then raise LockError."""
    path = output_dir / LOCK_NAME
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise LockError(f"cannot create the output directory {output_dir}: {err.strerror or err}") from err
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
