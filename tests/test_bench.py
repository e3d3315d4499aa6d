"""The benchmark script runs end to end at a tiny size and prints every scenario's row."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = [
    "latest batch, 1 topic",
    "latest batch, 8 topics",
    "backfill 1 day (OAI)",
    "backfill 2 days (OAI)",
    "backfill 3 days (OAI)",
    "backfill 2 days (--source api)",
    "re-render 3 days offline",
    "render 12 golden days, all topics",
]


def test_the_tiny_benchmark_prints_every_scenario_and_no_request_offline() -> None:
    completed = subprocess.run(
        [sys.executable, "bench/run.py", "--scale", "tiny"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    rows = {
        cells[0]: cells[1:]
        for line in completed.stdout.splitlines()[2:]
        if (cells := [cell.strip() for cell in line.strip("|").split("|")])
    }
    assert list(rows) == SCENARIOS
    assert rows["re-render 3 days offline"][0] == "0"
