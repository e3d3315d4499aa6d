"""Requests, time and memory of the real pipeline against the fewest requests that can return the data.

    python bench/run.py [--scale tiny|small|full|arxiv] [--only TEXT]

Starts the local arXiv test server on 127.0.0.1 over a synthesised world, runs each scenario in a fresh
subprocess (so CPU time and peak RSS are that scenario's alone) with the 3-second spacing shrunk to 0, and
prints one markdown table; each scenario starts from an empty output directory, and those that make no
request are the fastest of three runs. "limit" is the fewest requests that can return the data: latest = 1 RSS +
ceil(kept / 100); OAI backfill = ceil(records served / OAI page size) + ceil(kept / 100); API fallback = sum of
ceil(window records / 2000). `--only TEXT` measures only the scenarios whose name contains TEXT, and runs
(unprinted) the ones whose store they read.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from digest.core.calendar import ARXIV_TIMEZONE, announcement_days, latest_announcement, load_holidays, mailing_date  # noqa: E402
from digest.core.config import Config  # noqa: E402
from digest.core.config_file import load_config  # noqa: E402
from digest.core.intents import Finish, Sourcing  # noqa: E402
from digest.core.plan import Plan, make_plan  # noqa: E402
from digest.core.taxonomy import load_taxonomy  # noqa: E402
from digest.edges import open_edges  # noqa: E402
from digest.ops.estimate import backfill_dates  # noqa: E402
from digest.outputs.reports import BackfillOptions, BackfillReport  # noqa: E402
from digest.recipe import backfill, run  # noqa: E402
from digest.selection.select import select_topics  # noqa: E402
from digest.sources.oai import parse_list_records  # noqa: E402
from digest.store.database import Store  # noqa: E402
from tests.support.arxiv_server import ArxivServer, oai_record  # noqa: E402
from tests.support.golden import DAYS, golden_config_path, golden_date, golden_papers  # noqa: E402
from tests.support.recipes import write_day  # noqa: E402
from tests.support.world import synthetic_world  # noqa: E402

__all__ = ["SCALES", "Row", "Scale", "main", "table"]

ONE_TOPIC = ROOT / "config" / "digest.yaml"
EIGHT_TOPICS = ROOT / "config" / "awesome-daily-ai-arxiv.yml"
FIRST_ANNOUNCEMENT = date(2025, 9, 1)
OAI_PAGE_SIZE = 500
API_PAGE_SIZE = 2000
ID_LIST_CHUNK = 100
SECONDS_PER_REQUEST = 3.0
QUIET_RUNS = 3
SUMMARISING = "Summarising 50 papers against a local stub server: {:.2f} s of this process's CPU."
"""The scenarios that make no request take seconds: the fastest of this many runs is their row, since a
shared machine's speed varies by a third from minute to minute and only ever adds time."""


@dataclass(frozen=True)
class Scale:
    """How big the world is and which backfill ranges (announcement days) to measure."""

    per_day: int
    ranges: tuple[int, int, int]  # short, the one also fetched with --source api, long (and re-rendered)


SCALES = {
    "tiny": Scale(per_day=50, ranges=(1, 2, 3)),
    "small": Scale(per_day=300, ranges=(5, 20, 60)),
    "full": Scale(per_day=1500, ranges=(5, 20, 60)),
}
ARXIV_PER_DAY = 6000
ARXIV_TOPICS = 200
"""`--scale arxiv`: every category subscribed, 6,000 records an announcement, 200 generated topics."""


@dataclass(frozen=True)
class Row:
    scenario: str
    requests: int
    limit: int
    wall: float
    cpu: float
    rss_mb: float

    def cells(self) -> list[str]:
        ratio = f"{self.requests / self.limit:.2f}" if self.limit else ("—" if self.requests == 0 else "∞")
        at_three = self.wall + SECONDS_PER_REQUEST * self.requests
        return [
            self.scenario,
            str(self.requests),
            str(self.limit),
            ratio,
            f"{self.wall:.2f}",
            f"{at_three:.1f}",
            f"{self.cpu:.2f}",
            f"{self.rss_mb:.0f}",
        ]


def table(rows: list[Row]) -> str:
    header = ["scenario", "requests", "limit", "ratio", "wall s", "wall s at 3 s/request", "CPU s", "peak RSS MB"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines)


class CountingServer(ArxivServer):
    """The test server, also counting the OAI records it served and each API search's total."""

    oai_records = 0
    api_totals: dict[str, int]

    def reset_counts(self) -> None:
        self.reset_log()
        self.oai_records = 0
        self.oai_pages_needed = 0
        self.api_totals = {}

    def oai(self, query: dict[str, list[str]], fault: str | None) -> bytes:
        body = super().oai(query, fault)
        self.oai_records += body.count(b"<record>")
        if "resumptionToken" not in query:  # a set's first page: how many pages the whole set needs
            size = body.partition(b'completeListSize="')[2].partition(b'"')[0]
            self.oai_pages_needed += math.ceil(int(size or 0) / self.oai_page_size)
        return body

    def api(self, query: dict[str, list[str]], fault: str | None) -> bytes:
        body = super().api(query, fault)
        search = query.get("search_query", [""])[0]
        if search and not query.get("id_list", [""])[0]:
            total = body.split(b"<opensearch:totalResults>")[1].split(b"<")[0]
            self.api_totals[search] = int(total)
        return body


# The child: one scenario, measured in its own process.


def child(spec: Mapping[str, Any]) -> dict[str, float]:
    """Run one scenario in this process and report its wall time, CPU time, peak RSS and requests."""
    kind = spec["kind"]
    plan = make_plan(load_config(Path(spec["config"]), os.environ)) if spec.get("config") else None
    now = datetime.fromisoformat(spec["now"]) if spec.get("now") else None
    if spec.get("cold_feeds") and plan is not None:  # as if no feed had been built from this store yet
        with closing(sqlite3.connect(plan.store_path)) as cache, cache:
            cache.execute("DELETE FROM feed_entries")  # the store's feed cache; no command empties it
    started, cpu_started = time.perf_counter(), time.process_time()
    requests = 0
    if kind == "latest":
        assert plan is not None and now is not None
        with open_edges(plan) as edges:
            requests = run(plan, None, Finish(), edges, now=now).requests.get("total", 0)
    elif kind == "backfill":
        assert plan is not None and now is not None
        start, end = date.fromisoformat(spec["start"]), date.fromisoformat(spec["end"])
        backfilled = backfill_range(plan, BackfillOptions(start, end, force=True), Sourcing(spec["source"]), now)
        if backfilled.failed:
            raise RuntimeError(f"backfill failed: {backfilled.failed}")
        requests = backfilled.requests.get("total", 0)
    elif kind == "offline":
        assert plan is not None and now is not None
        start, end = date.fromisoformat(spec["start"]), date.fromisoformat(spec["end"])
        rendered = backfill_range(plan, BackfillOptions(start, end, force=True), Sourcing(stored="only"), now)
        if rendered.failed or len(rendered.days) != spec["dates"]:
            raise RuntimeError(f"re-render wrote {len(rendered.days)} dates: {rendered.failed}")
        requests = rendered.requests.get("total", 0)
    elif kind == "parse":
        return {"records_per_cpu_second": oai_parsing_speed()}
    elif kind == "golden":
        for day in DAYS:
            golden = load_config(golden_config_path(day), os.environ)
            write_day(golden, golden_date(day), golden_papers(day), golden.topic)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"requests": requests, "wall": wall, "cpu": cpu, "rss_mb": peak_rss_mb()}


def backfill_range(plan: Plan, options: BackfillOptions, sourcing: Sourcing, now: datetime) -> BackfillReport:
    """`digest backfill` as the command runs it, less the terminal."""
    written = backfill_dates(plan, options, now=now)
    with open_edges(plan, sourcing) as edges:
        report = backfill(plan, written.dates, Finish(), edges, now=now)
    report.skipped = written.skipped
    return report


def peak_rss_mb() -> float:
    """This process's peak resident set since exec (VmHWM); ru_maxrss would carry over the forking parent's."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The parent: the world, the server, the scenarios and their limits.


def measure(spec: Mapping[str, Any], environment: Mapping[str, str]) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"scenario {spec} failed:\n{completed.stderr}")
    result: dict[str, float] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def kept_ids(config: Config, store_path: Path, announcements: list[date]) -> set[str]:
    """The distinct ids any topic keeps over the announcements: what the pipeline must describe."""
    kept: set[str] = set()
    plan = make_plan(config)
    with Store.open(store_path) as store:
        for announcement in announcements:
            batch = store.load_batch(announcement) or []
            for selected in select_topics(batch, plan.every_topic, plan.subscribed).values():
                kept.update(paper.id for paper in selected)
    return kept


def chosen(only: str, name: str, readers: Sequence[str] = ()) -> bool:
    """Whether `--only` asks for the scenario `name`, or for one of the `readers` of the store it leaves."""
    return only in name or any(only in reader for reader in readers)


def noon_of_mailing(announcement: date, days_later: int = 0) -> datetime:
    return datetime.combine(mailing_date(announcement) + timedelta(days=days_later), clock_time(12), ARXIV_TIMEZONE)


def scenarios(scale: Scale, work: Path, server: CountingServer, only: str = "") -> Iterator[Row | None]:
    holidays = load_holidays()
    short, middle, long = scale.ranges
    days = announcement_days(FIRST_ANNOUNCEMENT, FIRST_ANNOUNCEMENT + timedelta(days=4 * long + 14), holidays)[:long]
    after_range = noon_of_mailing(days[-1], days_later=7)

    def environment(name: str) -> dict[str, str]:
        return {
            **server.environment(),
            "DIGEST_REQUEST_INTERVAL": "0",
            "DIGEST_RETRY_BACKOFF": "0.01",
            "DIGEST_OUTPUT_DIR": str(work / name / "output"),
            "DIGEST_CACHE_DIR": str(work / name / "cache"),
        }

    def scenario(
        name: str,
        spec: dict[str, Any],
        limit: Callable[[dict[str, str]], int],
        runs: int = 1,
        settings: Mapping[str, str] | None = None,
        readers: Sequence[str] = (),
    ) -> Row | None:
        if not chosen(only, name, readers):
            return None
        env = environment(name) | dict(settings or {})
        measured = []
        for _ in range(runs):
            shutil.rmtree(env["DIGEST_OUTPUT_DIR"], ignore_errors=True)
            server.reset_counts()
            measured.append(measure(spec, env))
        result = min(measured, key=lambda run: run["cpu"])
        fewest = limit(env) if chosen(only, name) else 0  # an unprinted row's limit is minutes of selection
        return Row(name, int(result["requests"]), fewest, result["wall"], result["cpu"], result["rss_mb"])

    def store_of(env: Mapping[str, str]) -> Path:
        return Path(env["DIGEST_CACHE_DIR"]) / "digest.sqlite3"

    offline = f"re-render {long} days offline"
    without_feeds = f"{offline}, feeds off"
    cold = f"{offline}, no feed cached"
    semantic = f"{offline}, 8 semantic topics"
    computed, cached = f"{semantic}, embeddings computed", f"{semantic}, embeddings cached"
    now_latest = noon_of_mailing(days[-1])
    assert latest_announcement(now_latest, holidays) == days[-1]
    for path, topics in ((ONE_TOPIC, 1), (EIGHT_TOPICS, 8)):
        config_path = str(path)

        def latest_limit(env: dict[str, str], path: Path = path) -> int:
            kept = kept_ids(load_config(path, env), store_of(env), [days[-1]])
            return 1 + math.ceil(len(kept) / ID_LIST_CHUNK)

        latest = {"kind": "latest", "config": config_path, "now": now_latest.isoformat()}
        yield scenario(f"latest batch, {topics} topic{'s' if topics > 1 else ''}", latest, latest_limit)

    for count, source in ((short, "oai"), (middle, "oai"), (long, "oai"), (middle, "api")):
        span = days[:count]

        def backfill_limit(env: dict[str, str], span: list[date] = span, source: str = source) -> int:
            if source == "api":
                return sum(math.ceil(total / API_PAGE_SIZE) for total in server.api_totals.values())
            kept = kept_ids(load_config(EIGHT_TOPICS, env), store_of(env), span)
            return math.ceil(server.oai_records / OAI_PAGE_SIZE) + math.ceil(len(kept) / ID_LIST_CHUNK)

        ranged = {
            "kind": "backfill",
            "config": str(EIGHT_TOPICS),
            "now": after_range.isoformat(),
            "start": span[0].isoformat(),
            "end": span[-1].isoformat(),
            "source": source,
        }
        label = "OAI" if source == "oai" else "--source api"
        readers = (offline, without_feeds, cold, computed, cached) if (count, source) == (long, "oai") else ()
        name = f"backfill {count} day{'s' if count > 1 else ''} ({label})"
        yield scenario(name, ranged, backfill_limit, readers=readers)

    harvested = Path(environment(f"backfill {long} day{'s' if long > 1 else ''} (OAI)")["DIGEST_CACHE_DIR"])
    for name in (offline, without_feeds, cold, semantic):
        if harvested.exists():  # not when --only chose no re-render
            shutil.copytree(harvested, Path(environment(name)["DIGEST_CACHE_DIR"]))
    rerender: dict[str, Any] = {
        "kind": "offline",
        "config": str(EIGHT_TOPICS),
        "now": after_range.isoformat(),
        "start": days[0].isoformat(),
        "end": days[-1].isoformat(),
        "dates": len(days),
    }
    yield scenario(offline, rerender, lambda env: 0, runs=QUIET_RUNS)
    yield scenario(without_feeds, rerender, lambda env: 0, runs=QUIET_RUNS, settings={"DIGEST_FEEDS": "false"})
    yield scenario(cold, {**rerender, "cold_feeds": True}, lambda env: 0, runs=QUIET_RUNS)
    semantic_spec = {**rerender, "config": str(write_semantic_config(work / "semantic.yml"))}
    shared = {"DIGEST_CACHE_DIR": environment(semantic)["DIGEST_CACHE_DIR"]}  # the second reads what the first cached
    yield scenario(computed, semantic_spec, lambda env: 0, settings=shared, readers=[cached])
    yield scenario(cached, semantic_spec, lambda env: 0, runs=QUIET_RUNS, settings=shared)
    yield scenario(f"render {len(DAYS)} golden days, all topics", {"kind": "golden"}, lambda env: 0, runs=QUIET_RUNS)


def write_semantic_config(path: Path) -> Path:
    """The eight topics, each also matched by meaning (`similar_to` its keywords, `combine: any`)."""
    config = yaml.safe_load(EIGHT_TOPICS.read_text(encoding="utf-8"))
    for topic in config["topic"].values():
        words = [keyword if isinstance(keyword, str) else " ".join(keyword) for keyword in topic["keywords"]]
        topic["similar_to"] = {"description": "; ".join(words)}
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def arxiv_scenarios(work: Path, server: CountingServer, only: str = "") -> Iterator[Row | None]:
    """Latest batch, a 20-day backfill, a 60-day one, and the 60 days re-rendered offline, for 200 topics."""
    holidays = load_holidays()
    days = announcement_days(FIRST_ANNOUNCEMENT, FIRST_ANNOUNCEMENT + timedelta(days=120), holidays)[:60]
    config = write_arxiv_config(work / "arxiv.yml")

    def environment(name: str) -> dict[str, str]:
        return {
            **server.environment(),
            "DIGEST_OUTPUT_DIR": str(work / name / "output"),
            "DIGEST_CACHE_DIR": str(work / name / "cache"),
            "DIGEST_BACKFILL_CONFIRM_REQUESTS": "100000000",
            # The test server scans and sorts all 360,000 records for a set's first page: seconds, not one.
            "DIGEST_REQUEST_TIMEOUT": "300",
        }

    offline = f"re-render 60 days offline, all of arXiv, {ARXIV_TOPICS} topics"

    def scenario(
        name: str, spec: dict[str, Any], limit: Callable[[dict[str, str]], int], readers: Sequence[str] = ()
    ) -> Row | None:
        if not chosen(only, name, readers):
            return None
        env = environment(name)
        server.reset_counts()
        result = measure(spec, env)
        fewest = limit(env) if chosen(only, name) else 0  # an unprinted row's limit is minutes of selection
        return Row(name, int(result["requests"]), fewest, result["wall"], result["cpu"], result["rss_mb"])

    def id_lists(env: Mapping[str, str], span: list[date]) -> int:
        kept = kept_ids(load_config(config, env), Path(env["DIGEST_CACHE_DIR"]) / "digest.sqlite3", span)
        return math.ceil(len(kept) / ID_LIST_CHUNK)

    now_latest = noon_of_mailing(days[-1])
    latest = {"kind": "latest", "config": str(config), "now": now_latest.isoformat()}

    def latest_limit(env: dict[str, str]) -> int:
        feeds = 1 + (len(ALL_CATEGORIES) if server.count("rss") > 1 else 0)  # per-category feeds once capped
        return feeds + id_lists(env, [days[-1]])

    yield scenario(f"latest batch, all of arXiv, {ARXIV_TOPICS} topics", latest, latest_limit)
    after_range = noon_of_mailing(days[-1], days_later=7)
    for count in (20, 60):
        span = days[:count]
        ranged = {
            "kind": "backfill", "config": str(config), "now": after_range.isoformat(),
            "start": span[0].isoformat(), "end": span[-1].isoformat(), "source": "oai",
        }  # fmt: skip

        def backfill_limit(env: dict[str, str], span: list[date] = span) -> int:
            return server.oai_pages_needed + id_lists(env, span)

        readers = [offline] if count == 60 else []
        yield scenario(f"backfill {count} days (OAI), all of arXiv", ranged, backfill_limit, readers)
    if not chosen(only, offline):
        return
    shutil.copytree(
        Path(environment("backfill 60 days (OAI), all of arXiv")["DIGEST_CACHE_DIR"]),
        Path(environment(offline)["DIGEST_CACHE_DIR"]),
    )
    rerender = {
        "kind": "offline", "config": str(config), "now": after_range.isoformat(),
        "start": days[0].isoformat(), "end": days[-1].isoformat(), "dates": len(days),
    }  # fmt: skip
    yield scenario(offline, rerender, lambda env: 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=[*sorted(SCALES), "arxiv"], default="full")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--summaries", action="store_true", help="Only the row of summarising 50 papers.")
    parser.add_argument("--only", default="", metavar="TEXT", help="Only the scenarios whose name contains TEXT.")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    # Imported only by the parent: a scenario's child would count the `openai` package's import (about a
    # second of CPU) and the site's as its own cost.
    from bench.site import site_figures
    from bench.summaries import summarising_cpu

    if args.summaries:
        print(SUMMARISING.format(summarising_cpu(50)))
        return 0
    if args.scale == "arxiv":
        world = synthetic_world(
            FIRST_ANNOUNCEMENT, 60, per_day=ARXIV_PER_DAY, outside_share=0, categories=ALL_CATEGORIES, terms=TERMS
        )
    else:
        scale = SCALES[args.scale]
        world = synthetic_world(FIRST_ANNOUNCEMENT, scale.ranges[2], per_day=scale.per_day)
    with (
        tempfile.TemporaryDirectory(prefix="digest-bench-") as work,
        CountingServer(world, oai_page_size=OAI_PAGE_SIZE) as server,
    ):
        rows = []
        measured = (
            arxiv_scenarios(Path(work), server, args.only)
            if args.scale == "arxiv"
            else scenarios(scale, Path(work), server, args.only)
        )
        for row in measured:
            if row is not None and chosen(args.only, row.scenario):
                rows.append(row)
                print(f"measured: {' | '.join(row.cells())}", file=sys.stderr, flush=True)
        print(table(rows))
        if args.only:
            return 0
        if args.scale != "arxiv":
            print(feeds_cost(rows, Path(work)))
    speed = measure({"kind": "parse"}, {})["records_per_cpu_second"]
    print(f"\nOAI-PMH page parsing: {speed:,.0f} records per CPU second (500-record pages).")
    print(site_figures())
    print(SUMMARISING.format(summarising_cpu(50)))
    return 0


def oai_parsing_speed() -> float:
    """Records of a 500-record ListRecords page parsed per CPU second, the best of five parses, in a
    process of its own (a parent holding a large world slows every allocation down with its collector)."""
    papers = list(synthetic_world(FIRST_ANNOUNCEMENT, 1, per_day=OAI_PAGE_SIZE).papers.values())
    page = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<ListRecords>" + "".join(oai_record(paper) for paper in papers) + "<resumptionToken/></ListRecords></OAI-PMH>"
    ).encode()
    best = math.inf
    for _ in range(5):
        started = time.process_time()
        parse_list_records(page)
        best = min(best, time.process_time() - started)
    return len(papers) / best


# --scale arxiv: all of arXiv, 200 topics

ALL_CATEGORIES = sorted(code for code, category in load_taxonomy().items() if not (category.alias_of or category.now))
TERMS = [f"{first}{second}" for first in ("Neuro", "Quanta", "Graph", "Helio", "Proto", "Xeno", "Meta", "Cyto", "Geo",
    "Astro", "Hydro", "Cryo", "Photo", "Socio", "Chrono", "Electro", "Magneto", "Bio", "Thermo", "Nano")
    for second in ("Former", "Net", "Flow", "Scope", "Field", "Bench", "Sim", "Lens", "Kit", "Mesh", "Wave", "Core",
    "Gram", "Trace", "Loop", "Map", "Grid", "Path", "Span", "Base", "Link", "Node", "Plex", "Tron", "Vault", "Ray",
    "Pulse", "Forge", "Drift", "Shift")]  # fmt: skip
"""600 rare terms for the generated topics: a paper carries up to two, a topic looks for two to five."""


def write_arxiv_config(path: Path) -> Path:
    """Every current category subscribed, and 200 topics shaped like the golden ones: plain keywords,
    "all of these" lists, and now and then a filter."""
    rng = random.Random(1)
    topics: dict[str, dict[str, Any]] = {}
    for number in range(ARXIV_TOPICS):
        keywords: list[Any] = rng.sample(TERMS, rng.randint(2, 5))
        if rng.random() < 0.3:
            keywords.append([rng.choice(TERMS), rng.choice(["model", "learning", "data"])])
        filters = rng.sample(TERMS, rng.randint(1, 2)) if rng.random() < 0.2 else None
        topics[f"Topic-{number:03d}"] = {"keywords": keywords, "filters": filters}
    config = {"category": {code: code for code in ALL_CATEGORIES}, "topic": topics}
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def feeds_cost(rows: list[Row], work: Path) -> str:
    """What the Atom feeds add to the re-render: CPU (with against without, each date's entries cached in
    the store by the backfill that wrote them, or none cached) and the bytes they take."""
    with_feeds, without, cold = (
        next(row for row in rows if row.scenario.startswith("re-render") and row.scenario.endswith(end))
        for end in ("offline", "feeds off", "no feed cached")
    )
    feeds = list((work / with_feeds.scenario / "output").rglob("feed.xml"))
    size = sum(path.stat().st_size for path in feeds)

    def extra(row: Row) -> str:
        return f"{row.cpu - without.cpu:+.2f} s, {100 * (row.cpu - without.cpu) / without.cpu:+.0f} %"

    return (
        f"\nFeeds in the {with_feeds.scenario} scenario: {len(feeds)} feed.xml, {size / 1024:.0f} KB; CPU "
        f"{without.cpu:.2f} s without them, {with_feeds.cpu:.2f} s with them ({extra(with_feeds)}), "
        f"{cold.cpu:.2f} s with no date's entries cached ({extra(cold)})."
    )


if __name__ == "__main__":
    sys.exit(main())
