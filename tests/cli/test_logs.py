"""Logging setup: JSON lines for containers (the summary and `Error:` lines too), levels from --verbose/--quiet;
backfill lines above the bars on a terminal."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from tqdm import tqdm

from digest.cli.logs import configure_logging
from digest.cli.main import main
from digest.cli.progress import BackfillProgress
from tests.support.golden import golden_config_path


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in ("", "apscheduler", "httpx", "httpcore", "arxiv", "filelock")]
    levels = [logger.level for logger in loggers]
    handlers = list(loggers[0].handlers)
    yield
    loggers[0].handlers[:] = handlers
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_json_format_writes_one_object_per_record() -> None:
    stream = io.StringIO()
    configure_logging(0, "json", stream=stream)

    logging.getLogger("digest.outputs.publish").info("committed %s", "1a2b3c")

    entry = json.loads(stream.getvalue())
    assert set(entry) == {"time", "level", "logger", "message"}
    assert (entry["level"], entry["logger"], entry["message"]) == ("INFO", "digest.outputs.publish", "committed 1a2b3c")


def test_quiet_keeps_warnings_and_drops_info() -> None:
    stream = io.StringIO()
    configure_logging(-1, "text", stream=stream)

    logging.getLogger("digest").info("routine")
    logging.getLogger("digest").warning("push refused")

    assert "routine" not in stream.getvalue()
    assert "WARNING digest: push refused" in stream.getvalue()


def test_library_request_lines_show_only_when_verbose() -> None:
    stream = io.StringIO()
    configure_logging(0, "text", stream=stream)
    logging.getLogger("httpx").info("HTTP Request: GET")
    configure_logging(1, "text", stream=stream)
    logging.getLogger("httpx").info("HTTP Request: HEAD")

    assert "GET" not in stream.getvalue()
    assert "HEAD" in stream.getvalue()


def json_records(text: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in text.splitlines()]


def test_json_logs_carry_the_summary_and_the_error_lines_too(tmp_path: Path) -> None:
    args = ["--log-format", "json", "backfill", "--from", "2025-08-14", "--to", "2025-08-14", "--offline"]
    result = CliRunner().invoke(main, [*args, "--config", str(golden_config_path("2025-10-13"))])
    assert result.exit_code == 1
    assert result.stdout == ""
    records = [(record["level"], record["message"]) for record in json_records(result.stderr)]
    assert (
        "ERROR",
        "Error: 2025-08-14: the store holds no batch for 2025-08-14; "
        "run `digest run --date 2025-08-14` without --offline first",
    ) in records
    assert records[-1] == ("INFO", "0 dates written, 0 skipped, 1 failed; 0 requests")


def test_json_logs_carry_a_commands_error_line(tmp_path: Path) -> None:
    args = ["--log-format", "json", "check-config", "--config", str(tmp_path / "missing.yaml")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    ((level, message),) = [(record["level"], record["message"]) for record in json_records(result.stderr)]
    assert (level, message.split(": ", 1)[0]) == ("ERROR", "Error")


def test_on_a_terminal_each_dates_line_is_written_above_the_bars(capsys: pytest.CaptureFixture[str]) -> None:
    bar = tqdm(total=2, file=io.StringIO())
    progress = BackfillProgress(bar, terminal=True)
    progress.on_date(date(2025, 10, 13), "2025-10-13: MLLM 52", failed=False)
    progress.on_date(date(2025, 10, 14), "arXiv is down", failed=True)
    captured = capsys.readouterr()
    assert captured.out == "2025-10-13: MLLM 52\n2025-10-14: failed: arXiv is down\n"
    assert captured.err == "Error: 2025-10-14: arXiv is down\n"
    assert bar.n == 2
