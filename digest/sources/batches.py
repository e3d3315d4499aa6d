"""Which batch a date needs, and where it comes from: the store, else RSS (the latest), OAI-PMH or the API.

Every fetched batch is saved before it is handed on, and only a batch that is complete: a fetch fails its
date rather than return less. See docs/design.md, "Dates and sources".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from digest.core.calendar import announcement_in_force, latest_announcement, mailing_date, submission_window
from digest.core.config import Source
from digest.core.errors import DigestError, FetchError, IncompleteHarvest, OfflineMissError
from digest.core.intents import Sourcing
from digest.core.models import AnnounceType, Paper
from digest.core.plan import Plan
from digest.sources.api import fetch_metadata, fetch_submitted_window
from digest.sources.arxiv import Arxiv
from digest.sources.describe import describe_batches
from digest.sources.oai import (
    ANNOUNCED_DATESTAMPS,
    HarvestPart,
    HarvestProgress,
    covered_after,
    harvest,
    plan_harvest,
    set_spec,
)
from digest.sources.rss import fetch_latest_listing
from digest.sources.wanted import Wanted
from digest.store.database import Store
from digest.store.harvests import VersionRow

__all__ = [
    "APPROXIMATE_NOTE",
    "Batches",
    "announce_types",
    "offline_miss",
]

log = logging.getLogger(__name__)

APPROXIMATE_NOTE = (
    "{day}: approximate (--source api): new papers only; replacements and papers held in moderation are missing"
)
_ANNOUNCED = ("new", "replace")
"""The listing's announce types that make a batch; cross-lists belong to their own archive's batch."""


class Batches:
    """The batches of one command: read from the store, or fetched through `arxiv` and saved to it.

    `wanted` says what the topics want of a batch: the batches never select. `sourcing` picks the interface
    (`auto`: RSS for the latest announcement, OAI-PMH for the past) and whether the store serves first,
    alone (offline) or not at all (refresh). `notes` collects what the user should hear.
    """

    def __init__(
        self,
        plan: Plan,
        store: Store,
        arxiv: Arxiv,
        sourcing: Sourcing,
        wanted: Wanted,
        on_harvest: HarvestProgress = lambda spec, received, total: None,
    ) -> None:
        self.plan, self.store, self.arxiv = plan, store, arxiv
        self.wanted = wanted
        self.source, self.stored = sourcing.source, sourcing.stored
        self.on_harvest = on_harvest
        self.notes: list[str] = []

    @property
    def requests(self) -> dict[str, int]:
        """The requests arXiv has seen from this command, by interface and in total."""
        return self.arxiv.requests

    def provenance(self, day: date) -> tuple[date, str | None]:
        """The announcement in force on `day`, and where its stored batch came from (None: not stored)."""
        announcement = announcement_in_force(day, self.plan.holidays)
        return announcement, self.store.load_batch_sources(announcement, announcement).get(announcement)

    def fetch_latest(self, now: datetime) -> tuple[date, list[Paper]] | None:
        """The batch on arXiv's feed at `now`, dated by its announcement evening; None when the feed is empty."""
        expected = latest_announcement(now, self.plan.holidays)
        stored = self._load_stored(expected, expected)
        if stored is not None:
            return expected, stored
        settings = self.plan.settings
        listing = fetch_latest_listing(
            self.arxiv.http, settings.arxiv_rss_url, list(self.plan.subscribed), item_cap=settings.rss_item_cap
        )
        if not listing.items:
            self._note(
                f"arXiv's feed lists no announcement now (weekend or holiday): nothing to write; "
                f"if the batch of {expected.isoformat()} was missed, run `digest run --date {expected.isoformat()}`"
            )
            return None
        if listing.mailing_date != mailing_date(expected):
            shown = listing.mailing_date.isoformat() if listing.mailing_date else "no date"
            raise FetchError(
                f"stale feed: arXiv's RSS is dated {shown}, expected {mailing_date(expected).isoformat()} "
                f"(the batch announced {expected.isoformat()}); nothing written"
            )
        listed = [item.to_paper() for item in listing.items if item.announce_type in _ANNOUNCED]
        previous = self.store.latest_batch_before(expected)
        if previous is not None and previous[1] == {paper.id for paper in listed}:
            raise FetchError(
                f"stale feed: arXiv's RSS repeats the batch of {previous[0].isoformat()}; nothing written for "
                f"{expected.isoformat()}"
            )
        ((_, described),) = self._described([(expected, listed)])
        if isinstance(described, FetchError):
            raise described
        return expected, self._save(expected, "rss", described)

    def fetch_announcement(self, announcement: date, asked: date, now: datetime) -> list[Paper]:
        """The batch of one announcement (in force on the date `asked`): stored, else from the chosen source."""
        stored = self._load_stored(announcement, asked)
        if stored is not None:
            return stored
        source = self.source
        if source == "auto":
            source = "rss" if announcement == latest_announcement(now, self.plan.holidays) else "oai"
        if source == "rss":
            found = self.fetch_latest(now)
            if found is None or found[0] != announcement:
                raise FetchError(
                    f"arXiv's feed does not hold the batch announced {announcement.isoformat()}; "
                    "use --source oai for past dates"
                )
            return found[1]
        if source == "api":
            self._note(APPROXIMATE_NOTE.format(day=announcement.isoformat()))
        ((_, outcome),) = self._fetch_past([announcement], source, now)
        if isinstance(outcome, FetchError):
            raise outcome
        return outcome

    def fetch_range(self, dates: Iterable[date], now: datetime) -> Iterator[tuple[date, list[Paper] | DigestError]]:
        """Each date's batch (the announcement in force on it), in order: stored ones as they are, the others
        fetched and saved, all of them with one harvest. Offline, a batch the store lacks is an OfflineMissError.
        """
        dates_of: dict[date, list[date]] = {}
        for day in dates:
            dates_of.setdefault(announcement_in_force(day, self.plan.holidays), []).append(day)
        if self.source == "api" and dates_of:
            self.notes.append(APPROXIMATE_NOTE.format(day=f"{min(dates_of)}..{max(dates_of)}"))
        announcements = sorted(dates_of)
        missing = [announcement for announcement in announcements if not self.store.has_batch(announcement)]
        absent = set(missing)
        fetched = iter(() if self.stored == "only" else self._fetch_past(missing, self.source, now))
        for announcement in announcements:
            if announcement not in absent:
                outcome: list[Paper] | DigestError = self._load_stored(announcement, announcement) or []
            elif self.stored == "only":
                outcome = offline_miss(announcement, announcement)
            else:
                _, outcome = next(fetched)
            for day in dates_of[announcement]:
                yield day, outcome

    def _fetch_past(
        self, announcements: list[date], source: Source, now: datetime
    ) -> Iterator[tuple[date, list[Paper] | FetchError]]:
        """Past batches, in order: one OAI-PMH harvest for them all, or one API query a window."""
        windows = {announcement: submission_window(announcement, self.plan.holidays) for announcement in announcements}
        if source == "api":
            for announcement, window in windows.items():
                try:
                    papers = fetch_submitted_window(self.arxiv.api, list(self.plan.subscribed), *window)
                except FetchError as err:
                    yield announcement, err
                    continue
                if not papers:
                    log.warning(
                        "%s: arXiv API lists no paper submitted from %s to %s; the digests are empty",
                        announcement,
                        *(moment.isoformat() for moment in window),
                    )
                yield announcement, self._save(announcement, "api", papers)
            return
        if not announcements:
            return
        try:
            first = min(start for start, _ in windows.values()).date()
            self.harvest_span(first, max(announcements) + ANNOUNCED_DATESTAMPS, now)
        except FetchError as err:
            for announcement in announcements:
                yield announcement, err
            return
        # A regular announcement always has submissions: a window without a single harvested version is a
        # harvest that came back short, not an empty day.
        empty = {when for when, window in windows.items() if not self.store.has_versions_submitted_between(*window)}
        listed = ((when, [] if when in empty else self._announced(*window)) for when, window in windows.items())
        for announcement, outcome in self._described(listed):
            if announcement in empty:
                outcome = FetchError(
                    f"arXiv returned no paper for the batch announced {announcement.isoformat()}; nothing written"
                )
            yield announcement, outcome if isinstance(outcome, FetchError) else self._save(announcement, "oai", outcome)

    def harvest_span(self, start: date, latest: date, now: datetime) -> None:
        """Bring the store's coverage of every set the subscribed categories live in (`cs` for all of cs.*)
        to the datestamps from `start` to `latest`, harvesting only what it lacks, saved page by page.

        A part that completes grows the coverage; one that fails leaves it as it was (and its position, so
        the next run resumes it); a short one starts over next time.
        """
        for spec in sorted({set_spec(category) for category in self.plan.subscribed}):
            held = self.store.load_coverage(spec)
            for part in plan_harvest(held, start, latest):
                self._harvest_part(spec, part)
                held = covered_after(held, part, spec, now)
                self.store.save_coverage(held)

    def _harvest_part(self, spec: str, part: HarvestPart) -> None:
        state = self.store.load_harvest(spec, part.from_date, part.until)
        if state.complete:
            self.store.restart_harvest(state)  # done before: records have changed since
        try:
            for page in harvest(self.arxiv.http, self.plan.settings.arxiv_oai_url, state):
                papers = [record.paper for record in page.records]
                versions = [row for record in page.records for row in record.versions]
                self.store.save_harvest_page(state, papers, versions)
                self.on_harvest(spec, state.records, state.complete_list_size)
        except IncompleteHarvest:
            self.store.restart_harvest(state)
            raise

    def _announced(self, start: datetime, end: datetime) -> list[Paper]:
        """The stored papers with a version submitted in [start, end): v1 there is `new`, only later ones `replace`.

        Papers with no subscribed category are left out here; the category rule proper is the selection's.
        """
        types = announce_types(self.store.versions_submitted_between(start, end))
        return [
            paper.model_copy(update={"announce_type": types[paper.id]})
            for paper in self.store.load_papers(list(types))
            if any(category in self.plan.subscribed for category in paper.categories)
        ]

    def _described(
        self, batches: Iterable[tuple[date, list[Paper]]]
    ) -> Iterator[tuple[date, list[Paper] | FetchError]]:
        """The batches with the API's metadata for every paper some configured topic keeps."""
        return describe_batches(
            batches,
            keep=self.wanted.keep,
            recall=self.store.load_papers,
            fetch=lambda ids: fetch_metadata(self.arxiv.api, ids),
        )

    def _load_stored(self, announcement: date, asked: date) -> list[Paper] | None:
        """The stored batch less the papers no topic can keep (never built), unless refreshing: those no topic's
        category rule lets through, or whose text holds no clue of a topic's keywords (`Wanted`).

        What every topic selects from it is the same as from the whole batch. Offline, its absence is an
        OfflineMissError that says what to run.
        """
        stored = None
        if self.stored != "never":
            stored = self.store.load_batch(announcement, only=self.wanted.prefilter, holding=self.wanted.clues)
        if stored is not None:
            log.info("the batch announced %s is stored; no request", announcement)
        elif self.stored == "only":
            raise offline_miss(asked, announcement)
        return stored

    def _save(self, announcement: date, source: str, papers: list[Paper]) -> list[Paper]:
        self.store.save_papers(papers)
        members = [(paper.id, paper.version, paper.announce_type or "new") for paper in papers]
        self.store.save_batch(announcement, source, members)
        return papers

    def _note(self, note: str) -> None:
        self.notes.append(note)
        log.warning("%s", note)


def announce_types(versions: Iterable[VersionRow]) -> dict[str, AnnounceType]:
    """How a window's versions are announced: a paper whose v1 is among them is `new`, else `replace`."""
    types: dict[str, AnnounceType] = {}
    for paper_id, version, _ in versions:
        types[paper_id] = "new" if version == 1 or types.get(paper_id) == "new" else "replace"
    return types


def offline_miss(day: date, announcement: date) -> OfflineMissError:
    """The error for a date the store cannot serve, naming the command that fetches it."""
    asked = day.isoformat()
    announced = f" (announced {announcement.isoformat()})" if announcement != day else ""
    return OfflineMissError(
        f"the store holds no batch for {asked}{announced}; run `digest run --date {asked}` without --offline first"
    )
