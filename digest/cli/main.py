"""The `digest` command: parse, call the library, report. Errors become one `Error: …` line and an exit code."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from digest import recipe
from digest.cli import schedule
from digest.cli.arguments import (
    COMMIT,
    DATE,
    PUSH,
    Fetching,
    ManyValues,
    clock_option,
    config_options,
    configured,
    fetch_options,
    reports_errors,
    say,
)
from digest.cli.logs import LogFormat, configure_logging
from digest.cli.progress import backfill_progress, confirm_large
from digest.cli.site import site
from digest.core.calendar import announcement_days
from digest.core.config import SimilarTo
from digest.core.config_file import load_topic, resolve_config_path
from digest.core.errors import InputError, ModelError, NotifyError
from digest.core.models import load_papers
from digest.core.plan import Plan, Rules, TopicPlan, make_plan
from digest.core.targets import mask_target, remember_targets, target_problem
from digest.core.words import plural
from digest.llm.judge import apply_verdicts, judge_candidates, load_cached_verdicts
from digest.ops import explain as explanation
from digest.ops import tune as tuning
from digest.ops import verify as verification
from digest.ops.estimate import load_estimate
from digest.ops.judged import judge_labelled
from digest.ops.label_import import import_labels
from digest.ops.labels import (
    Label,
    LabelChanges,
    clean_note,
    labels_path,
    load_labels,
    normalise_id,
    update_labels,
)
from digest.ops.status import latest_due, load_status, missing_topics
from digest.ops.stored import load_explained, load_labelled_days, load_stored_batches
from digest.ops.suggest import format_suggestions, suggest_papers
from digest.outputs.notify import send_apprise, send_test
from digest.outputs.reports import BackfillOptions, RunOptions, RunReport
from digest.selection.kept import kept_by_topics
from digest.sources.arxiv import Arxiv
from digest.sources.batches import Batches
from digest.store.database import Store

__all__ = ["main"]

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def echo_report(report: RunReport) -> None:
    """A run's notes (approximations, empty feeds) on stderr, then its one-line summary."""
    for note in report.notes:
        say(note, logging.WARNING)
    say(report.summary())
    raise_undelivered(report)


def raise_undelivered(report: RunReport) -> None:
    """A judged topic left unwritten or a message a target refused fails the command (exit 1), after the
    other digests are written and reported."""
    if report.unjudged:
        more = f" (and {len(report.unjudged) - 1} more)" if len(report.unjudged) > 1 else ""
        raise ModelError(f"{report.unjudged[0]}{more}; the other digests were written; the next run tries again")
    if report.delivery is not None and report.delivery.failures:
        raise NotifyError(report.delivery.error())


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
    plan = make_plan(configured(config_path, output_dir), topics)
    papers = load_papers(input_path)
    with recipe.open_edges(plan) as edges:
        result = recipe.write_records(
            plan, day, papers, edges.store, force=force, allow_empty=allow_empty, model=edges.model
        )
    click.echo(f"{result.summary()} -> {plan.output_dir}")


@main.command()
@click.option("--date", "day", type=DATE, help="The digest date (default: the latest announcement).")
@click.option("--refresh", is_flag=True, help="Fetch again even when the store holds the batch.")
@click.option("--no-notify", is_flag=True, help="Send no notification (settings.notify) for this run.")
@click.option("--renotify", is_flag=True, help="Send the date's notifications again, even if they were sent.")
@click.option(
    "--verify", "verify_after", is_flag=True, help="Then check the last verify_days RSS dates against OAI-PMH."
)
@fetch_options
@clock_option
@config_options
@reports_errors
def run(
    day: date | None,
    refresh: bool,
    no_notify: bool,
    renotify: bool,
    verify_after: bool,
    fetching: Fetching,
    now: datetime | None,
    config_path: Path | None,
    output_dir: Path | None,
) -> None:
    """Fetch one batch (the latest, or the one in force on --date) and write its digests.

    Example: digest run --date 2025-10-13 --topic MLLM --commit
    """
    config = configured(config_path, output_dir)
    plan = make_plan(config, fetching.topics)
    source = fetching.source or config.settings.source
    options = RunOptions(
        day=day,
        source=source,
        offline=fetching.offline,
        refresh=refresh,
        commit=fetching.commit,
        push=fetching.push,
        notify=not no_notify,
        renotify=renotify and not no_notify,
    )
    now = now or datetime.now(UTC)
    command = f"run --date {day.isoformat()}" if day else "run"
    with recipe.recording(plan, command, now=now) as recorded, recipe.open_edges(plan) as edges:
        batches = Batches(
            plan,
            edges.store,
            edges.arxiv,
            keep=kept_by_topics(plan, edges.store),
            source=options.source,
            offline=options.offline,
            refresh=options.refresh,
        )
        report = recorded.report = recipe.run(plan, options, edges, batches, now=now)
        if verify_after and not fetching.offline:
            recipe.verify_recent(plan, edges.store, batches, now=now)
    echo_report(report)


@main.command()
@click.option("--from", "start", required=True, type=DATE, help="The first date.")
@click.option("--to", "end", required=True, type=DATE, help="The last date (inclusive).")
@click.option("--every-day", is_flag=True, help="Write every calendar date, as the source did, not only announcements.")
@click.option("--force", is_flag=True, help="Write dates whose digests exist too.")
@click.option("--dry-run", is_flag=True, help="Print the plan (dates, requests, time) and stop, with no request.")
@click.option("--yes", is_flag=True, help="Go ahead without asking when the plan is over backfill_confirm_requests.")
@click.option("--notify", is_flag=True, help="Send each written date's notifications (a backfill sends none).")
@click.option("--renotify", is_flag=True, help="With --notify: send them even if they were sent.")
@fetch_options
@clock_option
@config_options
@reports_errors
def backfill(
    start: date,
    end: date,
    every_day: bool,
    force: bool,
    dry_run: bool,
    yes: bool,
    notify: bool,
    renotify: bool,
    fetching: Fetching,
    now: datetime | None,
    config_path: Path | None,
    output_dir: Path | None,
) -> None:
    """Write the digests of every announcement from --from to --to, with one OAI-PMH harvest for all.

    Example: digest backfill --from 2025-10-01 --to 2025-10-31 --commit

    Re-render stored dates after adding a topic, with no network: digest backfill --from D1 --to D2 --force --offline
    """
    config = configured(config_path, output_dir)
    plan = make_plan(config, fetching.topics)
    source = fetching.source or config.settings.source
    options = BackfillOptions(
        start,
        end,
        every_day,
        force,
        source=source,
        offline=fetching.offline,
        commit=fetching.commit,
        push=fetching.push,
        notify=notify,
        renotify=notify and renotify,
    )
    now = now or datetime.now(UTC)
    with Store.open(plan.store_path) as store:
        estimate = load_estimate(plan, options, store, now=now)
    if dry_run:
        click.echo(estimate.describe())
        return
    say(estimate.describe(), err=True)
    confirm_large(estimate.requests, config.settings.backfill_confirm_requests, yes)
    command = f"backfill {start.isoformat()}..{end.isoformat()}"
    with (
        recipe.recording(plan, command, now=now) as recorded,
        recipe.open_edges(plan) as edges,
        backfill_progress(len(estimate.dates)) as progress,
    ):
        batches = Batches(
            plan,
            edges.store,
            edges.arxiv,
            keep=kept_by_topics(plan, edges.store),
            source=source,
            offline=fetching.offline,
            on_harvest=progress.on_harvest,
        )
        report = recipe.backfill(
            plan,
            options,
            edges,
            batches,
            now=now,
            dates=estimate.dates,
            skipped=estimate.skipped,
            on_date=progress.on_date,
        )
        recorded.report = report
    echo_report(report)
    if report.failed:
        sys.exit(1)


@main.command()
@click.option("--once", is_flag=True, help="Run the job now and exit with its code (for cron and testing).")
@COMMIT
@PUSH
@clock_option
@config_options
@reports_errors
def serve(
    once: bool, commit: bool, push: bool, now: datetime | None, config_path: Path | None, output_dir: Path | None
) -> None:
    """Run the latest batch on the schedule of settings.schedule until stopped (SIGTERM or Ctrl-C).

    Started with the latest due digest missing, it runs that date at once; a failed run is retried after
    settings.retry_minutes (5, 15, 45), then at the next tick. The configuration is read again at every
    run, so a mounted config file can change without a restart.

    Example: DIGEST_SCHEDULE="30 6 * * *" digest serve --commit --push
    """
    config = configured(config_path, output_dir)

    def job(now: datetime, day: date | None) -> str:
        plan = make_plan(configured(config_path, output_dir))
        options = RunOptions(day=day, source=plan.settings.source, commit=commit, push=push, notify=True)
        command = f"serve --date {day.isoformat()}" if day else "serve"
        with recipe.recording(plan, command, now=now) as recorded, recipe.open_edges(plan) as edges:
            batches = Batches(
                plan, edges.store, edges.arxiv, keep=kept_by_topics(plan, edges.store), source=options.source
            )
            report = recorded.report = recipe.run(plan, options, edges, batches, now=now)
            recipe.verify_recent(plan, edges.store, batches, now=now)
        raise_undelivered(report)
        return report.summary()

    clock: schedule.Clock = (lambda: now) if now else schedule.utc_now
    if now and not once:
        log.warning(
            "--now/DIGEST_NOW pins the time the runs see to %s (a testing aid); the schedule follows the real clock",
            now.isoformat(timespec="seconds"),
        )
    plan = make_plan(config)
    due = latest_due(plan, now=clock(), slack=timedelta(0))
    missed = due if not once and missing_topics(plan, due) else None
    schedule.serve(job, config.settings, once=once, clock=clock, missed=missed)


@main.command()
@click.option("--date", "day", required=True, type=DATE, help="The digest date (its batch must be stored).")
@click.option("--topic", "topic_name", required=True, help="The topic to explain.")
@click.option("--near-misses", is_flag=True, help="Only the papers the topic's other match mode would add or drop.")
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
    plan = make_plan(configured(config_path, output_dir), (topic_name,))
    planned = judge_candidates(plan.topics)[topic_name]
    papers, seen, similarity = load_explained(plan, day, topic_name)
    if near_misses:
        misses = explanation.near_misses(papers, planned, plan.subscribed)
        click.echo(explanation.format_near_misses(misses, explanation.other_mode(planned)), nl=False)
        return
    decisions = explanation.explain_topic(papers, planned, plan.subscribed, seen, similarity)
    if plan.llm is not None and planned.topic.judge is not None:
        with Store.open(plan.store_path) as store:
            verdicts = load_cached_verdicts(store, plan.llm, planned.topic.judge, papers)
        decisions = apply_verdicts(decisions, verdicts)
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
@click.option(
    "--labels", "labels_file", type=click.Path(dir_okay=False, path_type=Path), help="Score it against a labels file."
)
@click.option("--json", "as_json", is_flag=True, help="With --labels: one JSON object of the counts and scores.")
@config_options
@reports_errors
def try_topic(
    topic_file: Path,
    start: date,
    end: date,
    labels_file: Path | None,
    as_json: bool,
    config_path: Path | None,
    output_dir: Path | None,
) -> None:
    """Count what a topic definition would keep on the stored batches, to tune it before using it. No network
    but the language model, for a topic with a judge.

    With --labels, score it: true and false positives and negatives, precision, recall and F1, and the
    papers it gets wrong with the reason.

    Example: digest try --topic-file vlm.yaml --from 2025-10-01 --to 2025-10-31 --labels labels/MLLM.csv
    """
    config = configured(config_path, output_dir)
    plan = make_plan(config)
    name, topic = load_topic(topic_file)
    planned = TopicPlan(topic, Rules.for_topic(topic, config.settings))
    days = announcement_days(start, end, plan.holidays)
    if labels_file is None:
        if as_json:
            raise InputError("--json goes with --labels")
        stored = load_stored_batches(plan, days)
        batches = [(day, papers) for day, _, papers in stored]
        counts = explanation.trial_counts(batches, planned, plan.subscribed)
        click.echo(explanation.format_trial(name, counts), nl=False)
        return
    labels = {paper_id: label.relevant for paper_id, label in load_labels(labels_file).labels.items()}
    labelled = judge_labelled(plan, topic, load_labelled_days(plan, days, topic.similar_to), labels, os.environ)
    evaluation = tuning.evaluate(labelled, planned, plan.subscribed, labels)
    missing = sorted(set(labels) - {paper.id for day in labelled for paper in day.papers})
    if as_json:
        if missing:
            click.echo(f"{len(missing)} labelled papers are not in the stored batches: {', '.join(missing)}", err=True)
        click.echo(json.dumps(evaluation.confusion.as_json()))
        return
    click.echo(tuning.format_evaluation(name, evaluation, missing), nl=False)


@main.command()
@click.option("--topic", "topic_name", required=True, help="The configured topic to tune.")
@click.option(
    "--labels", "labels_file", type=click.Path(dir_okay=False, path_type=Path), help="Default: labels/<Topic>.csv."
)
@click.option("--from", "start", required=True, type=DATE, help="The first date.")
@click.option("--to", "end", required=True, type=DATE, help="The last date (inclusive).")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object: configured, best (with topic), candidates, steps, warnings.",
)
@config_options
@reports_errors
def tune(
    topic_name: str,
    labels_file: Path | None,
    start: date,
    end: date,
    as_json: bool,
    config_path: Path | None,
    output_dir: Path | None,
) -> None:
    """Compare ways to run a topic on labelled dates, cross-validated, and print the best as YAML. No network
    but the language model, for a topic with a judge.

    Example: digest tune --topic MLLM --labels labels/MLLM.csv --from 2025-10-13 --to 2026-06-17
    """
    config = configured(config_path, output_dir)
    plan = make_plan(config, (topic_name,))
    planned = plan.topics[topic_name]
    path = labels_file or labels_path(config.settings.labels_dir, topic_name)
    labels = {paper_id: label.relevant for paper_id, label in load_labels(path).labels.items()}
    description = tuning.description_of(planned.topic)
    similar_to = planned.topic.similar_to or SimilarTo(description=description)  # the topic's own, if it has one
    stored = load_labelled_days(plan, announcement_days(start, end, plan.holidays), None)
    dates = [day.day for day in stored if any(paper.id in labels for paper in day.papers)]
    if not dates:
        raise InputError(f"no stored batch from {start} to {end} holds a paper of {path}; fetch those dates first")
    labelled = {day.day: day for day in load_labelled_days(plan, dates, similar_to)}  # only these are embedded
    days = judge_labelled(plan, planned.topic, [labelled.get(day.day, day) for day in stored], labels, os.environ)
    report = tuning.tune(topic_name, planned, days, plan.subscribed, labels, description=description)
    click.echo(json.dumps(report.as_json()) if as_json else report.describe(), nl=as_json)


@main.command(cls=ManyValues, greedy=("--yes", "--no", "--remove"))
@click.option("--topic", "topic_name", required=True, help="The configured topic the labels are for.")
@click.option("--yes", "relevant", multiple=True, metavar="ID...", help="Relevant papers: ids, arXiv:ids or abs URLs.")
@click.option("--no", "irrelevant", multiple=True, metavar="ID...", help="Papers that are not relevant.")
@click.option("--remove", "removed", multiple=True, metavar="ID...", help="Take these papers' labels away.")
@click.option("--note", default="", help="A note kept with these rows (folded to one line).")
@click.option(
    "--labels", "labels_file", type=click.Path(dir_okay=False, path_type=Path), help="Default: labels/<Topic>.csv."
)
@click.option(
    "--suggest", "suggested", type=click.IntRange(min=1), metavar="N", help="List N unlabelled papers worth labelling."
)
@click.option("--from", "start", type=DATE, help="With --suggest: the first date.")
@click.option("--to", "end", type=DATE, help="With --suggest: the last date (inclusive).")
@click.option(
    "--import",
    "imported",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Merge a labels file (the site's Export labels) into the topic's.",
)
@config_options
@reports_errors
def label(
    topic_name: str,
    relevant: tuple[str, ...],
    irrelevant: tuple[str, ...],
    removed: tuple[str, ...],
    note: str,
    labels_file: Path | None,
    suggested: int | None,
    start: date | None,
    end: date | None,
    imported: Path | None,
    config_path: Path | None,
    output_dir: Path | None,
) -> None:
    """Add, change or remove labels of a topic (which papers are relevant), for `try --labels` and `tune`;
    with --suggest, list the unlabelled stored papers whose label would teach the topic most; with
    --import, merge a labels file (the site's "Export labels" download).

    The same label again changes nothing (a --note replaces the note); the other label replaces the row.

    Example: digest label --topic MLLM --yes 2510.01234 arXiv:2510.01301v2 --no 2510.00007
    """
    config = configured(config_path, output_dir)
    plan = make_plan(config, (topic_name,))
    path = labels_file or labels_path(config.settings.labels_dir, topic_name)
    if imported is not None:
        if relevant or irrelevant or removed or suggested is not None or note or start or end:
            raise InputError("--import merges a file on its own; label single papers with a second `digest label`")
        changes = import_labels(path, imported, timeout=config.settings.lock_timeout)
        click.echo(describe_changes(path, changes, {}))  # a conflict refuses the import: nothing is relabelled
        return
    if suggested is not None:
        if relevant or irrelevant or removed:
            raise InputError("--suggest only lists papers; label them with a second `digest label`")
        command = ["digest", "label", "--topic", topic_name]
        command += [
            *(["--config", str(config_path)] if config_path else []),
            *(["--labels", str(path)] if labels_file else []),
        ]
        click.echo(suggest_labels(plan, path, suggested, (start, end), command), nl=False)
        return
    if start or end:
        raise InputError("--from and --to go with --suggest")
    try:
        cleaned = clean_note(note)
    except ValueError as err:
        raise InputError(f"--note {err}; a note is one line of text") from None
    updates: dict[str, Label] = {}
    for verdict, texts in ((True, relevant), (False, irrelevant)):
        for paper_id in arxiv_ids(texts):
            if paper_id in updates and updates[paper_id].relevant != verdict:
                raise InputError(f"{paper_id} is given both --yes and --no; nothing changed")
            updates[paper_id] = Label(verdict, cleaned)
    removals = arxiv_ids(removed)
    both = sorted(set(updates) & set(removals))
    if both:
        raise InputError(f"{', '.join(both)}: both labelled and removed; nothing changed")
    if not updates and not removals:
        raise InputError("give arXiv ids with --yes (relevant), --no (not relevant) or --remove")
    changes = update_labels(path, updates, removals, timeout=config.settings.lock_timeout)
    click.echo(describe_changes(path, changes, updates))


def arxiv_ids(texts: tuple[str, ...]) -> list[str]:
    """The versionless ids of option values (several a value, split at commas and spaces)."""
    ids = []
    for text in (part for value in texts for part in value.replace(",", " ").split()):
        paper_id = normalise_id(text)
        if paper_id is None:
            raise InputError(f"{text!r} is not an arXiv id (such as 2510.01234)")
        ids.append(paper_id)
    return ids


def describe_changes(path: Path, changes: LabelChanges, updates: dict[str, Label]) -> str:
    """One summary line, then a line for each label replaced by the other."""
    counts = [
        (len(changes.added), "added"),
        (len(changes.relabelled), "relabelled"),
        (len(changes.unchanged), "already so"),
        (len(changes.removed), "removed"),
    ]
    lines = [f"{path}: " + ", ".join(f"{count} {what}" for count, what in counts if count)]
    for paper_id in changes.relabelled:
        now = "relevant" if updates[paper_id].relevant else "not relevant"
        lines.append(f"{paper_id}: now {now} (its other label replaced)")
    return "\n".join(lines)


def suggest_labels(
    plan: Plan, path: Path, count: int, span: tuple[date | None, date | None], command: list[str]
) -> str:
    """`label --suggest`: the papers to label next, from the stored batches of the span."""
    start, end = span
    if start is None or end is None:
        raise InputError("--suggest needs --from and --to: the stored dates to look in")
    if start > end:
        raise InputError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    ((topic_name, planned),) = plan.topics.items()
    labelled = load_labels(path, missing_ok=True).labels
    days = load_labelled_days(plan, announcement_days(start, end, plan.holidays), planned.topic.similar_to)
    if not days:
        raise InputError(
            f"no batch from {start} to {end} is stored; fetch those dates first: "
            f"`digest backfill --from {start} --to {end}`"
        )
    suggestions = suggest_papers(days, planned, plan.subscribed, labelled, count)
    span_text = f"from {start.isoformat()} to {end.isoformat()}"
    if not suggestions:
        return f"{topic_name}: no unlabelled paper at the topic's edges {span_text}\n"
    heading = f"{topic_name}: {plural(len(suggestions), 'unlabelled paper')} to label, {span_text}"
    return format_suggestions(suggestions, heading, command)


@main.command("verify")
@click.option("--from", "start", type=DATE, help="The first date (default: 30 days before --to).")
@click.option("--to", "end", type=DATE, help="The last date (default: today).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
@clock_option
@config_options
@reports_errors
def verify_command(
    start: date | None,
    end: date | None,
    as_json: bool,
    now: datetime | None,
    config_path: Path | None,
    output_dir: Path | None,
) -> None:
    """Check the batches stored from RSS against OAI-PMH, which knows each version's submission time.

    Exit 0 when every checked date agrees, 1 when one differs. OAI-PMH is harvested only where the store
    lacks it.

    Example: digest verify --from 2025-10-01 --to 2025-10-31
    """
    plan = make_plan(configured(config_path, output_dir))
    now = now or datetime.now(UTC)
    end = end or now.date()
    start = start or end - timedelta(days=30)
    if start > end:
        raise InputError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    with Store.open(plan.store_path) as store, Arxiv(plan.settings) as arxiv:
        batches = Batches(plan, store, arxiv, keep=kept_by_topics(plan, store), source="oai")
        verdicts = verification.verify(plan, store, batches, start, end, now=now)
    text = (
        verification.verdicts_json(verdicts) + "\n" if as_json else verification.format_verdicts(verdicts, start, end)
    )
    click.echo(text, nl=False)
    if any(verdict.differences for verdict in verdicts):
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for monitoring.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 when the latest due digest is missing, a message is owed over a day or a date is unfinished.",
)
@clock_option
@config_options
@reports_errors
def status(as_json: bool, check: bool, now: datetime | None, config_path: Path | None, output_dir: Path | None) -> None:
    """Show the store, the archive's health and the last runs, from the store and the disk. No network.

    Example: digest status --check
    """
    plan = make_plan(configured(config_path, output_dir))
    health = load_status(plan, now=now or datetime.now(UTC))
    click.echo(health.as_json() if as_json else health.describe(), nl=as_json)
    problems = health.problems()
    if check and problems:
        say(f"Error: {'; '.join(problems)}", logging.ERROR)
        sys.exit(1)


@main.command("notify")
@click.option("--test", "test", is_flag=True, help="Send one test message to each target and report each result.")
@click.argument("target", required=False)
@clock_option
@config_options
@reports_errors
def notify_command(
    test: bool, target: str | None, now: datetime | None, config_path: Path | None, output_dir: Path | None
) -> None:
    """Check the notification targets: one test message to TARGET (an Apprise URL), or to every configured one.

    Example: digest notify --test
    """
    if not test:
        raise InputError("digest notify checks the targets: run `digest notify --test [TARGET]`")
    plan = make_plan(configured(config_path, output_dir))
    if target is not None and (problem := target_problem(target)):
        raise InputError(problem)
    if target is not None:
        remember_targets([target])  # not a configured one: its secrets are masked from here on all the same
    targets = (
        [target] if target else list(dict.fromkeys(url for p in plan.every_topic.values() for url in p.rules.notify))
    )
    if not targets:
        raise InputError("no notification target: set settings.notify (or DIGEST_NOTIFY), or name one after --test")
    results = send_test(targets, now=now or datetime.now(UTC), send=send_apprise)
    for url, problem in results.items():
        click.echo(f"{mask_target(url)}: {'sent' if problem is None else f'failed: {problem}'}")
    failed = sum(1 for problem in results.values() if problem is not None)
    if failed:
        raise NotifyError(f"{failed} of {plural(len(results), 'target')} refused the test message")


@main.command("check-config")
@config_options
@reports_errors
def check_config(config_path: Path | None, output_dir: Path | None) -> None:
    """Validate the configuration and print it with every setting resolved.

    Example: DIGEST_REQUEST_INTERVAL=5 digest check-config --config config/digest.yaml
    """
    config = configured(config_path, output_dir)
    plan = make_plan(config)
    click.echo(f"# {resolve_config_path(config_path, os.environ)}: valid")
    click.echo(f"# output: {plan.output_dir}\n# store: {plan.store_path}\n# labels: {config.settings.labels_dir}")
    topics = {name: planned.resolved for name, planned in plan.every_topic.items()}
    resolved = config.model_copy(update={"topic": topics}).model_dump(mode="json")
    for section in [resolved["settings"], *resolved["topic"].values()]:
        if section.get("notify"):
            section["notify"] = [mask_target(url) for url in section["notify"]]
    for name, topic in resolved["topic"].items():
        semantic = topic.get("similar_to") is not None
        unused = {"similar_to", "threshold", "combine"} if not semantic else set()
        unused |= {"judge", "judge_candidates"} if topic.get("judge") is None else set()
        resolved["topic"][name] = {key: value for key, value in topic.items() if key not in unused}
    if plan.llm is None:
        del resolved["llm"]
    else:
        resolved["llm"] = plan.llm.model_dump(mode="json")
    click.echo(yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True), nl=False)


main.add_command(site)
