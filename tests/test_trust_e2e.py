"""Never silently wrong: every way a run could exit 0 with a wrong digest is one `Error:` line, a non-zero exit,
nothing written and nothing stored. Each test runs the CLI against the local arXiv and compares the output tree
byte for byte before and after.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli import main
from tests.arxiv_server import ArxivServer
from tests.golden import golden_config_path
from tests.world import golden_world

MONDAY = "2025-10-13"
TUESDAY_MORNING = "2025-10-14T15:00:00+00:00"  # 11:00 in New York: Monday's batch is the latest


@pytest.fixture
def server() -> Iterator[ArxivServer]:
    with ArxivServer(golden_world([MONDAY])) as running:
        running.current_mailing = date(2025, 10, 14)
        yield running


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """An output directory holding an earlier digest that no failure may touch."""
    earlier = tmp_path / "output" / "MLLM" / "2025-10-09.md"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("an earlier digest\n")
    return tmp_path / "output"


def digest(server: ArxivServer, output: Path, *args: str, now: str = TUESDAY_MORNING, **env: str) -> Result:
    environment = server.environment() | {"DIGEST_NOW": now, "DIGEST_OUTPUT_DIR": str(output)} | env
    return CliRunner().invoke(main, [*args, "--config", str(golden_config_path(MONDAY))], env=environment)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def stored_batches(tmp_path: Path) -> list[str]:
    path = tmp_path / "cache" / "digest.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT announcement FROM batches ORDER BY announcement")]


def assert_refused(result: Result, exit_code: int, line: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert result.output.splitlines()[-1] == line


# 1. A date whose announcement has not happened yet


@pytest.mark.parametrize(
    ("day", "when"),
    [("2025-12-01", "Monday 2025-12-01"), ("2025-10-14", "Tuesday 2025-10-14"), ("2025-10-17", "Thursday 2025-10-16")],
)
def test_a_date_not_announced_yet_is_refused_before_any_request(
    server: ArxivServer, output: Path, tmp_path: Path, day: str, when: str
) -> None:
    before = tree(output)
    result = digest(server, output, "run", "--date", day)
    assert_refused(
        result,
        2,
        f"Error: {day}: arXiv has not announced the batch for {day} yet "
        f"(it is announced at 20:00 US Eastern on {when})",
    )
    assert tree(output) == before
    assert server.requests == []
    assert stored_batches(tmp_path) == []


def test_a_backfill_to_a_date_not_announced_yet_is_refused_by_the_same_rule(server: ArxivServer, output: Path) -> None:
    before = tree(output)
    result = digest(server, output, "backfill", "--from", MONDAY, "--to", "2025-10-14")
    assert_refused(
        result,
        2,
        "Error: --to 2025-10-14 is in the future: arXiv has not announced the batch for 2025-10-14 yet "
        "(it is announced at 20:00 US Eastern on Tuesday 2025-10-14)",
    )
    assert tree(output) == before
    assert server.requests == []
