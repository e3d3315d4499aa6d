"""`digest serve --once --push`: the scheduled job, end to end, into a real git repository; and `digest serve`
as a real process (forked with the CLI imported, `tests/support/forked.py`) that a SIGTERM stops."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from digest.cli.main import main
from tests.support.arxiv_server import ArxivServer
from tests.support.forked import start_digest
from tests.support.golden import golden_config_path
from tests.support.world import golden_world

MONDAY = "2025-10-13"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_serve_once_writes_commits_and_pushes_the_latest_batch(tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--bare", "-b", "main", str(remote))
    clone = tmp_path / "digests"
    git(tmp_path, "clone", str(remote), str(clone))
    git(clone, "config", "user.name", "Lab Bot")
    git(clone, "config", "user.email", "bot@lab.example")
    (clone / "notes.txt").write_text("unrelated work in progress\n")
    with ArxivServer(golden_world([MONDAY])) as server:
        server.current_mailing = date(2025, 10, 14)
        env = server.environment() | {
            "DIGEST_NOW": "2025-10-14T06:30:00+00:00",
            "DIGEST_OUTPUT_DIR": str(clone / "output"),
        }
        args = ["serve", "--once", "--push", "--config", str(golden_config_path(MONDAY))]
        result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    message = git(remote, "log", "-1", "--format=%s")
    assert message.startswith(f"digest {MONDAY}: LLM 216, MLLM 52,")
    pushed = git(remote, "show", "--name-only", "--format=", "HEAD").split()
    assert f"output/MLLM/{MONDAY}.md" in pushed
    assert "output/README.md" in pushed
    assert "notes.txt" not in pushed
    assert (clone / "notes.txt").read_text() == "unrelated work in progress\n"


def test_serve_started_after_a_missed_tick_runs_that_date_at_once_and_stops_on_sigterm(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY])) as server:
        server.current_mailing = date(2025, 10, 14)
        env = (
            os.environ
            | server.environment()
            | {
                "DIGEST_NOW": "2025-10-14T09:00:00+00:00",  # Monday's digest was due at 06:30 UTC
                "DIGEST_OUTPUT_DIR": str(tmp_path / "output"),
                "DIGEST_VERIFY_DAYS": "0",
            }
        )
        args = ["serve", "--config", str(golden_config_path(MONDAY))]
        child = start_digest(args, env, tmp_path / "serve", cwd=tmp_path)
        watchdog = threading.Timer(60, child.kill)  # a child that never logs the run ends the reads below
        watchdog.start()
        try:
            written = child.stderr_lines()
            lines = [next(written, "")]
            while lines[-1] and "run at 2025-10-14T09:00:00+00:00" not in lines[-1]:  # "": the child died
                lines.append(next(written, ""))
            lines.append(next(written, ""))  # the next run
            os.kill(child.pid, signal.SIGTERM)
            child.wait(timeout=60)
            rest = list(written)
        finally:
            watchdog.cancel()
            child.kill()
    messages = [line.split(": ", 1)[1].rstrip("\n") for line in lines + rest]
    assert child.returncode == 0
    assert messages[0] == (
        "--now/DIGEST_NOW pins the time the runs see to 2025-10-14T09:00:00+00:00 (a testing aid); "
        "the schedule follows the real clock"
    )
    assert "the digest of 2025-10-13 is missing: running it now" in messages
    assert any(message.startswith("run at 2025-10-14T09:00:00+00:00: 2025-10-13: ") for message in messages)
    assert messages[messages.index("the digest of 2025-10-13 is missing: running it now") + 2].startswith(
        "next run at "
    )
    assert messages[-1] == "scheduler stopped"
    assert (tmp_path / "output" / "MLLM" / f"{MONDAY}.md").exists()
