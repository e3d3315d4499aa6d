"""Crash safety: a `digest` process killed with SIGKILL at any moment, then run again with the same command,
ends exactly as a run that was never interrupted: the same files byte for byte, the same commit tree and
`git status`, every date notified, `status --check` ok.

The reference, the killed command and the one run again are real processes forked from an interpreter that
has imported `digest` already (`tests/support/forked.py`), which saves each of them the start-up
(`tests/cli/test_docs.py` checks that `python -m digest` is the same program). The stop points are the
journal's step boundaries (the child wraps `Store.begin_journal` and `Store.mark_done` to SIGKILL itself
right after the n-th time a step is recorded) and seeded random moments.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from tests.support.arxiv_server import ArxivServer
from tests.support.forked import Forked, arm, die_after_steps, start_digest
from tests.support.golden import golden_config_path
from tests.support.receiver import Receiver
from tests.support.world import synthetic_world

ROOT = Path(__file__).parent.parent.parent
MONDAY, TUESDAY = "2025-10-13", "2025-10-14"
AFTER_TUESDAY = "2025-10-15T12:00:00+00:00"  # Tuesday's digests are due by 07:30 UTC: status --check wants them
BACKFILL = ["backfill", "--from", MONDAY, "--to", TUESDAY, "--commit", "--notify"]


@dataclass(frozen=True)
class Outcome:
    """What a command leaves behind, everything an uninterrupted run and a recovered one must share."""

    files: dict[str, bytes]
    tree: str
    status: str
    notified: set[str]
    check: int
    seconds: float = 0.0
    """How long the command worked once its plan was printed: the span a random kill is drawn from."""


@dataclass
class Archive:
    """An archive repository served by the local arXiv and a notification receiver."""

    path: Path
    environment: dict[str, str]
    receiver: Receiver
    started: int = 0

    def start(
        self, *args: str, now: str = AFTER_TUESDAY, armed: Callable[[], None] | None = None, config: Path | None = None
    ) -> Forked:
        """The command in a session of its own: once it is killed, the git it started may still finish."""
        self.started += 1
        arguments = [*args, "--config", str(config or golden_config_path(MONDAY))]
        output = self.path.parent / f"digest-{self.started}"
        return start_digest(arguments, self.environment | {"DIGEST_NOW": now}, output, armed)

    def run(self, *args: str, now: str = AFTER_TUESDAY, config: Path | None = None) -> Forked:
        done = self.start(*args, now=now, config=config)
        done.wait(timeout=120)
        return done

    def outcome(self) -> Outcome:
        files = {
            str(path.relative_to(self.path)): path.read_bytes()
            for path in sorted(self.path.rglob("*"))
            if path.is_file() and ".git" not in path.relative_to(self.path).parts
        }
        environment = self.environment | {"DIGEST_NOW": AFTER_TUESDAY}
        config = ["--config", str(golden_config_path(MONDAY))]
        check = CliRunner().invoke(main, ["status", "--check", *config], env=environment)
        return Outcome(
            files=files,
            tree=git(self.path, "rev-parse", "HEAD^{tree}"),
            status=git(self.path, "status", "--porcelain", "--untracked-files=all"),
            notified={message["title"] for message in self.receiver.messages},
            check=check.exit_code,
        )


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def server() -> Iterator[ArxivServer]:
    with ArxivServer(synthetic_world(date(2025, 10, 13), 2, per_day=60)) as running:
        running.current_mailing = date(2025, 10, 15)
        yield running


@contextmanager
def archive_in(server: ArxivServer, tmp_path: Path) -> Iterator[Archive]:
    """A fresh archive repository (one empty commit) and store in `tmp_path`, with its receiver running."""
    path = tmp_path / "archive"
    path.mkdir()
    empty = tmp_path / "empty.gitconfig"
    empty.touch()
    environment = {
        **os.environ,
        **server.environment(),
        "DIGEST_OUTPUT_DIR": str(path),
        "DIGEST_CACHE_DIR": str(tmp_path / "cache"),
        # Archives are compared byte for byte: feed ids from one public address, not each archive's own UUID.
        "DIGEST_FEED_URL": "https://example.org/archive",
        "GIT_CONFIG_GLOBAL": str(empty),
        "GIT_CONFIG_NOSYSTEM": "1",
        "PYTHONPATH": str(ROOT),
    }
    git(path, "init", "--quiet", "--initial-branch=main")
    git(path, "-c", "user.name=Seed", "-c", "user.email=s@example.org", "commit", "--quiet", "--allow-empty", "-m", "0")
    with Receiver() as receiver:
        yield Archive(path, environment | {"DIGEST_NOTIFY": receiver.url()}, receiver)


@pytest.fixture
def archive(server: ArxivServer, tmp_path: Path) -> Iterator[Archive]:
    with archive_in(server, tmp_path) as made:
        yield made


@pytest.fixture(scope="module")
def uninterrupted(server: ArxivServer, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    """The reference: the backfill run once, never interrupted."""
    with archive_in(server, tmp_path_factory.mktemp("reference")) as reference:
        child = reference.start(*BACKFILL)
        planned = wait_for_the_plan(child.stderr_lines())
        child.wait(timeout=120)
        seconds = time.monotonic() - planned
        assert child.returncode == 0, child.stderr
        return replace(reference.outcome(), seconds=seconds)


def wait_for_the_plan(stderr: Iterable[str]) -> float:
    """Read the backfill's stderr up to its plan (its start-up is over, its work begins); return when."""
    for line in stderr:
        if line.startswith("Backfill plan: "):
            return time.monotonic()
    raise AssertionError("the backfill printed no plan")


def wait_for_its_session(child: Forked) -> None:
    """Wait until no process of the killed command's session is left (a git it started ends its command)."""
    child.wait(timeout=60)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        session = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getsid(int(entry.name)) == child.pid:
                        session.append(entry.name)
                except OSError:
                    continue
        if not session:
            return
        time.sleep(0.05)
    raise AssertionError(f"the killed command's processes {session} did not end")


def killed_after(step_boundary: str) -> Callable[[], None]:
    """What makes the child SIGKILL itself at `step_boundary` (`write:2`: right after the second write)."""
    step, nth = step_boundary.split(":")
    return arm(die_after_steps, step, int(nth))


def assert_like_uninterrupted(archive: Archive, reference: Outcome) -> None:
    recovered = archive.outcome()
    assert recovered.files == reference.files
    assert recovered.tree == reference.tree
    assert recovered.status == reference.status == ""
    assert recovered.notified == reference.notified == {f"arXiv digest {MONDAY}", f"arXiv digest {TUESDAY}"}
    assert recovered.check == reference.check == 0


STEP_BOUNDARIES = ["begin:1", "write:1", "begin:2", "write:2", "indexes:1", "commit:1", "notify:1"]
"""Right after each step the journal records: `begin:2` is the second date entering it."""


@pytest.mark.parametrize("kill_after", STEP_BOUNDARIES)
def test_a_backfill_killed_at_a_step_boundary_ends_as_an_uninterrupted_one_when_run_again(
    archive: Archive, uninterrupted: Outcome, kill_after: str
) -> None:
    killed = archive.start(*BACKFILL, armed=killed_after(kill_after))
    wait_for_its_session(killed)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    again = archive.run(*BACKFILL)

    assert again.returncode == 0, again.stderr
    assert_like_uninterrupted(archive, uninterrupted)


def test_a_backfill_killed_after_its_digests_fails_the_health_check_and_says_what_it_finishes(
    archive: Archive,
) -> None:
    wait_for_its_session(archive.start(*BACKFILL, armed=killed_after("write:2")))
    check = CliRunner().invoke(
        main,
        ["status", "--check", "--config", str(golden_config_path(MONDAY))],
        env=archive.environment | {"DIGEST_NOW": AFTER_TUESDAY},
    )
    assert check.exit_code == 1
    assert check.stderr == (
        f"Error: dates left unfinished by an interrupted run: {MONDAY} (indexes, commit, notify), {TUESDAY} "
        "(indexes, commit, notify); the next `digest run` or `digest backfill` finishes them\n"
    )

    again = archive.run(*BACKFILL)

    assert f"Finishing {MONDAY} left unfinished by an earlier run: indexes, commit, notify" in again.stderr
    assert f"Finishing {TUESDAY} left unfinished by an earlier run: indexes, commit, notify" in again.stderr
    assert "Backfill plan: nothing to write (2 dates written already; --force rewrites)" in again.stderr


@pytest.mark.parametrize("seed", [3, 6, 7, 8])
def test_a_backfill_killed_at_a_random_moment_ends_as_an_uninterrupted_one_when_run_again(
    archive: Archive, uninterrupted: Outcome, seed: int
) -> None:
    killed = archive.start(*BACKFILL)
    wait_for_the_plan(killed.stderr_lines())
    time.sleep(random.Random(seed).uniform(0, uninterrupted.seconds))
    killed.kill()
    wait_for_its_session(killed)

    again = archive.run(*BACKFILL)

    assert again.returncode == 0, again.stderr
    assert_like_uninterrupted(archive, uninterrupted)


def test_a_run_killed_before_its_commit_is_committed_and_notified_by_the_next_day_s_run(archive: Archive) -> None:
    killed = archive.start("run", "--date", MONDAY, "--commit", armed=killed_after("indexes:1"))
    wait_for_its_session(killed)
    assert git(archive.path, "status", "--porcelain") != ""

    next_day = archive.run("run", "--commit", now="2025-10-15T15:00:00+00:00")

    assert next_day.returncode == 0, next_day.stderr
    assert f"Finishing {MONDAY} left unfinished by an earlier run: commit, notify" in next_day.stderr
    assert git(archive.path, "status", "--porcelain") == ""
    committed = git(archive.path, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert f"MLLM/{MONDAY}.md" in committed and f"MLLM/{TUESDAY}.md" in committed
    notified = [message["title"] for message in archive.receiver.messages]
    assert notified == [f"arXiv digest {MONDAY}", f"arXiv digest {TUESDAY}"]
