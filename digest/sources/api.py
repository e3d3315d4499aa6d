"""Metadata from the arXiv API, complete or failed: our own paging and Atom reading over `ArxivHttp`.

The `arxiv` package's client sets no timeout, retries without backoff, ignores `Retry-After` and stops
silently on an empty first page, and it offers no public way to send its pages through another HTTP client.
So `ArxivApiClient` pages a query itself (the same URLs: `search_query`, `id_list`, `sortBy`, `sortOrder`,
`start`, `max_results`), sends every page through `ArxivHttp` and checks it against
`opensearch:totalResults` (and the ids asked): an empty or short page is retried like a 503 and, when the
tries run out, the fetch fails instead of returning less. The Atom is read with lxml, as the package read
it (entities unresolved, no network), so every record comes out as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
from lxml import etree

from digest.core.errors import FetchError, IncompleteResponse
from digest.core.models import AnnounceType, Paper, normalise_text
from digest.sources.http import ArxivHttp

__all__ = [
    "ID_LIST_CHUNK",
    "MAX_PAGE_SIZE",
    "ApiPage",
    "ApiQuery",
    "ArxivApiClient",
    "fetch_metadata",
    "fetch_submitted_window",
    "parse_page",
    "submitted_window_query",
]

logger = logging.getLogger(__name__)

ID_LIST_CHUNK = 100
"""Ids per `id_list` request."""
MAX_PAGE_SIZE = 2000
"""The API's limit on results per request."""

_VERSIONED = re.compile(r"^(?P<id>.+?)v(?P<version>\d+)$")
_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}


@dataclass(frozen=True)
class ApiPage:
    """One page of an API answer: what it says the whole answer holds, and its records."""

    total: int
    papers: list[Paper]
    malformed: str | None = None
    """Why the XML could not be read, when it could not."""


@dataclass(frozen=True)
class ApiQuery:
    """What an API request asks, less its paging: the `arxiv` package's arguments, in its order."""

    search_query: str = ""
    id_list: tuple[str, ...] = ()
    sort_by: str = "relevance"
    sort_order: str = "descending"

    def url(self, api_url: str, start: int, page_size: int) -> str:
        args = {
            "search_query": self.search_query,
            "id_list": ",".join(self.id_list),
            "sortBy": self.sort_by,
            "sortOrder": self.sort_order,
            "start": str(start),
            "max_results": str(page_size),
        }
        return f"{api_url}?{urlencode(args)}"


class ArxivApiClient:
    """The API's pages, each through `ArxivHttp` and checked for completeness."""

    def __init__(self, http: ArxivHttp, api_url: str, *, page_size: int = MAX_PAGE_SIZE) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.http, self.api_url, self.page_size = http, api_url, page_size

    def search(self, query: ApiQuery, *, announce_type: AnnounceType | None = None) -> tuple[list[Paper], int]:
        """Every record of `query`, page by page, and the `opensearch:totalResults` its first page reported.

        An empty first page ends the answer (the caller judges it against the total); a later page whose
        total differs from the first's is retried.
        """
        papers: list[Paper] = []
        first = self._page(query, 0, None, announce_type)
        page = first
        while page.papers:
            papers.extend(page.papers)
            if len(papers) >= first.total:
                break
            page = self._page(query, len(papers), first.total, announce_type)
        return papers, first.total

    def _page(self, query: ApiQuery, start: int, total: int | None, announce_type: AnnounceType | None) -> ApiPage:
        """One page, spaced, timed out and retried by `ArxivHttp`; an incomplete page is retried too."""
        url = query.url(self.api_url, start, self.page_size)
        page: ApiPage = self.http.get_valid(
            url, kind="api", validate=lambda response: self._checked_page(response, query, start, total, announce_type)
        )
        return page

    def _checked_page(
        self,
        response: httpx.Response,
        query: ApiQuery,
        start: int,
        earlier: int | None,
        announce_type: AnnounceType | None,
    ) -> ApiPage:
        body = response.content
        if not body.rstrip().endswith(b"</feed>"):
            raise IncompleteResponse("truncated or empty body")
        page = parse_page(body, announce_type=announce_type)
        if page.malformed is not None:
            raise IncompleteResponse(f"unparsable XML ({page.malformed})")
        total = page.total
        if earlier is not None and total != earlier:
            raise IncompleteResponse(f"totalResults changed from {earlier} to {total} between pages")
        received = {paper.id for paper in page.papers}
        asked = query.id_list
        if asked:
            if total > len(set(asked)):
                raise IncompleteResponse(f"totalResults is {total} for {len(set(asked))} ids asked")
            page_asked = set(asked[start : start + self.page_size])
            missing = len(page_asked - received)
            if missing and total == len(set(asked)):
                raise IncompleteResponse(f"{missing} of {len(page_asked)} records missing")
        expected = max(min(self.page_size, total - start), 0)
        if len(received) < expected:
            raise IncompleteResponse(f"{expected - len(received)} of {expected} records missing at start {start}")
        return page


def fetch_metadata(client: ArxivApiClient, ids: Sequence[str]) -> list[Paper]:
    """Authoritative records for `ids` (no versions), via `id_list` in chunks of 100; all of them or FetchError.

    An answer that says it knows fewer ids than asked (totalResults smaller) is whole, not broken: only the
    ids it lacks are asked once more, and those still unknown fail the fetch by name.
    """
    distinct = list(dict.fromkeys(ids))
    papers: list[Paper] = []
    for start in range(0, len(distinct), ID_LIST_CHUNK):
        chunk = distinct[start : start + ID_LIST_CHUNK]
        by_id = _described(client, chunk)
        missing = [paper_id for paper_id in chunk if paper_id not in by_id]
        if missing:
            logger.warning(
                "arXiv API knows %d of %d papers asked; asking again for %s",
                len(chunk) - len(missing),
                len(chunk),
                _listed(missing),
            )
            by_id.update(_described(client, missing))
            missing = [paper_id for paper_id in chunk if paper_id not in by_id]
        if missing:
            raise FetchError(
                f"arXiv API does not know {len(missing)} of the {len(chunk)} papers asked, asked twice: "
                f"{_listed(missing)}; a paper just announced may not be in the API yet: run again later"
            )
        papers.extend(by_id[paper_id] for paper_id in chunk)
    return papers


def _described(client: ArxivApiClient, ids: list[str]) -> dict[str, Paper]:
    papers, _ = client.search(ApiQuery(id_list=tuple(ids)))
    return {paper.id: paper for paper in papers}


def _listed(ids: list[str], shown: int = 10) -> str:
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def fetch_submitted_window(
    client: ArxivApiClient, categories: Sequence[str], start: datetime, end: datetime
) -> list[Paper]:
    """Papers in `categories` first submitted in [start, end), as `new`: the approximate `--source api` listing.

    Complete only when the distinct ids received equal the API's totalResults for the query; an empty
    answer is asked twice, since an empty first page is also how arXiv's API fails.
    """
    query = ApiQuery(
        search_query=submitted_window_query(categories, start, end), sort_by="submittedDate", sort_order="ascending"
    )
    papers = _complete_window(client, query, start, end)
    if not papers:
        # arXiv sometimes answers an empty first page with HTTP 200 and totalResults 0: ask once more.
        papers = _complete_window(client, query, start, end)
    return [paper for paper in papers if paper.published is None or start <= paper.published < end]


def _complete_window(client: ArxivApiClient, query: ApiQuery, start: datetime, end: datetime) -> list[Paper]:
    received, total = client.search(query, announce_type="new")
    papers = {paper.id: paper for paper in received}
    if len(papers) != total:
        raise FetchError(
            f"arXiv API listed {total} papers submitted {start.isoformat()} to {end.isoformat()} "
            f"but returned {len(papers)} distinct ones"
        )
    return list(papers.values())


def submitted_window_query(categories: Sequence[str], start: datetime, end: datetime) -> str:
    """`(cat:A OR cat:B) AND submittedDate:[first TO last]`, minutes in UTC, the last minute before `end`."""
    if not categories:
        raise ValueError("at least one category is needed")
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("window bounds must be timezone-aware")
    first = start.astimezone(UTC)
    last = (end - timedelta(microseconds=1)).astimezone(UTC)
    cats = " OR ".join(f"cat:{category}" for category in categories)
    return f"({cats}) AND submittedDate:[{first:%Y%m%d%H%M} TO {last:%Y%m%d%H%M}]"


def parse_page(body: bytes, *, announce_type: AnnounceType | None = None) -> ApiPage:
    """An API answer's total and records; an entry without an id or its dates is left out, as arXiv's own
    client leaves it out."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as err:
        return ApiPage(0, [], malformed=str(err))
    if root is None:
        return ApiPage(0, [], malformed="empty document")
    papers = [
        paper for entry in root.iterfind("atom:entry", _NS) if (paper := _paper(entry, announce_type)) is not None
    ]
    return ApiPage(_number(_text(root, "opensearch:totalResults")), papers)


def _paper(entry: etree._Element, announce_type: AnnounceType | None) -> Paper | None:
    """The boundary: an Atom `<entry>` as our record, text normalised; None when it lacks its id or dates."""
    entry_id = _text(entry, "atom:id")
    published, updated = _moment(_text(entry, "atom:published")), _moment(_text(entry, "atom:updated"))
    if not entry_id or published is None or updated is None:
        logger.warning("the arXiv API sent an entry without its id or dates; left out: %s", entry_id)
        return None
    paper_id, version = _split_version(entry_id.split("arxiv.org/abs/")[-1])
    categories = [term for element in entry.iterfind("atom:category", _NS) if (term := element.get("term")) is not None]
    primary_element = entry.find("arxiv:primary_category", _NS)
    primary = (primary_element.get("term") if primary_element is not None else None) or (
        categories[0] if categories else ""
    )
    comment = _text(entry, "arxiv:comment")
    return Paper(
        id=paper_id,
        version=version,
        title=normalise_text(_text(entry, "atom:title") or ""),
        authors=[normalise_text(_text(author, "atom:name") or "") for author in entry.iterfind("atom:author", _NS)],
        abstract=normalise_text(_text(entry, "atom:summary") or ""),
        categories=[primary, *categories] if primary else categories,
        primary_category=primary or None,
        published=published,
        updated=updated,
        announce_type=announce_type,
        comment=normalise_text(comment) or None if comment else None,
    )


def _text(element: etree._Element, path: str) -> str | None:
    found = element.find(path, _NS)
    return None if found is None else found.text


def _number(text: str | None) -> int:
    try:
        return int((text or "").strip())
    except ValueError:
        return 0


def _moment(text: str | None) -> datetime | None:
    """An Atom timestamp (`2016-05-26T17:59:46Z`) in UTC."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _split_version(short_id: str) -> tuple[str, int | None]:
    versioned = _VERSIONED.match(short_id)
    if versioned:
        return versioned["id"], int(versioned["version"])
    return short_id, None
