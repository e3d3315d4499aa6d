"""OAI-PMH: which papers past announcements held, exactly, replacements included.

One harvest (`ListRecords`, format `arXivRaw`) from the earliest asked date returns every record modified
since, with each version's submission date; an announcement's batch is then the papers with a version
submitted in its window (v1: `new`, later: `replace`). Pages stream into the store with their resumption
token, so memory stays flat and an interrupted harvest resumes where it stopped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import httpx

from digest.errors import FetchError
from digest.fetch.http import ArxivHttp, IncompleteResponse
from digest.models import AnnounceType, Paper, normalise_text
from digest.store import Harvest, Store, VersionRow

__all__ = [
    "PAGE_SIZE",
    "HarvestProgress",
    "OaiPage",
    "OaiRecord",
    "announced_between",
    "harvest",
    "parse_list_records",
    "set_spec",
]

log = logging.getLogger(__name__)

PAGE_SIZE = 500
"""Records in one ListRecords page of arXiv's OAI-PMH (its choice, not ours)."""

_OAI = "{http://www.openarchives.org/OAI/2.0/}"
_RAW = "{http://arxiv.org/OAI/arXivRaw/}"
_PHYSICS_ARCHIVES = {
    "astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph", "nlin",
    "nucl-ex", "nucl-th", "physics", "quant-ph",
}  # fmt: skip
_AUTHOR_SEPARATOR = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


@dataclass(frozen=True)
class OaiRecord:
    """One paper as arXivRaw describes it: its current metadata and every version's submission time."""

    paper: Paper
    versions: list[VersionRow]


@dataclass(frozen=True)
class OaiPage:
    """One ListRecords answer; `token` is None on the last page."""

    records: list[OaiRecord]
    token: str | None
    complete_list_size: int | None


class ExpiredToken(Exception):
    """arXiv no longer knows the resumption token (`badResumptionToken`): the harvest starts over."""


def set_spec(category: str) -> str:
    """The OAI set holding a category: `cs.AI` -> `cs`, `hep-th` -> `physics:hep-th`."""
    archive = category.split(".", 1)[0]
    return f"physics:{archive}" if archive in _PHYSICS_ARCHIVES else archive


def parse_list_records(content: bytes) -> OaiPage:
    """Parse a ListRecords page; malformed XML is IncompleteResponse, so the HTTP layer asks again."""
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as err:
        raise IncompleteResponse(f"malformed OAI-PMH page: {err}") from err
    error = root.find(f"{_OAI}error")
    if error is not None:
        code = error.get("code", "")
        if code == "noRecordsMatch":
            return OaiPage([], None, 0)
        if code == "badResumptionToken":
            raise ExpiredToken(error.text or code)
        raise FetchError(f"arXiv OAI-PMH refused the request: {code}: {(error.text or '').strip()}")
    listing = root.find(f"{_OAI}ListRecords")
    if listing is None:
        raise IncompleteResponse("OAI-PMH page without ListRecords")
    records = [_record(raw) for raw in listing.iter(f"{_RAW}arXivRaw")]
    token = listing.find(f"{_OAI}resumptionToken")
    size = token.get("completeListSize") if token is not None else None
    return OaiPage(
        records,
        (token.text or "").strip() or None if token is not None else None,
        int(size) if size else None,
    )


HarvestProgress = Callable[[str, int, int | None], None]
"""Hears each page of a harvest: the set, the records received so far, and `completeListSize` once known."""


def harvest(
    http: ArxivHttp,
    store: Store,
    oai_url: str,
    spec: str,
    from_date: date,
    *,
    on_page: HarvestProgress = lambda spec, received, total: None,
) -> Harvest:
    """Harvest `spec` from `from_date` into the store, resuming a harvest that was interrupted.

    Complete or FetchError: every page parses, the last page has an empty token, and the records received
    number `completeListSize`. A finished harvest of the same start is done again, since records change.
    """
    state = store.load_harvest(spec, from_date)
    if state.complete:
        store.restart_harvest(state)
    elif state.started:
        log.info("resuming the OAI-PMH harvest of %s from %s at record %d", spec, from_date, state.records)
    restarted = False
    while not state.complete:
        params = (
            {"verb": "ListRecords", "resumptionToken": state.token}
            if state.token
            else {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": spec, "from": from_date.isoformat()}
        )
        try:
            page = http.get_valid(oai_url, params=params, kind="oai", validate=_page)
        except ExpiredToken as err:
            if restarted:
                raise FetchError(f"arXiv OAI-PMH refused the resumption token twice: {err}") from err
            log.warning("the OAI-PMH resumption token expired; harvesting %s from %s again", spec, from_date)
            store.restart_harvest(state)
            restarted = True
            continue
        _advance(state, page)
        if state.complete and state.complete_list_size not in (None, state.records):
            received, announced = state.records, state.complete_list_size
            store.restart_harvest(state)
            raise FetchError(
                f"arXiv OAI-PMH harvest of {spec} from {from_date} is incomplete: "
                f"{received} records received, {announced} announced"
            )
        store.save_harvest_page(
            state,
            [record.paper for record in page.records],
            [row for record in page.records for row in record.versions],
        )
        on_page(spec, state.records, state.complete_list_size)
    return state


def announced_between(store: Store, start: datetime, end: datetime, subscribed: Collection[str]) -> list[Paper]:
    """The papers with a version submitted in [start, end): v1 there is `new`, only later ones `replace`.

    Papers with no subscribed category are left out here; the category rule proper is the selection's.
    """
    types: dict[str, AnnounceType] = {}
    for paper_id, version, _ in store.versions_submitted_between(start, end):
        types[paper_id] = "new" if version == 1 or types.get(paper_id) == "new" else "replace"
    papers = store.load_papers(list(types))
    return [
        paper.model_copy(update={"announce_type": types[paper.id]})
        for paper in papers
        if any(category in subscribed for category in paper.categories)
    ]


def _page(response: httpx.Response) -> OaiPage:
    return parse_list_records(response.content)


def _advance(state: Harvest, page: OaiPage) -> None:
    state.records += len(page.records)
    state.cursor = state.records
    state.token = page.token
    if page.complete_list_size is not None:
        state.complete_list_size = page.complete_list_size
    state.complete = page.token is None


def _record(raw: ElementTree.Element) -> OaiRecord:
    paper_id = _text(raw, "id")
    versions = [
        (paper_id, int((element.get("version") or "v1").lstrip("v")), _submitted(_text(element, "date")))
        for element in raw.findall(f"{_RAW}version")
    ]
    if not versions:
        raise IncompleteResponse(f"OAI-PMH record {paper_id} has no version")
    listed = _text(raw, "categories").split()
    comment = raw.findtext(f"{_RAW}comments")
    paper = Paper(
        id=paper_id,
        version=versions[-1][1],
        title=normalise_text(_text(raw, "title")),
        authors=_authors(_text(raw, "authors")),
        abstract=normalise_text(_text(raw, "abstract")),
        categories=[listed[0], *sorted(listed[1:])],
        primary_category=listed[0],
        published=versions[0][2],
        updated=versions[-1][2],
        comment=normalise_text(comment) if comment else None,
    )
    return OaiRecord(paper, versions)


def _text(element: ElementTree.Element, name: str) -> str:
    found = element.findtext(f"{_RAW}{name}")
    if found is None:
        raise IncompleteResponse(f"OAI-PMH record without {name}")
    return found


def _submitted(text: str) -> datetime:
    try:
        return parsedate_to_datetime(text).astimezone(UTC)
    except (TypeError, ValueError) as err:
        raise IncompleteResponse(f"OAI-PMH version date {text!r} is not RFC 822") from err


def _authors(text: str) -> list[str]:
    return [name for name in (normalise_text(part) for part in _AUTHOR_SEPARATOR.split(text)) if name]
