"""Options that reach a command as one value: --offline and --refresh are one choice, not two flags."""

from __future__ import annotations

from click.testing import CliRunner

from digest.cli.main import main
from tests.support.golden import golden_config_path


def test_offline_and_refresh_together_are_an_input_error() -> None:
    args = ["run", "--offline", "--refresh", "--config", str(golden_config_path("2025-10-13"))]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.stderr == "Error: --offline uses only the store and --refresh never reads it: give one of them\n"
