"""Crash safety while summarising: a real `digest run` killed with SIGKILL in the middle of its summaries,
then run again, ends as an uninterrupted run: the same files, commit tree, clean `git status`, messages.
The reference, the killed run and the one run again are real processes forked from an interpreter that has
imported `digest` already (`tests/support/forked.py`); `tests/cli/test_docs.py` checks that `python -m digest`
is the same program."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_crash_e2e import MONDAY, archive_in, server, wait_for_its_session
from tests.support.arxiv_server import ArxivServer
from tests.support.forked import arm, die_after_summaries
from tests.support.golden import golden_config_path
from tests.support.model_server import MODEL, ModelServer

__all__ = ["server"]  # the local arXiv, shared with the crash tests of backfill

RUN = ["run", "--date", MONDAY, "--commit"]
NOW = "2025-10-15T12:00:00+00:00"


@pytest.fixture(scope="module")
def model() -> Iterator[ModelServer]:
    with ModelServer() as running:
        yield running


def summarising_config(path: Path, model: ModelServer) -> Path:
    config = path / "digest.yaml"
    llm = f"llm:\n  base_url: {model.base_url}\n  model: {MODEL}\n  summaries: true\n  max_papers: 1000\n"
    config.write_text(golden_config_path(MONDAY).read_text(encoding="utf-8") + "\n" + llm, encoding="utf-8")
    return config


def test_a_run_killed_while_summarising_ends_as_an_uninterrupted_one_when_run_again(
    server: ArxivServer, model: ModelServer, tmp_path: Path
) -> None:
    (tmp_path / "reference").mkdir()
    (tmp_path / "killed").mkdir()
    with archive_in(server, tmp_path / "reference") as reference:
        config = summarising_config(tmp_path, model)
        done = reference.run(*RUN, now=NOW, config=config)
        assert done.returncode == 0, done.stderr
        expected = reference.outcome()
    assert len(model.prompts) > 2
    with archive_in(server, tmp_path / "killed") as archive:
        killed = archive.start(*RUN, now=NOW, armed=arm(die_after_summaries, 2), config=config)
        wait_for_its_session(killed)
        assert killed.returncode == -signal.SIGKILL, killed.stderr

        again = archive.run(*RUN, now=NOW, config=config)

        assert again.returncode == 0, again.stderr
        recovered = archive.outcome()
    assert recovered.files == expected.files
    assert recovered.tree == expected.tree
    assert recovered.status == expected.status == ""
    assert recovered.notified == expected.notified == {f"arXiv digest {MONDAY}"}
    assert recovered.check == expected.check
