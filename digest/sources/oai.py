"""OAI-PMH: which papers past announcements held, exactly, replacements included.

One harvest (`ListRecords`, format `arXivRaw`) from the earliest asked date returns every record modified
since, with each version's submission date; an announcement's batch is then the papers with a version
submitted in its window (v1: `new`, later: `replace`). `harvest` yields the pages; the caller stores each
with the resumption token, so memory stays flat and an interrupted harvest resumes where it stopped.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import httpx

from digest.core.errors import ExpiredToken, FetchError, IncompleteHarvest, IncompleteResponse
from digest.core.models import Paper, author_name, normalise_text
from digest.sources.http import ArxivHttp
from digest.store.harvests import Coverage, Harvest, VersionRow

__all__ = [
    "ANNOUNCED_DATESTAMPS",
    "PAGE_SIZE",
    "HarvestPart",
    "HarvestProgress",
    "OaiPage",
    "OaiRecord",
    "covered_after",
    "harvest",
    "parse_list_records",
    "plan_harvest",
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


def harvest(http: ArxivHttp, oai_url: str, state: Harvest) -> Iterator[OaiPage]:
    """The pages of the harvest `state` describes, from its resumption token if it has one.

    `state` advances with each page; the caller saves the page and `state` together, so an interrupted
    harvest resumes where it stopped. Complete or FetchError: every page parses, the last has an empty
    token, and the records received number `completeListSize` (IncompleteHarvest otherwise).
    """
    spec, start = state.set_spec, state.from_date
    if state.started:
        log.info("resuming the OAI-PMH harvest of %s from %s at record %d", spec, start, state.records)
    restarted = False
    while not state.complete:
        params = {"verb": "ListRecords", "resumptionToken": state.token} if state.token else _first_request(state)
        try:
            page = http.get_valid(oai_url, params=params, kind="oai", validate=_page)
        except ExpiredToken as err:
            if restarted:
                raise FetchError(f"arXiv OAI-PMH refused the resumption token twice: {err}") from err
            log.warning("the OAI-PMH resumption token expired; harvesting %s from %s again", spec, start)
            state.restart()
            restarted = True
            continue
        _advance(state, page)
        if state.complete and state.complete_list_size not in (None, state.records):
            raise IncompleteHarvest(
                f"arXiv OAI-PMH harvest of {spec} from {start} is incomplete: "
                f"{state.records} records received, {state.complete_list_size} announced"
            )
        yield page


def _first_request(state: Harvest) -> dict[str, str]:
    params = {"verb": "ListRecords", "metadataPrefix": "arXivRaw", "set": state.set_spec}
    params["from"] = state.from_date.isoformat()
    if state.until is not None:
        params["until"] = state.until.isoformat()
    return params


@dataclass(frozen=True)
class HarvestPart:
    """One ListRecords run: the datestamps from `from_date` to `until` (to today when None)."""

    from_date: date
    until: date | None = None


def plan_harvest(held: Coverage | None, start: date, latest: date) -> list[HarvestPart]:
    """What to harvest so that the store holds every record with a datestamp from `start` up to `latest`.

    Nothing when the coverage holds it already. Otherwise the datestamps before the coverage, `[start,
    held.start)`, and always the refresh from a day before its end to today: a record changed since the
    last harvest has a datestamp at least that late, wherever its datestamp was before, so the refresh and
    what is stored make up today's records exactly (docs/design.md, "Incremental harvesting").
    A start after the coverage's end (a gap) is a harvest of its own from `start`: coverage must be one span.
    """
    if held is None or start > held.end + _MARGIN:
        return [HarvestPart(start)]
    if held.start <= start and latest <= held.end:
        return []
    backward = [HarvestPart(start, held.start - timedelta(days=1))] if start < held.start else []
    return [*backward, HarvestPart(held.end - _MARGIN)]


ANNOUNCED_DATESTAMPS = timedelta(days=2)
"""How long after its announcement evening every record of a batch carries its datestamp: arXiv stamps a
record the UTC day after the evening its version is announced; a day more is the margin."""
_MARGIN = timedelta(days=1)
"""Datestamps are days: a record changed on the day a harvest ended may carry that day's stamp or the
day before (arXiv stamps records as an announcement goes out, around midnight UTC)."""


def covered_after(held: Coverage | None, part: HarvestPart, spec: str, now: datetime) -> Coverage:
    """The coverage once `part` is harvested completely at `now`."""
    if part.until is not None and held is not None:  # the span before the coverage: it grows backwards
        return Coverage(spec, part.from_date, held.end, held.harvested_at)
    start = held.start if held is not None and held.start <= part.from_date <= held.end + _MARGIN else part.from_date
    return Coverage(spec, start, now.astimezone(UTC).date(), now)


def _page(response: httpx.Response) -> OaiPage:
    return parse_list_records(response.content)


def _advance(state: Harvest, page: OaiPage) -> None:
    state.records += len(page.records)
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
        categories=listed,
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


_MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
)}  # fmt: skip


def _submitted(text: str) -> datetime:
    """A version's RFC 822 date. arXiv writes `Mon, 2 Apr 2007 19:18:42 GMT`, read here directly (a harvest
    is hundreds of thousands of them); anything else goes through the standard library's parser."""
    parts = text.split()
    if len(parts) == 6 and parts[5] == "GMT" and parts[2] in _MONTHS and parts[4].count(":") == 2:
        try:
            hour, minute, second = (int(field) for field in parts[4].split(":"))
            return datetime(int(parts[3]), _MONTHS[parts[2]], int(parts[1]), hour, minute, second, tzinfo=UTC)
        except ValueError:
            pass
    try:
        return parsedate_to_datetime(text).astimezone(UTC)
    except (TypeError, ValueError) as err:
        raise IncompleteResponse(f"OAI-PMH version date {text!r} is not RFC 822") from err


def _authors(text: str) -> list[str]:
    return [name for name in (author_name(part) for part in _AUTHOR_SEPARATOR.split(text)) if name]
