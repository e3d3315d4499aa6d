"""The static site's cost: a site of 60 dates × 8 topics built from scratch, then a daily update.

    python bench/site.py          (also printed at the end of `python bench/run.py`)

The archive is the synthetic world's (tests/world.py: about 450 papers an announcement pass the category
rule, the eight topics of config/awesome-daily-ai-arxiv.yml keep about 1.05 entries per such paper),
written by the real recipe: digests, records, index pages and feeds. Our CPU (page rendering, hashing,
copies) and Pagefind's (a child process: its binary's user + system time) are printed apart; the goals
are under 10 s of our CPU from scratch and under 1 s for a daily update, plus Pagefind's own time.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest.core.calendar import announcement_in_force  # noqa: E402
from digest.core.config_file import load_config  # noqa: E402
from digest.core.models import Paper  # noqa: E402
from digest.core.plan import make_plan  # noqa: E402
from digest.outputs.archive import write_archive  # noqa: E402
from digest.outputs.site import build_site  # noqa: E402
from digest.recipe import run_for_date  # noqa: E402
from digest.store.database import Store  # noqa: E402
from tests.support.world import World, synthetic_world  # noqa: E402

__all__ = ["site_figures"]

EIGHT_TOPICS = ROOT / "config" / "awesome-daily-ai-arxiv.yml"
FIRST_ANNOUNCEMENT = date(2025, 9, 1)
DATES = 60


def batches(world: World) -> dict[date, list[Paper]]:
    """Each announcement's papers, as a stored batch gives them to the recipe."""
    days: dict[date, list[Paper]] = {}
    for mailing, members in sorted(world.mailings.items()):
        served = (world.papers[paper_id] for paper_id, _ in members)
        days[mailing - timedelta(days=1)] = [
            Paper(id=p.id, version=len(p.versions), title=p.title, authors=p.authors, abstract=p.abstract,
                  categories=p.categories, announce_type="replace" if len(p.versions) > 1 else "new")
            for p in served
        ]  # fmt: skip
    return days


def cpu_times() -> tuple[float, float]:
    """This process's CPU seconds, and its finished children's (Pagefind)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def timed_build(output: Path, site: Path, topics: list[str]) -> str:
    own, pagefind = cpu_times()
    started = time.perf_counter()
    report = build_site(output, site, topics)
    wall = time.perf_counter() - started
    own_after, pagefind_after = cpu_times()
    return (
        f"{report.rebuilt} date pages: {own_after - own:.2f} s CPU building, "
        f"Pagefind {pagefind_after - pagefind:.2f} s CPU ({report.search_seconds or 0:.2f} s wall); "
        f"{wall:.2f} s wall in all"
    )


def site_figures() -> str:
    world = synthetic_world(FIRST_ANNOUNCEMENT, DATES + 1, per_day=1500)
    days = batches(world)
    dates = sorted(days)
    with tempfile.TemporaryDirectory(prefix="digest-site-bench-") as work:
        config = load_config(EIGHT_TOPICS, {"DIGEST_OUTPUT_DIR": f"{work}/output", "DIGEST_CACHE_DIR": f"{work}/cache"})
        plan = make_plan(config)
        topics = list(plan.every_topic)
        with Store.open(plan.store_path) as store:
            for day in dates[:DATES]:
                run_for_date(day, days[day], plan, store, (announcement_in_force(day, plan.holidays), "oai"))
            write_archive(plan, store)
            output, site = plan.output_dir, Path(work) / "site"
            entries = sum(1 for _ in output.glob("*/????-??-??.json"))
            scratch = timed_build(output, site, topics)
            last = dates[DATES]
            run_for_date(last, days[last], plan, store, (announcement_in_force(last, plan.holidays), "oai"))
            write_archive(plan, store)
            update = timed_build(output, site, topics)
        size = sum(path.stat().st_size for path in site.rglob("*") if path.is_file()) / 2**20
    return (
        f"\nSite of {DATES} dates × {len(topics)} topics ({entries} date pages, {size:.0f} MiB with its index):\n"
        f"- from scratch: {scratch}\n- daily update (one new date): {update}"
    )


if __name__ == "__main__":
    print(site_figures())
