"""The command line's shared parts: value types (dates, times, directories), the options every command takes,
loading the configuration, and turning a DigestError into one `Error:` line and its exit code.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from digest.cli.logs import LogFormat, configure_logging
from digest.core.config import Config, output_dir_problem
from digest.core.config_file import load_config
from digest.core.errors import ConfigError, DigestError, InputError
from digest.core.intents import StoredSpan
from digest.core.models import normalise_id
from digest.core.plan import Plan, make_plan
from digest.core.redact import redact
from digest.core.targets import remember_targets

__all__ = [
    "DATE",
    "ConfigChoice",
    "Iso",
    "ManyValues",
    "arxiv_ids",
    "clock_option",
    "config_options",
    "configured",
    "reports_errors",
    "say",
    "span_options",
]

F = TypeVar("F", bound=Callable[..., Any])


class Iso(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """A value written in ISO 8601, parsed by `parse`, which raises ValueError with the reason."""

    def __init__(self, name: str, parse: Callable[[str], date]) -> None:
        self.name = name
        self._parse = parse

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return self._parse(value)
        except ValueError as err:
            self.fail(f"{value!r} {err}", param, ctx)


def _calendar_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("is not a real date written YYYY-MM-DD") from None


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError("has no UTC offset")
    return moment


DATE = Iso("YYYY-MM-DD", _calendar_date)


def arxiv_ids(texts: tuple[str, ...]) -> list[str]:
    """The versionless ids of option values (several a value, split at commas and spaces)."""
    ids = []
    for text in (part for value in texts for part in value.replace(",", " ").split()):
        paper_id = normalise_id(text)
        if paper_id is None:
            raise InputError(f"{text!r} is not an arXiv id (such as 2510.01234)")
        ids.append(paper_id)
    return ids


class ManyValues(click.Command):
    """A command whose `greedy` options take every value up to the next option: `--yes A B --no C`.

    click gives an option one value; the arguments are rewritten to `--yes A --yes B --no C` first.
    """

    def __init__(self, *args: Any, greedy: Collection[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.greedy = frozenset(greedy)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, spread_values(args, self.greedy))


def spread_values(args: Sequence[str], greedy: Collection[str]) -> list[str]:
    """`--yes A B` as `--yes A --yes B` for the options in `greedy`; every other argument as it is. A greedy
    option with no value is refused: click would take the next option's name for its value."""
    spread: list[str] = []
    option, first = None, False
    for arg in [*args, "--"]:
        if arg.startswith("-"):
            if option is not None and first:
                raise click.BadOptionUsage(option, f"Option '{option}' needs at least one value.")
            option, first = (arg, True) if arg in greedy else (None, False)
        elif option is not None:
            if not first:
                spread.append(option)
            first = False
        spread.append(arg)
    return spread[:-1]


def clock_option(command: F) -> F:
    """A hidden `--now`: the time a run believes it is, so tests and replays pin "the latest batch"."""
    return click.option("--now", type=Iso("ISO-TIME", _moment), default=None, hidden=True, envvar="DIGEST_NOW")(command)


def span_options(command: F) -> F:
    """`--from` and `--to`, both required, and the hidden clock, handed to the command as one `span`: the
    stored dates it reads, and when it is asked."""

    @functools.wraps(command)
    def wrapper(*args: Any, start: date, end: date, now: datetime | None, **kw: Any) -> Any:
        return command(*args, span=StoredSpan(start, end, now or datetime.now(UTC)), **kw)

    decorated: Any = clock_option(wrapper)
    decorated = click.option("--to", "end", required=True, type=DATE, help="The last date (inclusive).")(decorated)
    return click.option("--from", "start", required=True, type=DATE, help="The first date.")(decorated)  # type: ignore[no-any-return]


class Directory(click.Path):
    """A directory path that is not empty: click would read `--output ""` as the current directory."""

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("must not be empty (an empty path would be the current directory)", param, ctx)
        return super().convert(value, param, ctx)


def _more_or_less_verbose(ctx: click.Context, param: click.Parameter, count: int) -> None:
    # `digest run -v` as `digest -v run`: the group's count plus the command's.
    if not count:
        return
    state = ctx.find_root().obj or {"verbosity": 0, "log_format": "text"}
    state["verbosity"] += count if param.name == "verbose" else -count
    configure_logging(state["verbosity"], state["log_format"])


@dataclass(frozen=True)
class ConfigChoice:
    """Which configuration a command reads: `--config` (else DIGEST_CONFIG, else config/digest.yaml), with
    `--output` over its output directory. Read once, at the edge, into a plan."""

    path: Path | None
    output_dir: Path | None

    def load(self) -> Config:
        """The configuration, with `--output` over the settings; its targets' secrets are masked from now on."""
        return configured(self.path, self.output_dir)

    def plan(self, topics: Sequence[str] = ()) -> Plan:
        """The command's plan, narrowed to `topics` (all when empty)."""
        return make_plan(self.load(), topics)


def config_options(command: F) -> F:
    """`--config` and `--output`, which every command takes, handed to it as one `configuration` value; and
    `-v`/`-q` after the command as before it."""

    @functools.wraps(command)
    def wrapper(*args: Any, config_path: Path | None, output_dir: Path | None, **kw: Any) -> Any:
        return command(*args, configuration=ConfigChoice(config_path, output_dir), **kw)

    decorated: Any = wrapper
    for flag, name, help_text in (("-q", "quiet", "Warnings and errors only."), ("-v", "verbose", "More log lines.")):
        decorated = click.option(
            flag, f"--{name}", name, count=True, expose_value=False, callback=_more_or_less_verbose, help=help_text
        )(decorated)
    decorated = click.option(
        "--output",
        "output_dir",
        type=Directory(),
        help="Output directory (default: settings.output_dir, or DIGEST_OUTPUT_DIR).",
    )(decorated)
    return click.option(  # type: ignore[no-any-return]
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Configuration file (default: DIGEST_CONFIG, or config/digest.yaml).",
    )(decorated)


def say(line: str, level: int = logging.INFO, *, err: bool = False) -> None:
    """A command's summary, note or `Error:` line: on stdout (stderr with `err` or from WARNING up), or under
    `--log-format json` a JSON record at `level` like every log line, so a log collector reads one format."""
    context = click.get_current_context(silent=True)
    state = context.find_root().obj if context is not None else None
    if state and state.get("log_format") == "json":
        logging.getLogger("digest").log(level, "%s", line)
        return
    click.echo(line, err=err or level >= logging.WARNING)


def reports_errors(command: F) -> F:
    """Turn the library's DigestError into `Error: …` on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DigestError as err:
            say(f"Error: {redact(str(err))}", logging.ERROR)
            sys.exit(err.exit_code)

    return wrapper  # type: ignore[return-value]


def _log_as_configured(log_format: LogFormat) -> None:
    """From here on, log in `settings.log_format`, unless `--log-format` or DIGEST_LOG_FORMAT chose."""
    context = click.get_current_context(silent=True)
    root = context.find_root() if context is not None else None
    if root is None or not root.obj or root.get_parameter_source("log_format") != ParameterSource.DEFAULT:
        return
    if root.obj["log_format"] != log_format:
        root.obj["log_format"] = log_format
        configure_logging(root.obj["verbosity"], log_format)


def configured(config_path: Path | None, output_dir: Path | None) -> Config:
    """Load the configuration, with `--output` over the settings; its targets' secrets are masked from now on."""
    config = load_config(config_path, os.environ)
    _log_as_configured(config.settings.log_format)
    remember_targets([*config.settings.notify, *(url for topic in config.topic.values() for url in topic.notify or [])])
    if output_dir is None:
        return config
    problem = output_dir_problem(output_dir)
    if problem:
        raise ConfigError(f"--output: {problem}")
    return config.model_copy(update={"settings": config.settings.model_copy(update={"output_dir": output_dir})})
