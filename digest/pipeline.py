"""The one place the stages are composed: calendar -> fetch -> store -> select -> render -> write -> publish.

`digest render`, `digest run`, `digest backfill` and the scheduler all end in `write_day`; `run` and
`backfill` are the recipes that decide which batch a date needs and where it comes from.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

from digest.backfill_plan import BackfillPlan, plan_backfill
from digest.calendar import (
    ARXIV_TIMEZONE,
    FIRST_ANNOUNCEMENT,
    announcement_days,
    announcement_in_force,
    latest_announcement,
    load_holidays,
    mailing_date,
    not_yet_announced,
    submission_window,
)
from digest.config import Config, Settings, Topic
from digest.errors import DigestError, FetchError, InputError, OfflineMissError
from digest.fetch import ArxivApiClient, ArxivHttp, fetch_latest_listing, fetch_metadata, fetch_submitted_window
from digest.fetch.api import ID_LIST_CHUNK
from digest.fetch.oai import HarvestProgress, announced_between, harvest, set_spec
from digest.lock import output_lock
from digest.models import Paper
from digest.publish import PublishResult, commit_message, publish
from digest.render import render_digest
from digest.select import Rules, category_prefilter, select_topics
from digest.store import Store
from digest.write import INDEX_NAME, check_indexes, digest_path, rebuild_indexes, recent_digest_ids, write_digests

__all__ = [
    "Arxiv",
    "BackfillOptions",
    "BackfillReport",
    "DayResult",
    "RunOptions",
    "RunReport",
    "backfill",
    "backfill_dates",
    "chosen_topics",
    "plan",
    "recently_listed",
    "render_records",
    "require_stored_batch",
    "run",
    "select_day",
    "stored_batches",
    "write_day",
    "write_day_digests",
]

log = logging.getLogger(__name__)

Source = Literal["auto", "rss", "oai", "api"]


@dataclass(frozen=True)
class DayResult:
    """What a date produced: papers per topic."""

    date: date
    counts: dict[str, int]

    def targets(self, output_dir: Path) -> list[Path]:
        """Every file this date's run is responsible for: its digests and the index pages.

        Publishing these, not only the files whose bytes changed, also commits what a crashed run left.
        """
        pages = [digest_path(output_dir, topic, self.date) for topic in self.counts]
        pages += [output_dir / topic / INDEX_NAME for topic in self.counts]
        return [*pages, output_dir / INDEX_NAME]

    def summary(self) -> str:
        """One line for logs and the terminal: `2025-10-04: MLLM 48, LLM 120`."""
        counts = ", ".join(f"{topic} {count}" for topic, count in self.counts.items())
        return f"{self.date.isoformat()}: {counts}"


def chosen_topics(config: Config, names: Sequence[str] = ()) -> dict[str, Topic]:
    """The configured topics, or the named subset; an unknown name is an input error."""
    unknown = [name for name in names if name not in config.topic]
    if unknown:
        known = ", ".join(config.topic)
        raise InputError(f"unknown topic {unknown[0]!r}; the configuration has: {known}")
    return {name: topic for name, topic in config.topic.items() if not names or name in names}


def select_day(
    config: Config,
    papers: Iterable[Paper],
    topics: Mapping[str, Topic],
    seen: Mapping[str, Mapping[str, date]] | None = None,
) -> dict[str, list[Paper]]:
    """The papers each topic keeps from one date's batch, in digest order. Pure.

    `seen` maps a topic to the ids its recent digests listed, for topics with `dedupe_days`.
    """
    chosen = {name: (topic, Rules.for_topic(topic, config.settings)) for name, topic in topics.items()}
    return select_topics(papers, chosen, config.category, seen)


def recently_listed(config: Config, day: date, topics: Mapping[str, Topic]) -> dict[str, dict[str, date]]:
    """For topics with `dedupe_days`, the ids their digests listed in the days before `day`."""
    output_dir = config.settings.output_dir
    return {
        name: recent_digest_ids(output_dir, name, day, days)
        for name, topic in topics.items()
        if (days := Rules.for_topic(topic, config.settings).dedupe_days)
    }


def write_day(config: Config, day: date, papers: Iterable[Paper], topics: Mapping[str, Topic]) -> DayResult:
    """Render and write one date's digests, then bring the index pages up to date."""
    result = write_day_digests(config, day, papers, topics)
    rebuild_indexes(config.settings.output_dir)
    return result


def write_day_digests(config: Config, day: date, papers: Iterable[Paper], topics: Mapping[str, Topic]) -> DayResult:
    """Render and write one date's digests; the index pages are the caller's to rebuild."""
    kept = select_day(config, papers, topics, recently_listed(config, day, topics))
    digests = {name: render_digest(name, topics[name], day, selected) for name, selected in kept.items()}
    write_digests(config.settings.output_dir, day, digests)
    return DayResult(day, {name: len(selected) for name, selected in kept.items()})


def render_records(
    config: Config,
    day: date,
    papers: Sequence[Paper],
    topics: Mapping[str, Topic],
    *,
    force: bool = False,
    allow_empty: bool = False,
) -> DayResult:
    """`digest render`: records from a file, written under the output lock like any run.

    Like backfill, it replaces a published digest only with `force`; and an empty records file, far more
    often a mistake than an empty day, writes `Papers-0` digests only with `allow_empty`.
    """
    if not papers and not allow_empty:
        raise InputError("the records file holds no paper; --allow-empty writes empty digests all the same")
    output_dir = config.settings.output_dir
    with output_lock(output_dir, config.settings.lock_timeout):
        check_indexes(output_dir, topics)
        existing = [digest_path(output_dir, topic, day) for topic in topics]
        existing = [path for path in existing if path.exists()]
        if existing and not force:
            more = f" (and {len(existing) - 1} more of {day.isoformat()})" if len(existing) > 1 else ""
            raise InputError(f"{existing[0]} exists already{more}; --force replaces it")
        return write_day(config, day, papers, topics)


@dataclass(frozen=True)
class RunOptions:
    """What one `digest run` (or one scheduled tick) asks for."""

    day: date | None = None
    topics: tuple[str, ...] = ()
    source: Source = "auto"
    offline: bool = False
    refresh: bool = False
    commit: bool = False
    push: bool = False


@dataclass
class RunReport:
    """What a run did, for the terminal, the log and the benchmark."""

    days: list[DayResult] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    published: PublishResult | None = None

    def summary(self) -> str:
        """One line: the dates and counts, the requests arXiv saw, what was published."""
        parts = [day.summary() for day in self.days] or ["nothing written"]
        parts.append(f"{self.requests.get('total', 0)} requests")
        if self.published is not None:
            parts.append(self.published.summary())
        return "; ".join(parts)


class Arxiv:
    """The network edge of a run: one HTTP client for every arXiv interface, opened only when needed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._http: ArxivHttp | None = None
        self._api: ArxivApiClient | None = None

    @property
    def http(self) -> ArxivHttp:
        if self._http is None:
            self._http = ArxivHttp(self.settings)
        return self._http

    @property
    def api(self) -> ArxivApiClient:
        if self._api is None:
            self._api = ArxivApiClient(self.http, self.settings.arxiv_api_url)
        return self._api

    @property
    def requests(self) -> dict[str, int]:
        return self._http.stats if self._http is not None else {"total": 0}

    def close(self) -> None:
        if self._http is not None:
            self._http.close()


def run(config: Config, options: RunOptions, *, now: datetime) -> RunReport:
    """One batch: the latest announcement (no `day`), or the one in force on `day`; written, then published."""
    settings = config.settings
    topics = chosen_topics(config, options.topics)
    holidays = load_holidays(settings.holidays)
    if options.day is not None and (unannounced := not_yet_announced(options.day, now, holidays)):
        raise InputError(f"{options.day.isoformat()}: {unannounced}")
    report = RunReport()
    arxiv = Arxiv(settings)
    try:
        with output_lock(settings.output_dir, settings.lock_timeout), Store.open(settings.store_path) as store:
            check_indexes(settings.output_dir, topics)
            asked = options.day or latest_announcement(now, holidays)
            try:
                if options.day is None:
                    found = latest_batch(config, store, arxiv, options, now=now, holidays=holidays, notes=report.notes)
                else:
                    announcement = announcement_in_force(options.day, holidays)
                    batch = batch_for_announcement(
                        config, store, arxiv, announcement, options, now=now, holidays=holidays, notes=report.notes
                    )
                    found = options.day, batch
            except FetchError as err:
                raise FetchError(f"{asked.isoformat()}: {err}") from err
            if found is not None:
                day, papers = found
                report.days.append(write_day(config, day, papers, topics))
            report.requests = arxiv.requests
            report.published = publish_days(config, report.days, options)
    finally:
        arxiv.close()
    return report


def latest_batch(
    config: Config,
    store: Store,
    arxiv: Arxiv,
    options: RunOptions,
    *,
    now: datetime,
    holidays: Collection[date],
    notes: list[str],
) -> tuple[date, list[Paper]] | None:
    """The batch on arXiv's feed now, dated by its announcement evening; None when the feed is empty."""
    expected = latest_announcement(now, holidays)
    stored = _cached_batch(config, store, expected, expected, options)
    if stored is not None:
        return expected, stored
    settings = config.settings
    listing = fetch_latest_listing(
        arxiv.http, settings.arxiv_rss_url, list(config.category), item_cap=settings.rss_item_cap
    )
    if not listing.items:
        notes.append(
            f"arXiv's feed lists no announcement now (weekend or holiday): nothing to write; "
            f"if the batch of {expected.isoformat()} was missed, run `digest run --date {expected.isoformat()}`"
        )
        log.warning("%s", notes[-1])
        return None
    if listing.mailing_date != mailing_date(expected):
        shown = listing.mailing_date.isoformat() if listing.mailing_date else "no date"
        raise FetchError(
            f"stale feed: arXiv's RSS is dated {shown}, expected {mailing_date(expected).isoformat()} "
            f"(the batch announced {expected.isoformat()}); nothing written"
        )
    listed = [item.to_paper() for item in listing.items if item.announce_type in ANNOUNCED]
    previous = store.latest_batch_before(expected)
    if previous is not None and previous[1] == {paper.id for paper in listed}:
        raise FetchError(
            f"stale feed: arXiv's RSS repeats the batch of {previous[0].isoformat()}; nothing written for "
            f"{expected.isoformat()}"
        )
    return expected, _stored(store, expected, "rss", with_metadata(config, arxiv, listed))


def batch_for_announcement(
    config: Config,
    store: Store,
    arxiv: Arxiv,
    announcement: date,
    options: RunOptions,
    *,
    now: datetime,
    holidays: Collection[date],
    notes: list[str],
) -> list[Paper]:
    """The batch of a past (or the latest) announcement: from the store, else from the chosen source."""
    stored = _cached_batch(config, store, announcement, options.day or announcement, options)
    if stored is not None:
        return stored
    source = options.source
    if source == "auto":
        source = "rss" if announcement == latest_announcement(now, holidays) else "oai"
    if source == "rss":
        found = latest_batch(config, store, arxiv, options, now=now, holidays=holidays, notes=notes)
        if found is None or found[0] != announcement:
            raise FetchError(
                f"arXiv's feed does not hold the batch announced {announcement.isoformat()}; "
                "use --source oai for past dates"
            )
        return found[1]
    if source == "api":
        notes.append(APPROXIMATE_NOTE.format(day=announcement.isoformat()))
        log.warning("%s", notes[-1])
    ((_, outcome),) = _fetched_batches(config, store, arxiv, [announcement], source, holidays)
    if isinstance(outcome, FetchError):
        raise outcome
    return outcome


APPROXIMATE_NOTE = (
    "{day}: approximate (--source api): new papers only; replacements and papers held in moderation are missing"
)

ANNOUNCED = ("new", "replace")


def with_metadata(config: Config, arxiv: Arxiv, listed: list[Paper]) -> list[Paper]:
    """One batch with authoritative API metadata for every paper a topic keeps."""
    ((_, outcome),) = described_batches(config, arxiv, [(date.min, listed)])
    if isinstance(outcome, FetchError):
        raise outcome
    return outcome


def described_batches(
    config: Config,
    arxiv: Arxiv,
    batches: Iterable[tuple[date, list[Paper]]],
    recall: Callable[[list[str]], list[Paper]] = lambda ids: [],
) -> Iterator[tuple[date, list[Paper] | FetchError]]:
    """Each batch with API metadata for the papers a topic keeps, or the FetchError that stopped it.

    Kept ids are asked for in full chunks of 100 across batches, so a backfill costs
    ceil(distinct kept papers / 100) id_list requests in all, not one per date; a batch is released as soon
    as all its kept papers are described, so only the few batches waiting on a chunk are held in memory.
    A paper kept again later in the range (announced new, then replaced) is not asked twice: `recall`
    reads back the record saved when its earlier batch was released.
    """
    waiting: list[tuple[date, list[Paper], set[str]]] = []
    pending: list[str] = []
    described: dict[str, Paper] = {}
    asked: set[str] = set()
    for announcement, listed in batches:
        kept = {paper.id for selected in select_day(config, listed, config.topic).values() for paper in selected}
        queued = set(pending)
        described.update((paper.id, paper) for paper in recall(sorted(kept & asked - described.keys() - queued)))
        pending.extend(sorted(kept - described.keys() - queued))
        asked |= kept
        waiting.append((announcement, listed, kept))
        while len(pending) >= ID_LIST_CHUNK:
            chunk = pending[:ID_LIST_CHUNK]
            del pending[:ID_LIST_CHUNK]
            yield from _describe(arxiv, chunk, described, waiting, pending, asked)
    if waiting:
        yield from _describe(arxiv, pending, described, waiting, pending, asked)


def _describe(
    arxiv: Arxiv,
    ids: list[str],
    described: dict[str, Paper],
    waiting: list[tuple[date, list[Paper], set[str]]],
    pending: list[str],
    asked: set[str],
) -> Iterator[tuple[date, list[Paper] | FetchError]]:
    """Fetch `ids`, then release the waiting batches now fully described; a failure fails every waiting one."""
    try:
        described.update((paper.id, paper) for paper in fetch_metadata(arxiv.api, ids))
    except FetchError as err:
        for announcement, _, _ in waiting:
            yield announcement, err
        for state in (waiting, described, pending, asked):
            state.clear()
        return
    while waiting and waiting[0][2] <= described.keys():
        announcement, listed, kept = waiting.pop(0)
        yield (
            announcement,
            [
                described[paper.id].model_copy(update={"announce_type": paper.announce_type})
                if paper.id in kept
                else paper
                for paper in listed
            ],
        )
    still_needed = set().union(*(kept for _, _, kept in waiting))
    for paper_id in described.keys() - still_needed:
        del described[paper_id]


def members(papers: Iterable[Paper]) -> list[tuple[str, int | None, str]]:
    """A batch's membership rows: id, version, announce type."""
    return [(paper.id, paper.version, paper.announce_type or "new") for paper in papers]


def publish_days(config: Config, days: Sequence[DayResult], options: RunOptions) -> PublishResult | None:
    """Commit (and push) what the run targeted; `--push` implies `--commit`."""
    if not (options.commit or options.push) or not days:
        return None
    output_dir = config.settings.output_dir
    targeted = [path for day in days for path in day.targets(output_dir)]
    message = commit_message({day.date: day.counts for day in days})
    return publish(output_dir, targeted, message, push=options.push, settings=config.settings)


def stored_batches(config: Config, days: Iterable[date]) -> Iterator[tuple[date, date, list[Paper] | None]]:
    """For each date, the announcement in force and its batch as the store holds it (or None); no network."""
    holidays = load_holidays(config.settings.holidays)
    with Store.open(config.settings.store_path) as store:
        for day in days:
            announcement = announcement_in_force(day, holidays)
            yield day, announcement, store.load_batch(announcement)


def require_stored_batch(config: Config, day: date) -> list[Paper]:
    """The stored batch of `day`, or an OfflineMissError that says what to run."""
    ((_, announcement, papers),) = stored_batches(config, [day])
    if papers is None:
        raise _offline_miss(day, announcement)
    return papers


def _cached_batch(
    config: Config, store: Store, announcement: date, asked: date, options: RunOptions
) -> list[Paper] | None:
    """The stored batch's candidates unless `--refresh`; with `--offline`, its absence is an OfflineMissError."""
    stored = None if options.refresh else _stored_candidates(config, store, announcement)
    if stored is not None:
        log.info("the batch announced %s is stored; no request", announcement)
    elif options.offline:
        raise _offline_miss(asked, announcement)
    return stored


def _stored_candidates(config: Config, store: Store, announcement: date) -> list[Paper] | None:
    """A stored batch less the papers that no topic's category rule lets through, which are never built.

    What every topic selects from it is the same as from the whole batch; `digest explain` reads it whole.
    """
    rules = [Rules.for_topic(topic, config.settings) for topic in config.topic.values()]
    return store.load_batch(announcement, only=category_prefilter(config.category, rules))


def _offline_miss(day: date, announcement: date) -> OfflineMissError:
    asked = day.isoformat()
    announced = f" (announced {announcement.isoformat()})" if announcement != day else ""
    return OfflineMissError(
        f"the store holds no batch for {asked}{announced}; run `digest run --date {asked}` without --offline first"
    )


@dataclass(frozen=True)
class BackfillOptions:
    """What one `digest backfill` asks for."""

    start: date
    end: date
    every_day: bool = False
    force: bool = False
    topics: tuple[str, ...] = ()
    source: Source = "auto"
    offline: bool = False
    commit: bool = False
    push: bool = False


@dataclass
class BackfillReport(RunReport):
    """A backfill's outcome: dates written, skipped (already on disk) and failed (with the cause)."""

    skipped: list[date] = field(default_factory=list)
    failed: list[tuple[date, str]] = field(default_factory=list)

    def summary(self) -> str:
        line = (
            f"{len(self.days)} dates written, {len(self.skipped)} skipped, {len(self.failed)} failed; "
            f"{self.requests.get('total', 0)} requests"
        )
        return f"{line}; {self.published.summary()}" if self.published is not None else line


def backfill_dates(config: Config, options: BackfillOptions, *, now: datetime) -> tuple[list[date], list[date]]:
    """The dates a backfill writes and those it skips because their digests exist (unless `force`).

    Announcement dates only, unless `every_day` asks for every calendar date as the source wrote them.
    """
    if options.start > options.end:
        raise InputError(f"--from {options.start.isoformat()} is after --to {options.end.isoformat()}")
    if options.start < FIRST_ANNOUNCEMENT:
        raise InputError(
            f"--from {options.start.isoformat()}: arXiv's first announcement was {FIRST_ANNOUNCEMENT.isoformat()}"
        )
    holidays = load_holidays(config.settings.holidays)
    unannounced = not_yet_announced(options.end, now, holidays)
    if unannounced:
        raise InputError(f"--to {options.end.isoformat()} is in the future: {unannounced}")
    if options.every_day:
        dates = [options.start + timedelta(days=n) for n in range((options.end - options.start).days + 1)]
    else:
        dates = announcement_days(options.start, options.end, holidays)
    topics = chosen_topics(config, options.topics)
    output_dir = config.settings.output_dir

    def written(day: date) -> bool:
        return all(digest_path(output_dir, topic, day).exists() for topic in topics)

    todo = [day for day in dates if options.force or not written(day)]
    return todo, [day for day in dates if day not in todo]


def plan(config: Config, options: BackfillOptions, *, now: datetime) -> BackfillPlan:
    """The dates a backfill writes and skips, the announcements behind them and what fetching them costs."""
    todo, skipped = backfill_dates(config, options, now=now)
    holidays = load_holidays(config.settings.holidays)
    announcements = sorted({announcement_in_force(day, holidays) for day in todo})
    with Store.open(config.settings.store_path) as store:
        stored = {announcement for announcement in announcements if store.has_batch(announcement)}
    return plan_backfill(
        todo,
        skipped,
        announcements,
        stored,
        source="offline" if options.offline else options.source,
        sets={set_spec(category) for category in config.category},
        topics=len(chosen_topics(config, options.topics)),
        window_starts={a: submission_window(a, holidays)[0].date() for a in announcements},
        today=now.astimezone(ARXIV_TIMEZONE).date(),
        request_interval=config.settings.request_interval,
    )


def backfill(
    config: Config,
    options: BackfillOptions,
    *,
    now: datetime,
    planned: BackfillPlan | None = None,
    on_date: Callable[[date, str, bool], None] = lambda day, outcome, failed: None,
    on_harvest: HarvestProgress = lambda spec, received, total: None,
) -> BackfillReport:
    """Write every date of the range, one harvest for all; a failed date does not stop the others.

    The index pages are rebuilt once, after the last date (or when the range stops early), not per date.
    `planned` is the plan the caller showed (made here when None); `on_date` hears each date's outcome and
    whether it failed, `on_harvest` each OAI-PMH page received.
    """
    planned = planned or plan(config, options, now=now)
    report = BackfillReport(skipped=planned.skipped)
    settings = config.settings
    holidays = load_holidays(settings.holidays)
    topics = chosen_topics(config, options.topics)
    dates_of: dict[date, list[date]] = {}
    for day in planned.dates:
        dates_of.setdefault(announcement_in_force(day, holidays), []).append(day)
    arxiv = Arxiv(settings)
    try:
        with output_lock(settings.output_dir, settings.lock_timeout), Store.open(settings.store_path) as store:
            check_indexes(settings.output_dir, topics)
            try:
                batches = _range_batches(config, store, arxiv, sorted(dates_of), options, holidays, on_harvest)
                for announcement, outcome in batches:
                    for day in dates_of[announcement]:
                        if isinstance(outcome, DigestError):
                            report.failed.append((day, str(outcome)))
                            on_date(day, str(outcome), True)
                        else:
                            result = write_day_digests(config, day, outcome, topics)
                            report.days.append(result)
                            on_date(day, result.summary(), False)
            finally:
                if report.days:
                    rebuild_indexes(settings.output_dir)
            report.requests = arxiv.requests
            if options.source == "api":
                report.notes.append(APPROXIMATE_NOTE.format(day=f"{options.start}..{options.end}"))
            report.published = publish_days(config, report.days, RunOptions(commit=options.commit, push=options.push))
    finally:
        arxiv.close()
    return report


def _range_batches(
    config: Config,
    store: Store,
    arxiv: Arxiv,
    announcements: list[date],
    options: BackfillOptions,
    holidays: Collection[date],
    on_harvest: HarvestProgress,
) -> Iterator[tuple[date, list[Paper] | FetchError | OfflineMissError]]:
    """Each announcement's batch in date order: stored ones as they are, the others fetched and stored.

    With `offline`, an announcement the store lacks is an OfflineMissError instead of a fetch.
    """
    missing = [announcement for announcement in announcements if not store.has_batch(announcement)]
    fetched = _fetched_batches(
        config, store, arxiv, [] if options.offline else missing, options.source, holidays, on_harvest
    )
    for announcement in announcements:
        if announcement not in missing:
            yield announcement, _stored_candidates(config, store, announcement) or []
        elif options.offline:
            yield announcement, _offline_miss(announcement, announcement)
        else:
            fetched_announcement, outcome = next(fetched)
            assert fetched_announcement == announcement
            yield announcement, outcome


def _fetched_batches(
    config: Config,
    store: Store,
    arxiv: Arxiv,
    announcements: list[date],
    source: Source,
    holidays: Collection[date],
    on_harvest: HarvestProgress = lambda spec, received, total: None,
) -> Iterator[tuple[date, list[Paper] | FetchError]]:
    windows = {announcement: submission_window(announcement, holidays) for announcement in announcements}
    if source == "api":
        for announcement, window in windows.items():
            try:
                papers = fetch_submitted_window(arxiv.api, list(config.category), *window)
            except FetchError as err:
                yield announcement, err
                continue
            if not papers:
                log.warning(
                    "%s: arXiv API lists no paper submitted from %s to %s; the digests are empty",
                    announcement,
                    *(moment.isoformat() for moment in window),
                )
            yield announcement, _stored(store, announcement, "api", papers)
        return
    if not announcements:
        return
    try:
        harvest_windows(config, store, arxiv, min(start for start, _ in windows.values()).date(), on_harvest)
    except FetchError as err:
        for announcement in announcements:
            yield announcement, err
        return
    # A regular announcement always has submissions: a window without a single harvested version is a harvest
    # that came back short, not an empty day.
    empty = {
        announcement for announcement, window in windows.items() if not store.has_versions_submitted_between(*window)
    }
    listed = (
        (announcement, [] if announcement in empty else announced_between(store, *window, config.category))
        for announcement, window in windows.items()
    )
    for announcement, outcome in described_batches(config, arxiv, listed, recall=store.load_papers):
        if announcement in empty:
            outcome = FetchError(
                f"arXiv returned no paper for the batch announced {announcement.isoformat()}; nothing written"
            )
        yield announcement, outcome if isinstance(outcome, FetchError) else _stored(store, announcement, "oai", outcome)


def harvest_windows(config: Config, store: Store, arxiv: Arxiv, from_date: date, on_harvest: HarvestProgress) -> None:
    """One OAI-PMH harvest per set the subscribed categories live in (`cs` for all of cs.*)."""
    for spec in sorted({set_spec(category) for category in config.category}):
        harvest(arxiv.http, store, config.settings.arxiv_oai_url, spec, from_date, on_page=on_harvest)


def _stored(store: Store, announcement: date, source: str, papers: list[Paper]) -> list[Paper]:
    store.save_papers(papers)
    store.save_batch(announcement, source, members(papers))
    return papers
