"""Every command has help with an example, and the README documents it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from digest.cli.main import main

README = (Path(__file__).parent.parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = main.list_commands(click.Context(main))


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"digest {name}" in README


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_takes_config_and_output(name: str) -> None:
    command = main.get_command(click.Context(main), name)
    assert command is not None
    options = {option for param in command.params if isinstance(param, click.Option) for option in param.opts}
    assert {"--config", "--output"} <= options


def test_python_m_digest_is_the_same_program() -> None:
    result = subprocess.run([sys.executable, "-m", "digest", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "Daily markdown digests of new arXiv papers" in result.stdout


def test_the_readme_says_how_to_turn_on_shell_completion() -> None:
    assert 'eval "$(_DIGEST_COMPLETE=bash_source digest)"' in README


def test_shell_completion_works_as_the_readme_says() -> None:
    result = CliRunner().invoke(main, [], env={"_DIGEST_COMPLETE": "bash_source"}, prog_name="digest")
    assert "_digest_completion" in result.output
