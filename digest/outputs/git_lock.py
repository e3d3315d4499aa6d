"""git's `index.lock` left by a killed git: removed when no git works in the repository and it is old, else
named in the error. git holds it for the length of one command, so an old one nobody holds is a crash's.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from digest.core.errors import PublishError

__all__ = ["STALE_INDEX_LOCK", "clear_index_lock", "git_running_in", "index_lock_is_stale"]

log = logging.getLogger(__name__)

STALE_INDEX_LOCK = 60.0
"""Seconds after which an `index.lock` no git process holds is taken for a crashed git's: git itself holds it
for the length of one command."""


def index_lock_is_stale(age: float, held: bool) -> bool:
    """Whether git's `index.lock` is a crashed git's leftover: no git process runs in the repository and it is
    older than STALE_INDEX_LOCK seconds. Pure."""
    return not held and age > STALE_INDEX_LOCK


def git_running_in(toplevel: Path, proc: Path = Path("/proc")) -> bool:
    """Whether a `git` process works in the repository (its working directory is in it), from /proc. Without
    /proc (not Linux) the answer is yes: a lock is then never removed, only named."""
    if not proc.is_dir():
        return True
    root = toplevel.resolve()
    for process in proc.iterdir():
        if not process.name.isdigit():
            continue
        try:
            if (process / "comm").read_text().strip() != "git":
                continue
            cwd = (process / "cwd").resolve(strict=True)
        except OSError:
            continue  # ended meanwhile, or not ours to inspect
        if cwd.is_relative_to(root):
            return True
    return False


def clear_index_lock(lock: Path, toplevel: Path) -> None:
    """Remove the `index.lock` a killed git left in the repository at `toplevel`, with a warning; refuse,
    naming the file, one that may be live."""
    try:
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return
    held = git_running_in(toplevel)
    if not index_lock_is_stale(age, held):
        running = "a git process is running in the repository" if held else f"it is only {age:.0f} s old"
        raise PublishError(
            f"git's lock {lock} exists ({running}); another git process seems to be running in this repository: "
            f"wait for it to end; if none is (a git process may have crashed here earlier), remove {lock} and run "
            "again"
        )
    lock.unlink(missing_ok=True)
    log.warning(
        "removed %s, left by a git process that crashed: no git runs in %s and it is %.0f s old",
        lock,
        toplevel,
        age,
    )
