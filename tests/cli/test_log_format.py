"""`settings.log_format` decides the log format; `--log-format` and DIGEST_LOG_FORMAT win over it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli.main import main

MISSING = "Error: the store holds no batch for 2025-10-13; run `digest run --date 2025-10-13` without --offline first"


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def config_file(tmp_path: Path, log_format: str) -> Path:
    path = tmp_path / "digest.yaml"
    path.write_text(
        "category: {cs.CV: Computer Vision}\n"
        "topic: {MLLM: {keywords: [multimodal]}}\n"
        f"settings: {{log_format: {log_format}, output_dir: {tmp_path / 'output'}}}\n",
        encoding="utf-8",
    )
    return path


def explain(config: Path, *before: str, env: dict[str, str] | None = None) -> Result:
    """A command that fails with an `Error:` line: the store holds no batch."""
    args = [*before, "explain", "--date", "2025-10-13", "--topic", "MLLM", "--config", str(config)]
    return CliRunner().invoke(main, args, env=env)


def test_log_format_json_in_the_settings_makes_the_error_line_a_json_record(tmp_path: Path) -> None:
    result = explain(config_file(tmp_path, "json"))
    assert result.exit_code == 2
    record = json.loads(result.stderr.splitlines()[-1])
    assert (record["level"], record["message"]) == ("ERROR", MISSING)


def test_log_format_text_in_the_settings_keeps_plain_lines(tmp_path: Path) -> None:
    result = explain(config_file(tmp_path, "text"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == MISSING


def test_the_log_format_option_wins_over_the_setting(tmp_path: Path) -> None:
    result = explain(config_file(tmp_path, "json"), "--log-format", "text")
    assert result.stderr.splitlines()[-1] == MISSING


def test_the_environment_wins_over_the_setting(tmp_path: Path) -> None:
    result = explain(config_file(tmp_path, "json"), env={"DIGEST_LOG_FORMAT": "text"})
    assert result.stderr.splitlines()[-1] == MISSING


def test_an_unknown_log_format_in_the_settings_is_a_config_error(tmp_path: Path) -> None:
    result = explain(config_file(tmp_path, "yaml"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(f"Error: {tmp_path / 'digest.yaml'}: settings.log_format: ")
