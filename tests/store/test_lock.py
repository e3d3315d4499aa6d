"""The output lock: a second run waits, then fails clearly; once released, the next run gets in."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import synchronize
from pathlib import Path

import pytest

from digest.core.errors import LockError
from digest.store.lock import lock_held, lock_path, output_lock

LOCK = "digest.store.lock"


def hold_lock_until_told(output_dir: Path, locked: threading.Event, release: threading.Event) -> None:
    with output_lock(output_dir / LOCK, timeout=5):
        locked.set()
        release.wait(timeout=30)


def hold_lock_in_process(output_dir: str, locked: synchronize.Event, release: synchronize.Event) -> None:
    with output_lock(Path(output_dir) / LOCK, timeout=5):
        locked.set()
        release.wait(timeout=30)


def test_a_second_run_waits_then_fails_naming_the_lock(tmp_path: Path) -> None:
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_lock_until_told, args=(tmp_path, locked, release))
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with (
            pytest.raises(LockError, match=r"^another digest run holds ") as raised,
            output_lock(tmp_path / LOCK, timeout=0.05),
        ):
            pass
    finally:
        release.set()
        holder.join()

    assert str(raised.value) == f"another digest run holds {tmp_path / LOCK}; waited 0.05 s"
    assert raised.value.exit_code == 1


def test_waiting_for_the_lock_is_said_once_with_the_limit(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_lock_until_told, args=(tmp_path, locked, release))
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with pytest.raises(LockError), output_lock(tmp_path / LOCK, timeout=0.2):
            pass
    finally:
        release.set()
        holder.join()

    assert [record.getMessage() for record in caplog.records if record.levelname == "WARNING"] == [
        f"another digest run holds {tmp_path / LOCK}; waiting up to 0.2 s for it to finish"
    ]


@contextmanager
def held_by_another_process(tmp_path: Path) -> Iterator[multiprocessing.process.BaseProcess]:
    """The lock taken by a separate process for the block's duration; released and joined after it."""
    context = multiprocessing.get_context("spawn")
    locked, release = context.Event(), context.Event()
    holder = context.Process(target=hold_lock_in_process, args=(str(tmp_path), locked, release))
    holder.start()
    try:
        assert locked.wait(timeout=30)
        yield holder
    finally:
        release.set()
        holder.join(timeout=30)


def test_a_second_process_is_kept_out_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    with (
        held_by_another_process(tmp_path) as holder,
        pytest.raises(LockError, match=r"^another digest run holds "),
        output_lock(tmp_path / LOCK, timeout=0.05),
    ):
        pass

    assert holder.exitcode == 0


def test_the_lock_is_free_again_after_release(tmp_path: Path) -> None:
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_lock_until_told, args=(tmp_path, locked, release))
    holder.start()
    assert locked.wait(timeout=10)
    release.set()
    holder.join()

    with output_lock(tmp_path / LOCK, timeout=0.05) as path:
        assert path == tmp_path / LOCK


def test_a_waiting_run_gets_the_lock_when_the_holder_finishes_in_time(tmp_path: Path) -> None:
    locked, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_lock_until_told, args=(tmp_path, locked, release))
    holder.start()
    assert locked.wait(timeout=10)
    threading.Timer(0.05, release.set).start()

    with output_lock(tmp_path / LOCK, timeout=30):
        assert release.is_set()
    holder.join()


def test_the_lock_s_directory_is_created(tmp_path: Path) -> None:
    with output_lock(tmp_path / "new" / LOCK, timeout=0) as path:
        assert path.parent.is_dir()


def test_the_lock_lives_beside_the_store_never_in_the_output_directory(tmp_path: Path) -> None:
    path = lock_path(tmp_path / "cache", tmp_path / "output")
    assert path.parent == tmp_path / "cache" / "locks"
    assert path == lock_path(tmp_path / "cache", tmp_path / "elsewhere" / ".." / "output")
    assert path != lock_path(tmp_path / "cache", tmp_path / "other")


def test_a_lock_another_process_holds_is_seen_as_held_and_then_as_free(tmp_path: Path) -> None:
    with held_by_another_process(tmp_path):
        assert lock_held(tmp_path / LOCK)
    assert not lock_held(tmp_path / LOCK)
