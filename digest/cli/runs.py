"""The commands that write digests: `run` (one batch), `backfill` (a range), `serve` (on a schedule) and
`render` (from a records file)."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

from digest import recipe
from digest.cli.arguments import DATE, ConfigChoice, clock_option, config_options, reports_errors, say
from digest.cli.options import Consent, Fetching, consent_options, fetch_options, finish_options, span_options
from digest.cli.progress import backfill_progress, confirm_large
from digest.cli.runner import echo_report, open_run, raise_undelivered
from digest.core.intents import Finish, Sourcing
from digest.core.models import load_papers
from digest.edges import open_edges
from digest.ops.estimate import load_estimate
from digest.ops.status import latest_due, missing_topics
from digest.ops.verify import verify_recent
from digest.outputs.reports import BackfillOptions
from digest.store.database import Store

__all__ = ["backfill", "render", "run", "serve"]

log = logging.getLogger(__name__)


@click.command()
@reports_errors
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
def render(
    input_path: Path, day: date, topics: tuple[str, ...], force: bool, allow_empty: bool, configuration: ConfigChoice
) -> None:
    """Write the digests of DATE from a records file, with no network.

    Example: digest render --input batch.jsonl --date 2025-10-04 --topic MLLM
    """
    plan = configuration.plan(topics)
    papers = load_papers(input_path)
    with open_edges(plan) as edges:
        result = recipe.write_records(plan, day, papers, edges, force=force, allow_empty=allow_empty)
    click.echo(f"{result.summary()} -> {plan.output_dir}")


@click.command()
@reports_errors
@click.option("--date", "day", type=DATE, help="The digest date (default: the latest announcement).")
@click.option(
    "--verify", "verify_after", is_flag=True, help="Then check the last verify_days RSS dates against OAI-PMH."
)
@fetch_options(refresh=True)
@finish_options("owed")
@clock_option
@config_options
def run(
    day: date | None,
    verify_after: bool,
    fetching: Fetching,
    finish: Finish,
    now: datetime | None,
    configuration: ConfigChoice,
) -> None:
    """Fetch one batch (the latest, or the one in force on --date) and write its digests.

    Example: digest run --date 2025-10-13 --topic MLLM --commit
    """
    plan = configuration.plan(fetching.topics)
    sourcing = fetching.sourcing(plan.settings)
    now = now or datetime.now(UTC)
    command = f"run --date {day.isoformat()}" if day else "run"
    with open_run(plan, command, now, sourcing) as (recorded, edges):
        report = recorded.report = recipe.run(plan, day, finish, edges, now=now)
        if verify_after and fetching.stored != "only":
            verify_recent(plan, edges.store, edges.batches, now=now)
    echo_report(report)


@click.command()
@reports_errors
@span_options
@consent_options
@fetch_options()
@finish_options("none")
@clock_option
@config_options
def backfill(
    span: BackfillOptions,
    consent: Consent,
    fetching: Fetching,
    finish: Finish,
    now: datetime | None,
    configuration: ConfigChoice,
) -> None:
    """Write the digests of every announcement from --from to --to, with one OAI-PMH harvest for all.

    Example: digest backfill --from 2025-10-01 --to 2025-10-31 --commit

    Re-render stored dates after adding a topic, with no network: digest backfill --from D1 --to D2 --force --offline
    """
    plan = configuration.plan(fetching.topics)
    sourcing = fetching.sourcing(plan.settings)
    now = now or datetime.now(UTC)
    with Store.open(plan.store_path) as store:
        estimate = load_estimate(plan, span, sourcing, store, now=now)
    if consent == "dry-run":
        click.echo(estimate.describe())
        return
    say(estimate.describe(), err=True)
    confirm_large(estimate.requests, plan.settings.backfill_confirm_requests, consent == "yes")
    command = f"backfill {span.start.isoformat()}..{span.end.isoformat()}"
    with (
        backfill_progress(len(estimate.dates)) as progress,
        open_run(plan, command, now, sourcing, progress.on_harvest) as (recorded, edges),
    ):
        report = recorded.report = recipe.backfill(
            plan, estimate.dates, finish, edges, now=now, on_date=progress.on_date
        )
        report.skipped = list(estimate.skipped)
    echo_report(report)
    if report.failed:
        sys.exit(1)


@click.command()
@reports_errors
@click.option("--once", is_flag=True, help="Run the job now and exit with its code (for cron and testing).")
@finish_options("owed", notify_flags=False)
@clock_option
@config_options
def serve(once: bool, finish: Finish, now: datetime | None, configuration: ConfigChoice) -> None:
    """Run the latest batch on the schedule of settings.schedule until stopped (SIGTERM or Ctrl-C).

    Started with the latest due digest missing, it runs that date at once; a failed run is retried after
    settings.retry_minutes (5, 15, 45), then at the next tick. The configuration is read again at every
    run, so a mounted config file can change without a restart.

    Example: DIGEST_SCHEDULE="30 6 * * *" digest serve --commit --push
    """
    from digest.cli import schedule  # APScheduler's background scheduler: no other command loads it

    plan = configuration.plan()

    def job(now: datetime, day: date | None) -> str:
        plan = configuration.plan()
        command = f"serve --date {day.isoformat()}" if day else "serve"
        with open_run(plan, command, now, Sourcing(plan.settings.source)) as (recorded, edges):
            report = recorded.report = recipe.run(plan, day, finish, edges, now=now)
            verify_recent(plan, edges.store, edges.batches, now=now)
        raise_undelivered(report)
        return report.summary()

    clock: schedule.Clock = (lambda: now) if now else schedule.utc_now
    if now and not once:
        log.warning(
            "--now/DIGEST_NOW pins the time the runs see to %s (a testing aid); the schedule follows the real clock",
            now.isoformat(timespec="seconds"),
        )
    due = latest_due(plan, now=clock(), slack=timedelta(0))
    missed = due if not once and missing_topics(plan, due) else None
    schedule.serve(job, plan.settings, once=once, clock=clock, missed=missed)
