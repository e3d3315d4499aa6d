"""The commands that look without writing a digest: `explain` (why a paper was kept), `try` (a topic on
stored batches), `verify` (RSS against OAI-PMH) and `status` (the store, the archive and the runs)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

from digest.cli.arguments import (
    DATE,
    ConfigChoice,
    arxiv_ids,
    clock_option,
    config_options,
    reports_errors,
    say,
    span_options,
)
from digest.core.calendar import check_span
from digest.core.config_file import load_topic
from digest.core.errors import InputError
from digest.core.intents import Sourcing, StoredSpan
from digest.llm.judge import apply_verdicts, judge_candidates, load_cached_verdicts
from digest.ops import explain as explanation
from digest.ops import verify as verification
from digest.ops.evaluation import format_evaluation
from digest.ops.status import load_status
from digest.ops.stored import load_explained
from digest.ops.trials import count_kept, relevance, score_topic, trial_topic
from digest.selection.kept import kept_by_topics
from digest.sources.arxiv import Arxiv
from digest.sources.batches import Batches
from digest.sources.wanted import Wanted
from digest.store.database import Store

__all__ = ["explain", "status", "try_topic", "verify_command"]


@click.command()
@click.option("--date", "day", required=True, type=DATE, help="The digest date (its batch must be stored).")
@click.option("--topic", "topic_name", required=True, help="The topic to explain.")
@click.option("--near-misses", is_flag=True, help="Only the papers the topic's other match mode would add or drop.")
@click.option("--kept", "shown", flag_value="kept", help="Only the papers the topic kept.")
@click.option("--dropped", "shown", flag_value="dropped", help="Only the papers the topic dropped.")
@click.option("--paper", "paper_id", help="Only this paper: an id (2510.01234), arXiv:id or abs URL.")
@config_options
@reports_errors
def explain(
    day: date,
    topic_name: str,
    near_misses: bool,
    shown: explanation.Shown | None,
    paper_id: str | None,
    configuration: ConfigChoice,
) -> None:
    """Say, for every paper of a stored batch, whether TOPIC kept it and why. No network.

    Example: digest explain --date 2025-10-13 --topic MLLM --near-misses
    """
    if near_misses and (shown or paper_id):
        raise InputError("--near-misses lists the papers the other match mode decides differently; "
                         "--kept, --dropped and --paper narrow the full explanation, without it")  # fmt: skip
    if paper_id is not None:
        ids = arxiv_ids((paper_id,))
        if len(ids) != 1:
            raise InputError(f"--paper takes one arXiv id, not {paper_id!r}")
        paper_id = ids[0]
    plan = configuration.plan((topic_name,))
    planned = judge_candidates(plan.topics)[topic_name]
    papers, seen, similarity = load_explained(plan, day, topic_name, datetime.now(UTC))
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


@click.command("try")
@click.option(
    "--topic-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A YAML topic: keywords, filters, options, and an optional name.",
)
@click.option("--topic", "topic_name", help="A configured topic instead, as it is configured.")
@span_options
@click.option(
    "--labels", "labels_file", type=click.Path(dir_okay=False, path_type=Path), help="Score it against a labels file."
)
@click.option("--json", "as_json", is_flag=True, help="With --labels: one JSON object of the counts and scores.")
@config_options
@reports_errors
def try_topic(
    topic_file: Path | None,
    topic_name: str | None,
    span: StoredSpan,
    labels_file: Path | None,
    as_json: bool,
    configuration: ConfigChoice,
) -> None:
    """Count what a topic definition would keep on the stored batches, to tune it before using it. No network
    but the language model, for a topic with a judge.

    With --labels, score it: true and false positives and negatives, precision, recall and F1, and the
    papers it gets wrong with the reason.

    Example: digest try --topic-file vlm.yaml --from 2025-10-01 --to 2025-10-31 --labels labels/MLLM.csv
    """
    if topic_file is not None and topic_name is None:
        plan = configuration.plan()
        name, topic = load_topic(topic_file)
        planned = trial_topic(plan, topic)
    elif topic_name is not None and topic_file is None:
        plan = configuration.plan([topic_name])
        name, planned = topic_name, plan.topics[topic_name]
    else:
        raise InputError("name the topic to try: --topic-file FILE, or --topic NAME for a configured one")
    if labels_file is None:
        if as_json:
            raise InputError("--json goes with --labels")
        click.echo(explanation.format_trial(name, count_kept(plan, planned, span)), nl=False)
        return
    evaluation, missing = score_topic(plan, planned, span, relevance(labels_file))
    if as_json:
        if missing:
            click.echo(f"{len(missing)} labelled papers are not in the stored batches: {', '.join(missing)}", err=True)
        click.echo(json.dumps(evaluation.confusion.as_json()))
        return
    click.echo(format_evaluation(name, evaluation, missing), nl=False)


@click.command("verify")
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
    configuration: ConfigChoice,
) -> None:
    """Check the batches stored from RSS against OAI-PMH, which knows each version's submission time.

    Exit 0 when every checked date agrees, 1 when one differs. OAI-PMH is harvested only where the store
    lacks it.

    Example: digest verify --from 2025-10-01 --to 2025-10-31
    """
    plan = configuration.plan()
    now = now or datetime.now(UTC)
    end = end or now.date()
    start = start or end - timedelta(days=30)
    check_span(start, end)
    with Store.open(plan.store_path) as store, Arxiv(plan.settings) as arxiv:
        batches = Batches(plan, store, arxiv, Sourcing("oai"), Wanted(kept_by_topics(plan, store)))
        verdicts = verification.verify(plan, store, batches, start, end, now=now)
    text = (
        verification.verdicts_json(verdicts) + "\n" if as_json else verification.format_verdicts(verdicts, start, end)
    )
    click.echo(text, nl=False)
    if any(verdict.differences for verdict in verdicts):
        sys.exit(1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for monitoring.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 when the latest due digest is missing, a message is owed over a day or a date is unfinished.",
)
@clock_option
@config_options
@reports_errors
def status(as_json: bool, check: bool, now: datetime | None, configuration: ConfigChoice) -> None:
    """Show the store, the archive's health and the last runs, from the store and the disk. No network.

    Example: digest status --check
    """
    plan = configuration.plan()
    health = load_status(plan, now=now or datetime.now(UTC))
    click.echo(health.as_json() if as_json else health.describe(), nl=as_json)
    problems = health.problems()
    if check and problems:
        say(f"Error: {'; '.join(problems)}", logging.ERROR)
        sys.exit(1)
