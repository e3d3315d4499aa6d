"""`digest site`: build the static site from the digests on disk, outside any run."""

from __future__ import annotations

import click

from digest.cli.arguments import ConfigChoice, config_options, reports_errors, say
from digest.outputs.site import build_site, site_dir_of
from digest.store.lock import lock_path, output_lock

__all__ = ["site"]


@click.command()
@config_options
@reports_errors
def site(configuration: ConfigChoice) -> None:
    """Build the static site (settings.site_dir, default <output>/_site) from the digests' JSON records.

    Only the dates whose record changed are rebuilt. Runs and backfills do this too with `site: true`.

    Example: digest site && python -m http.server -d output/_site
    """
    plan = configuration.plan()
    with output_lock(lock_path(plan.store_path.parent, plan.output_dir), plan.settings.lock_timeout):
        report = build_site(plan.output_dir, site_dir_of(plan.settings.site_dir, plan.output_dir), plan.every_topic)
    say(report.summary())
