"""The archive pass: the overview, every topic's archive page and, with `settings.feeds`, the feeds (with
`settings.site`, the site), brought up to date with the digests on disk. Run once after the dates of a
command are written, not per date."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from digest.core.plan import Plan
from digest.outputs.feeds import write_feeds
from digest.outputs.render import render_indexes
from digest.outputs.reports import DayResult
from digest.outputs.site import build_site, site_dir_of
from digest.outputs.write import read_archive, write_pages
from digest.store.database import Store

__all__ = ["write_archive"]

log = logging.getLogger(__name__)


def write_archive(plan: Plan, store: Store, days: Sequence[DayResult] = ()) -> None:
    """The index pages, the feeds and the site (`site: true`) of every configured topic, from the digests and
    records on disk, and the listings of those the `days` of this run wrote."""
    archive = read_archive(plan.output_dir, plan.every_topic)
    write_pages(plan.output_dir, render_indexes(archive, feeds=plan.settings.feeds).items())
    if plan.settings.feeds:
        written = {(topic, day.date): listings for day in days for topic, listings in day.listings.items()}
        write_feeds(plan, store, archive, written)
    if plan.settings.site:
        site_dir = site_dir_of(plan.settings.site_dir, plan.output_dir)
        log.info("%s", build_site(plan.output_dir, site_dir, plan.every_topic).summary())
