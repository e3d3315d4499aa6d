"""The commands that check the set-up: `check-config` (the configuration, every setting resolved) and
`notify --test` (the notification targets)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import click
import yaml

from digest.cli.arguments import ConfigChoice, clock_option, config_options, reports_errors
from digest.core.config_file import resolve_config_path
from digest.core.errors import InputError, NotifyError
from digest.core.plan import make_plan, resolved_config
from digest.core.targets import mask_target, remember_targets, target_problem
from digest.core.words import plural
from digest.outputs.notify import send_apprise, send_test

__all__ = ["check_config", "notify_command"]


@click.command("notify")
@click.option("--test", "test", is_flag=True, help="Send one test message to each target and report each result.")
@click.argument("target", required=False)
@clock_option
@config_options
@reports_errors
def notify_command(test: bool, target: str | None, now: datetime | None, configuration: ConfigChoice) -> None:
    """Check the notification targets: one test message to TARGET (an Apprise URL), or to every configured one.

    Example: digest notify --test
    """
    if not test:
        raise InputError("digest notify checks the targets: run `digest notify --test [TARGET]`")
    plan = configuration.plan()
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


@click.command("check-config")
@config_options
@reports_errors
def check_config(configuration: ConfigChoice) -> None:
    """Validate the configuration and print it with every setting resolved.

    Example: DIGEST_REQUEST_INTERVAL=5 digest check-config --config config/digest.yaml
    """
    config = configuration.load()
    plan = make_plan(config)
    click.echo(f"# {resolve_config_path(configuration.path, os.environ)}: valid")
    click.echo(f"# output: {plan.output_dir}\n# store: {plan.store_path}\n# labels: {config.settings.labels_dir}")
    resolved = resolved_config(config, plan)
    click.echo(yaml.safe_dump(resolved, sort_keys=False, allow_unicode=True), nl=False)
