"""The `digest` command: parse, call the library, report. Errors become one `Error: …` line and an exit code."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml
from tqdm import tqdm

from digest import explain as explanation
from digest import pipeline, schedule
from digest.calendar import announcement_days, load_holidays
from digest.config import Config, load_config, load_topic, resolve_config_path
from digest.errors import DigestError, InputError
from digest.logs import LogFormat, configure_logging
from digest.models import load_papers
from digest.pipeline import BackfillOptions, RunOptions, RunReport, Source, chosen_topics
from digest.redact import redact

__all__ = ["main"]

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


def clock_option(command: F) -> F:
    """A hidden `--now`: the time a run believes it is, so tests and replays pin "the latest batch"."""
    return click.option("--now", type=Iso("ISO-TIME", _moment), default=None, hidden=True, envvar="DIGEST_NOW")(command)


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


def config_options(command: F) -> F:
    """`--config` and `--output`, which every command takes, and `-v`/`-q` after the command as before it."""
    for flag, name, help_text in (("-q", "quiet", "Warnings and errors only."), ("-v", "verbose", "More log lines.")):
        command = click.option(
            flag, f"--{name}", name, count=True, expose_value=False, callback=_more_or_less_verbose, help=help_text
        )(command)
    command = click.option(
        "--output",
        "output_dir",
        type=Directory(),
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
            click.echo(f"Error: {redact(str(err))}", err=True)
            sys.exit(err.exit_code)

    return wrapper  # type: ignore[return-value]


def configured(config_path: Path | None, output_dir: Path | None) -> Config:
    """Load the configuration, with `--output` over the settings."""
    config = load_config(config_path, os.environ)
    if output_dir is None:
        return config
    return config.model_copy(update={"settings": config.settings.model_copy(update={"output_dir": output_dir})})


def echo_report(report: RunReport) -> None:
    """A run's notes (approximations, empty feeds) on stderr, then its one-line summary."""
    for note in report.notes:
        click.echo(note, err=True)
    click.echo(report.summary())


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
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: int, log_format: LogFormat) -> None:
    """Daily markdown digests of new arXiv papers, one per topic."""
    ctx.obj = {"verbosity": verbose - quiet, "log_format": log_format}
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
@click.option("--force", is_flag=True, help="Replace digests of the date that exist already.")
@click.option("--allow-empty", is_flag=True, help="Write Papers-0 digests from a records file with no paper.")
@config_options
@reports_errors
def render(
    input_path: Path,
    day: date,
    topics: tuple[str, ...],
    force: bool,
    allow_empty: bool,
    config_path: Path | None,
    output_dir: Path | None,
) -> None:
    """Write the digests of DATE from a records file, with no network.

    Example: digest render --input batch.jsonl --date 2025-10-04 --topic MLLM
    """
    config = configured(config_path, output_dir)
    chosen = chosen_topics(config, topics)
    papers = load_papers(input_path)
    result = pipeline.render_records(config, day, papers, chosen, force=force, allow_empty=allow_empty)
    click.echo(f"{result.summary()} -> {config.settings.output_dir}")


def fetch_options(command: F) -> F:
    """`--topic`, `--source`, `--commit` and `--push`, shared by the commands that fetch."""
    for option in reversed(
        [
            click.option("--topic", "topics", multiple=True, help="Only this topic (repeatable)."),
            click.option(
                "--source",
                type=click.Choice(["auto", "rss", "oai", "api"]),
                default=None,
                help="Where the batch comes from (default: settings.source, auto: RSS for the latest batch, "
                "OAI-PMH for past dates; api is approximate: new papers only).",
            ),
            click.option("--commit", is_flag=True, help="Commit the written digests to the git repository."),
            click.option("--push", is_flag=True, help="Commit and push (implies --commit)."),
        ]
    ):
        command = option(command)
    return command


@main.command()
@click.option("--date", "day", type=DATE, help="The digest date (default: the latest announcement).")
@click.option("--offline", is_flag=True, help="Use only the store; never touch the network.")
@click.option("--refresh", is_flag=True, help="Fetch again even when the store holds the batch.")
@fetch_options
@clock_option
@config_options
@reports_errors
def run(
    day: date | None,
    offline: bool,
    refresh: bool,
    topics: tuple[str, ...],
    source: Source | None,
    commit: bool,
    push: bool,
    now: datetime | None,
    config_path: Path | None,
    output_dir: Path | None,
) -> None:
    """Fetch one batch (the latest, or the one in force on --date) and write its digests.

    Example: digest run --date 2025-10-13 --topic MLLM --commit
    """
    config = configured(config_path, output_dir)
    options = RunOptions(
        day=day,
        topics=topics,
        source=source or config.settings.source,
        offline=offline,
        refresh=refresh,
        commit=commit,
        push=push,
    )
    report = pipeline.run(config, options, now=now or datetime.now(UTC))
    echo_report(report)


@main.command()
@click.option("--from", "start", required=True, type=DATE, help="The first date.")
@click.option("--to", "end", required=True, type=DATE, help="The last date (inclusive).")
@click.option("--every-day", is_flag=True, help="Write every calendar date, as the source did, not only announcements.")
@click.option("--force", is_flag=True, help="Write dates whose digests exist too.")
@click.option("--offline", is_flag=True, help="Use only the store; a date it does not hold fails.")
@click.option("--dry-run", is_flag=True, help="Print the plan (dates, requests, time) and stop, with no request.")
@click.option("--yes", is_flag=True, help="Go ahead without asking when the plan is over backfill_confirm_requests.")
@fetch_options
@clock_option
@config_options
@reports_errors
def backfill(
    start: date,
    end: date,
    every_day: bool,
    force: bool,
    offline: bool,
    dry_run: bool,
    yes: bool,
    topics: tuple[str, ...],
    source: Source | None,
    commit: bool,
    push: bool,
    now: datetime | None,
    config_path: Path | None,
    output_dir: Path | None,
) -> None:
    """Write the digests of every announcement from --from to --to, with one OAI-PMH harvest for all.

    Example: digest backfill --from 2025-10-01 --to 2025-10-31 --commit

    Re-render stored dates after adding a topic, with no network: digest backfill --from D1 --to D2 --force --offline
    """
    config = configured(config_path, output_dir)
    options = BackfillOptions(
        start=start,
        end=end,
        every_day=every_day,
        force=force,
        topics=topics,
        source=source or config.settings.source,
        offline=offline,
        commit=commit,
        push=push,
    )
    now = now or datetime.now(UTC)
    planned = pipeline.plan(config, options, now=now)
    if dry_run:
        click.echo(planned.describe())
        return
    click.echo(planned.describe(), err=True)
    confirm_large(planned.requests, config.settings.backfill_confirm_requests, yes)
    terminal = sys.stderr.isatty()
    harvests: dict[str, tqdm[Any]] = {}

    def on_harvest(spec: str, received: int, total: int | None) -> None:
        bar = harvests.get(spec)
        if bar is None:
            bar = harvests[spec] = tqdm(desc=f"harvest {spec}", unit="record", disable=not terminal, file=sys.stderr)
        bar.total = total
        bar.update(received - bar.n)

    with tqdm(desc="backfill", total=len(planned.dates), unit="date", disable=not terminal, file=sys.stderr) as bar:

        def on_date(day: date, outcome: str, failed: bool) -> None:
            if failed:
                bar.clear()
                click.echo(f"Error: {day.isoformat()}: {redact(outcome)}", err=True)
            if bar.disable:
                click.echo(f"{day.isoformat()}: failed: {redact(outcome)}" if failed else outcome)
            bar.update(1)

        try:
            report = pipeline.backfill(
                config, options, now=now, planned=planned, on_date=on_date, on_harvest=on_harvest
            )
        finally:
            for harvest_bar in harvests.values():
                harvest_bar.close()
    echo_report(report)
    if report.failed:
        sys.exit(1)


def confirm_large(requests: int, limit: int, yes: bool) -> None:
    """Ask on a terminal before a plan of more than `limit` requests; elsewhere it takes `--yes`."""
    if requests <= limit or yes:
        return
    if sys.stdin.isatty():
        click.confirm(f"This backfill makes about {requests:,} requests. Go ahead?", abort=True, err=True)
        return
    raise InputError(
        f"this backfill makes about {requests:,} requests, more than settings.backfill_confirm_requests "
        f"({limit:,}); pass --yes to go ahead, or --dry-run to see the plan"
    )


@main.command()
@click.option("--once", is_flag=True, help="Run the job now and exit with its code (for cron and testing).")
@click.option("--commit", is_flag=True, help="Commit the written digests to the git repository.")
@click.option("--push", is_flag=True, help="Commit and push (implies --commit).")
@clock_option
@config_options
@reports_errors
def serve(
    once: bool, commit: bool, push: bool, now: datetime | None, config_path: Path | None, output_dir: Path | None
) -> None:
    """Run the latest batch on the schedule of settings.schedule until stopped (SIGTERM or Ctrl-C).

    The configuration is read again at every tick, so a mounted config file can change without a restart.

    Example: DIGEST_SCHEDULE="30 6 * * *" digest serve --commit --push
    """
    config = configured(config_path, output_dir)

    def job(now: datetime) -> str:
        tick_config = configured(config_path, output_dir)
        options = RunOptions(source=tick_config.settings.source, commit=commit, push=push)
        return pipeline.run(tick_config, options, now=now).summary()

    schedule.serve(job, config.settings, once=once, clock=(lambda: now) if now else schedule.utc_now)


@main.command()
@click.option("--date", "day", required=True, type=DATE, help="The digest date (its batch must be stored).")
@click.option("--topic", "topic_name", required=True, help="The topic to explain.")
@click.option("--near-misses", is_flag=True, help="Only the papers whole-word matching would add or drop.")
@click.option("--kept", "shown", flag_value="kept", help="Only the papers the topic kept.")
@click.option("--dropped", "shown", flag_value="dropped", help="Only the papers the topic dropped.")
@click.option("--paper", "paper_id", help="Only this paper (an arXiv id such as 2510.01234).")
@config_options
@reports_errors
def explain(
    day: date,
    topic_name: str,
    near_misses: bool,
    shown: explanation.Shown | None,
    paper_id: str | None,
    config_path: Path | None,
    output_dir: Path | None,
) -> None:
    """Say, for every paper of a stored batch, whether TOPIC kept it and why. No network.

    Example: digest explain --date 2025-10-13 --topic MLLM --near-misses
    """
    config = configured(config_path, output_dir)
    topic = chosen_topics(config, (topic_name,))[topic_name]
    papers = pipeline.require_stored_batch(config, day)
    if near_misses:
        click.echo(explanation.format_near_misses(explanation.near_misses(papers, topic, config)), nl=False)
        return
    seen = pipeline.recently_listed(config, day, {topic_name: topic}).get(topic_name)
    decisions = explanation.explain_topic(papers, topic, config, seen)
    text = explanation.format_explanation(topic_name, day, decisions, shown=shown or "all", paper_id=paper_id)
    click.echo(text, nl=False)


@main.command("try")
@click.option(
    "--topic-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A YAML topic: keywords, filters, options, and an optional name.",
)
@click.option("--from", "start", required=True, type=DATE, help="The first date.")
@click.option("--to", "end", required=True, type=DATE, help="The last date (inclusive).")
@config_options
@reports_errors
def try_topic(topic_file: Path, start: date, end: date, config_path: Path | None, output_dir: Path | None) -> None:
    """Count what a topic definition would keep on the stored batches, to tune it before using it. No network.

    Example: digest try --topic-file vlm.yaml --from 2025-10-01 --to 2025-10-31
    """
    config = configured(config_path, output_dir)
    name, topic = load_topic(topic_file)
    days = announcement_days(start, end, load_holidays(config.settings.holidays))
    batches = [(day, papers) for day, _, papers in pipeline.stored_batches(config, days)]
    click.echo(explanation.format_trial(name, explanation.trial_counts(batches, topic, config)), nl=False)


@main.command("check-config")
@config_options
@reports_errors
def check_config(config_path: Path | None, output_dir: Path | None) -> None:
    """Validate the configuration and print it with every setting resolved.

    Example: DIGEST_REQUEST_INTERVAL=5 digest check-config --config config/digest.yaml
    """
    config = configured(config_path, output_dir)
    click.echo(f"# {resolve_config_path(config_path, os.environ)}: valid")
    resolved = config.resolved().model_dump(mode="json")
    click.echo(yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True), nl=False)
