"""`digest` in a process forked from an interpreter that has imported it already (multiprocessing's forkserver,
its imports preloaded): a real process of its own, with its own pid, session, files and exit code, killed by
SIGKILL like any, that skips the second or so a fresh `python -m digest` spends importing the CLI and
Apprise's plugins. Its stdout and stderr go to files beside the test's archive.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import apprise.plugins

from digest.cli.main import COMMANDS, main
from digest.store.database import Store

__all__ = [
    "Forked",
    "arm",
    "die_after_a_subprocess",
    "die_after_renames",
    "die_after_steps",
    "die_after_summaries",
    "start_digest",
]

_PLUGINS = Path(apprise.plugins.__file__).parent
_SERVER = multiprocessing.get_context("forkserver")
_SERVER.set_forkserver_preload(
    [
        *(f"digest.cli.{module.partition(':')[0]}" for module in COMMANDS.values()),
        *(f"apprise.plugins.{path.stem}" for path in _PLUGINS.glob("[!_]*") if not path.stem.startswith("base")),
        "httpcore",  # httpx imports it when its first transport is made
        "openai",  # a summarising run's model client (tests/llm/test_crash.py forks three)
        __name__,
    ]
)


class Forked:
    """A started `digest` command, seen as a `subprocess.Popen` with its stdout and stderr in files."""

    def __init__(self, process: multiprocessing.process.BaseProcess, stderr: Path) -> None:
        self.process = process
        self.stderr_path = stderr

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    @property
    def returncode(self) -> int | None:
        return self.process.exitcode

    @property
    def stdout(self) -> str:
        return self.stderr_path.with_suffix(".stdout").read_text(encoding="utf-8")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8")

    def wait(self, timeout: float) -> int:
        self.process.join(timeout)
        if self.process.exitcode is None:
            raise TimeoutError(f"digest (pid {self.pid}) still runs after {timeout} s")
        return self.process.exitcode

    def kill(self) -> None:
        """SIGKILL it, unless it has ended already (then its pid may be another process's)."""
        self.process.kill()

    def stderr_lines(self) -> Iterator[str]:
        """Its stderr line by line as it is written, until the process ends."""
        with self.stderr_path.open(encoding="utf-8") as stream:
            line = ""
            while True:
                line += stream.readline()  # a line read while it is being written comes in parts
                if line.endswith("\n"):
                    yield line
                    line = ""
                elif not self.process.is_alive():
                    yield from (line + stream.read()).splitlines(keepends=True)
                    return
                else:
                    time.sleep(0.01)


def start_digest(
    args: Sequence[str],
    environment: Mapping[str, str],
    output: Path,
    arm: Callable[[], None] | None = None,
    cwd: Path | None = None,
) -> Forked:
    """`digest ARGS` in a session of its own with exactly `environment` (in `cwd` if given), writing
    `output.stdout` and `output.stderr`; `arm` runs first in the child (to make it kill itself at a chosen moment)."""
    stdout, stderr = output.with_suffix(".stdout"), output.with_suffix(".stderr")
    stdout.touch()
    stderr.touch()
    process = _SERVER.Process(target=_digest, args=(list(args), dict(environment), stdout, stderr, arm, cwd))
    process.start()
    return Forked(process, stderr)


def _digest(
    args: list[str],
    environment: dict[str, str],
    stdout: Path,
    stderr: Path,
    arm: Callable[[], None] | None,
    cwd: Path | None,
) -> None:
    os.setsid()  # its own session, as `start_new_session=True`: the git it starts is found by the session id
    os.environ.clear()
    os.environ.update(environment)
    if cwd is not None:
        os.chdir(cwd)
    for fd, path in ((1, stdout), (2, stderr)):
        os.dup2(os.open(path, os.O_WRONLY | os.O_APPEND), fd)
    sys.stdout = open(1, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
    if arm is not None:
        arm()
    main(args, prog_name="digest")


def die_after_steps(step: str, nth: int) -> None:
    """SIGKILL the process right after the journal records `step` (`begin` or a step done) the `nth` time."""
    recorded = 0

    def dies_after(method: Callable[..., None], name: str) -> Callable[..., None]:
        def recording(self: Store, *args: object, **kwargs: object) -> None:
            nonlocal recorded
            method(self, *args, **kwargs)
            if (args[2] if name == "mark_done" else "begin") == step:
                recorded += 1
                if recorded == nth:
                    os.kill(os.getpid(), signal.SIGKILL)

        return recording

    Store.begin_journal = dies_after(Store.begin_journal, "begin_journal")  # type: ignore[method-assign]
    Store.mark_done = dies_after(Store.mark_done, "mark_done")  # type: ignore[method-assign]


def die_after_summaries(count: int) -> None:
    """SIGKILL the process right after the store saves its `count`-th summary."""
    made = 0
    save_summary = Store.save_summary

    def dies_after(self: Store, *args: object, **kwargs: object) -> None:
        nonlocal made
        save_summary(self, *args, **kwargs)  # type: ignore[arg-type]
        made += 1
        if made == count:
            os.kill(os.getpid(), signal.SIGKILL)

    Store.save_summary = dies_after  # type: ignore[method-assign]


def die_after_renames(nth: int) -> None:
    """SIGKILL the process right after its `nth` rename (each atomic file write ends with one)."""
    renamed = 0

    def dies_after(rename: Callable[..., Any]) -> Callable[..., Any]:
        def counting(*args: Any, **kwargs: Any) -> Any:
            nonlocal renamed
            result = rename(*args, **kwargs)
            renamed += 1
            if renamed == nth:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return counting

    os.replace = dies_after(os.replace)
    Path.rename = dies_after(Path.rename)  # type: ignore[method-assign]


def die_after_a_subprocess() -> None:
    """SIGKILL the process as soon as the first program it runs (Pagefind, writing its bundle) has ended."""
    run = subprocess.run

    def dies_after(*args: Any, **kwargs: Any) -> Any:
        run(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    subprocess.run = dies_after


def arm(function: Callable[..., None], *args: object) -> Callable[[], None]:
    """`function(*args)` as a child's `arm`, which crosses to the forkserver by reference."""
    return functools.partial(function, *args)
