"""Crash safety while summarising: a real `digest run` killed with SIGKILL in the middle of its summaries,
then run again, ends as an uninterrupted run: the same files, commit tree, clean `git status`, messages."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_crash_e2e import MONDAY, Archive, archive_in, server, wait_for_its_session
from tests.support.arxiv_server import ArxivServer
from tests.support.golden import golden_config_path
from tests.support.model_server import MODEL, ModelServer

__all__ = ["server"]  # the local arXiv, shared with the crash tests of backfill

KILLED_WHILE_SUMMARISING = """
import os, signal, sys
from digest.cli.main import main
from digest.store.database import Store

made = 0
save_summary = Store.save_summary


def dies_after_two(self, *args, **kwargs):
    global made
    save_summary(self, *args, **kwargs)
    made += 1
    if made == 2:
        os.kill(os.getpid(), signal.SIGKILL)


Store.save_summary = dies_after_two
main(sys.argv[1:], prog_name="digest")
"""
RUN = ["run", "--date", MONDAY, "--commit"]


@pytest.fixture(scope="module")
def model() -> Iterator[ModelServer]:
    with ModelServer() as running:
        yield running


def summarising_config(path: Path, model: ModelServer) -> Path:
    config = path / "digest.yaml"
    llm = f"llm:\n  base_url: {model.base_url}\n  model: {MODEL}\n  summaries: true\n  max_papers: 1000\n"
    config.write_text(golden_config_path(MONDAY).read_text(encoding="utf-8") + "\n" + llm, encoding="utf-8")
    return config


def command(config: Path, *, killed: bool = False) -> list[str]:
    start = ["-c", KILLED_WHILE_SUMMARISING] if killed else ["-m", "digest"]
    return [sys.executable, *start, *RUN, "--config", str(config)]


def run(archive: Archive, config: Path) -> subprocess.CompletedProcess[str]:
    environment = archive.environment | {"DIGEST_NOW": "2025-10-15T12:00:00+00:00"}
    return subprocess.run(command(config), env=environment, capture_output=True, text=True, timeout=120)


def test_a_run_killed_while_summarising_ends_as_an_uninterrupted_one_when_run_again(
    server: ArxivServer, model: ModelServer, tmp_path: Path
) -> None:
    (tmp_path / "reference").mkdir()
    (tmp_path / "killed").mkdir()
    with archive_in(server, tmp_path / "reference") as reference:
        config = summarising_config(tmp_path, model)
        done = run(reference, config)
        assert done.returncode == 0, done.stderr
        expected = reference.outcome()
    assert len(model.prompts) > 2
    with archive_in(server, tmp_path / "killed") as archive:
        environment = archive.environment | {"DIGEST_NOW": "2025-10-15T12:00:00+00:00"}
        killed = subprocess.Popen(
            command(config, killed=True), env=environment, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        wait_for_its_session(killed)
        assert killed.returncode == -signal.SIGKILL, killed.stderr

        again = run(archive, config)

        assert again.returncode == 0, again.stderr
        recovered = archive.outcome()
    assert recovered.files == expected.files
    assert recovered.tree == expected.tree
    assert recovered.status == expected.status == ""
    assert recovered.notified == expected.notified == {f"arXiv digest {MONDAY}"}
    assert recovered.check == expected.check
