"""The benchmark's harness, in process and at a tiny size: a scenario measures the real pipeline and counts its
requests against the fewest that can return the data, and the table prints each row. The full benchmark is
`python bench/run.py`; its figures are never asserted here.
"""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import pytest

from bench.run import (
    EIGHT_TOPICS,
    FIRST_ANNOUNCEMENT,
    ID_LIST_CHUNK,
    ONE_TOPIC,
    CountingServer,
    Row,
    child,
    kept_ids,
    noon_of_mailing,
    table,
)
from digest.core.calendar import announcement_days, load_holidays
from digest.core.config_file import load_config
from tests.support.golden import DAYS
from tests.support.world import synthetic_world


def test_a_scenario_makes_the_fewest_requests_and_reports_its_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = announcement_days(FIRST_ANNOUNCEMENT, FIRST_ANNOUNCEMENT + timedelta(days=7), load_holidays())[0]
    with CountingServer(synthetic_world(FIRST_ANNOUNCEMENT, 1, per_day=50)) as server:
        environment = server.environment() | {"DIGEST_OUTPUT_DIR": str(tmp_path / "output")}
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        measured = child({"kind": "latest", "config": str(ONE_TOPIC), "now": noon_of_mailing(first).isoformat()})
        store = tmp_path / "cache" / "digest.sqlite3"
        kept = kept_ids(load_config(ONE_TOPIC, environment), store, [first])
        assert measured["requests"] == 1 + math.ceil(len(kept) / ID_LIST_CHUNK)
        assert measured["cpu"] > 0 and measured["rss_mb"] > 0


def test_the_golden_scenario_renders_every_golden_day_with_no_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_OUTPUT_DIR", str(tmp_path / "output"))
    assert child({"kind": "golden"})["requests"] == 0
    assert {path.stem for path in (tmp_path / "output").glob("MLLM/*.md")} >= set(DAYS)
    assert len(load_config(EIGHT_TOPICS, {}).topic) == 8


def test_the_table_prints_a_row_per_scenario_with_its_ratio_and_time_at_three_seconds() -> None:
    rows = [Row("latest batch, 1 topic", 3, 3, 1.4, 1.28, 78.4), Row("re-render 3 days offline", 0, 0, 2.6, 2.4, 70)]
    assert table(rows).splitlines() == [
        "| scenario | requests | limit | ratio | wall s | wall s at 3 s/request | CPU s | peak RSS MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        "| latest batch, 1 topic | 3 | 3 | 1.00 | 1.40 | 10.4 | 1.28 | 78 |",
        "| re-render 3 days offline | 0 | 0 | — | 2.60 | 2.6 | 2.40 | 70 |",
    ]
