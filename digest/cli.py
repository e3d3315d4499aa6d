"""The `digest` command: parse, call the library, report. Errors become one `Error: …` line and an exit code."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from digest.config import Config, load_config, resolve_config_path
from digest.errors import DigestError
from digest.logs import LogFormat, configure_logging
from digest.models import load_papers
from digest.pipeline import chosen_topics, write_day

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])


class IsoDate(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """A real calendar date written YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a real date written YYYY-MM-DD", param, ctx)


DATE = IsoDate()


def config_options(command: F) -> F:
    """`--config` and `--output`, which every command takes."""
    command = click.option(
        "--output",
        "output_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Output directory (default: settings.output_dir, or DIGEST_OUTPUT_DIR).",
    )(command)
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Configuration file (default: DIGEST_CONFIG, or config/digest.yaml).",
    )(command)


def reports_errors(command: F) -> F:
    """Turn the library's DigestError into `Error: …` on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DigestError as err:
            click.echo(f"Error: {err}", err=True)
            sys.exit(err.exit_code)

    return wrapper  # type: ignore[return-value]


def configured(config_path: Path | None, output_dir: Path | None) -> Config:
    """Load the configuration, with `--output` over the settings."""
    config = load_config(config_path, os.environ)
    if output_dir is None:
        return config
    return config.model_copy(update={"settings": config.settings.model_copy(update={"output_dir": output_dir})})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="arxiv-digest")
@click.option("-v", "--verbose", count=True, help="More log lines (repeatable).")
@click.option("-q", "--quiet", count=True, help="Warnings and errors only.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    envvar="DIGEST_LOG_FORMAT",
    default="text",
    show_default=True,
    help="JSON lines suit containers and log collectors.",
)
def main(verbose: int, quiet: int, log_format: LogFormat) -> None:
    """Daily markdown digests of new arXiv papers, one per topic."""
    configure_logging(verbose - quiet, log_format)


@main.command()
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Paper records, one JSON object a line.",
)
@click.option("--date", "day", required=True, type=DATE, help="The digest date.")
@click.option("--topic", "topics", multiple=True, help="Only this topic (repeatable).")
@config_options
@reports_errors
def render(
    input_path: Path, day: date, topics: tuple[str, ...], config_path: Path | None, output_dir: Path | None
) -> None:
    """Write the digests of DATE from a records file, with no network.

    Example: digest render --input batch.jsonl --date 2025-10-04 --topic MLLM
    """
    config = configured(config_path, output_dir)
    chosen = chosen_topics(config, topics)
    papers = load_papers(input_path)
    result = write_day(config, day, papers, chosen)
    click.echo(f"{result.summary()} -> {config.settings.output_dir}")


@main.command("check-config")
@config_options
@reports_errors
def check_config(config_path: Path | None, output_dir: Path | None) -> None:
    """Validate the configuration and print it with every setting resolved.

    Example: DIGEST_REQUEST_INTERVAL=5 digest check-config --config config/digest.yaml
    """
    config = configured(config_path, output_dir)
    click.echo(f"# {resolve_config_path(config_path, os.environ)}: valid")
    click.echo(yaml.safe_dump(config.model_dump(mode="json"), sort_keys=False, allow_unicode=True), nl=False)
