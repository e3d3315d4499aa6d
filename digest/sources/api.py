"""Metadata from the arXiv API, through the `arxiv` package but over our HTTP layer, complete or failed.

The package's own client sets no timeout, retries without backoff, ignores `Retry-After` and stops silently
on an empty first page. `ArxivApiClient` keeps its pagination and parser but sends every page through
`ArxivHttp` and checks each page against `opensearch:totalResults` (and the ids asked), so an empty or short
page is retried like a 503 and, when the tries run out, the fetch fails instead of returning less.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import arxiv
import httpx
from arxiv import _feed

from digest.core.errors import FetchError
from digest.core.models import AnnounceType, Paper, normalise_text
from digest.sources.http import ArxivHttp, IncompleteResponse

__all__ = [
    "ID_LIST_CHUNK",
    "MAX_PAGE_SIZE",
    "ArxivApiClient",
    "fetch_metadata",
    "fetch_submitted_window",
    "paper_from_result",
    "submitted_window_query",
]

logger = logging.getLogger(__name__)

ID_LIST_CHUNK = 100
"""Ids per `id_list` request."""
MAX_PAGE_SIZE = 2000
"""The API's limit on results per request."""

_VERSIONED = re.compile(r"^(?P<id>.+?)v(?P<version>\d+)$")
_PAGING = ("start", "max_results")


class ArxivApiClient(arxiv.Client):  # type: ignore[misc]  # the arxiv package ships no type hints
    """An `arxiv.Client` whose pages go through `ArxivHttp` and are checked for completeness."""

    def __init__(self, http: ArxivHttp, api_url: str, *, page_size: int = MAX_PAGE_SIZE) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        super().__init__(page_size=page_size, delay_seconds=0.0, num_retries=0)
        self.http = http
        self.query_url_format = f"{api_url}?{{}}"
        self._totals: dict[str, int] = {}

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> _feed.ParsedFeed:
        """One page, spaced, timed out and retried by `ArxivHttp`; an incomplete page is retried too."""
        query = _query_key(url)
        if first_page:
            self._totals.pop(query, None)
        feed: _feed.ParsedFeed = self.http.get_valid(
            url, kind="api", validate=lambda response: self._checked_page(response, url, query)
        )
        self._totals.setdefault(query, feed.header.total_results)
        return feed

    def reported_total(self, search: arxiv.Search) -> int | None:
        """`opensearch:totalResults` of the last run of `search`, for the caller's completeness check."""
        return self._totals.get(_query_key(self.query_url_format.format(urlencode(search._url_args()))))

    def _checked_page(self, response: httpx.Response, url: str, query: str) -> _feed.ParsedFeed:
        body = response.content
        if not body.rstrip().endswith(b"</feed>"):
            raise IncompleteResponse("truncated or empty body")
        feed = _feed.parse(body)
        if feed.malformed:
            raise IncompleteResponse(f"unparsable XML ({feed.error})")
        args = parse_qs(urlsplit(url).query)
        start = int(args.get("start", ["0"])[0])
        page_size = int(args.get("max_results", [str(self.page_size)])[0])
        asked = [part for part in args.get("id_list", [""])[0].split(",") if part]
        total = feed.header.total_results
        earlier = self._totals.get(query)
        if earlier is not None and total != earlier:
            raise IncompleteResponse(f"totalResults changed from {earlier} to {total} between pages")
        received = {_split_version(result.get_short_id())[0] for result in feed.results}
        if asked:
            if total > len(set(asked)):
                raise IncompleteResponse(f"totalResults is {total} for {len(set(asked))} ids asked")
            page_asked = set(asked[start : start + page_size])
            missing = len(page_asked - received)
            if missing and total == len(set(asked)):
                raise IncompleteResponse(f"{missing} of {len(page_asked)} records missing")
        expected = max(min(page_size, total - start), 0)
        if len(received) < expected:
            raise IncompleteResponse(f"{expected - len(received)} of {expected} records missing at start {start}")
        return feed


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
    search = arxiv.Search(id_list=ids, max_results=len(ids))
    return {paper.id: paper for paper in _papers(client.results(search))}


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
    search = arxiv.Search(
        query=submitted_window_query(categories, start, end),
        max_results=None,
        sort_by=arxiv.SortCriterion.SubmittedDate,
        sort_order=arxiv.SortOrder.Ascending,
    )
    papers = _complete_window(client, search, start, end)
    if not papers:
        # arXiv sometimes answers an empty first page with HTTP 200 and totalResults 0: ask once more.
        papers = _complete_window(client, search, start, end)
    return [paper for paper in papers if paper.published is None or start <= paper.published < end]


def _complete_window(client: ArxivApiClient, search: arxiv.Search, start: datetime, end: datetime) -> list[Paper]:
    papers = {paper.id: paper for paper in _papers(client.results(search), announce_type="new")}
    total = client.reported_total(search) or 0
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


def paper_from_result(result: arxiv.Result, *, announce_type: AnnounceType | None = None) -> Paper:
    """The boundary: an `arxiv.Result` as our record, text normalised."""
    paper_id, version = _split_version(result.get_short_id())
    primary = result.primary_category or (result.categories[0] if result.categories else "")
    comment = normalise_text(result.comment) if result.comment else None
    return Paper(
        id=paper_id,
        version=version,
        title=normalise_text(result.title),
        authors=[normalise_text(author.name) for author in result.authors],
        abstract=normalise_text(result.summary),
        categories=[primary, *result.categories] if primary else list(result.categories),
        primary_category=primary or None,
        published=result.published,
        updated=result.updated,
        announce_type=announce_type,
        comment=comment or None,
    )


def _papers(results: Iterable[arxiv.Result], *, announce_type: AnnounceType | None = None) -> list[Paper]:
    return [paper_from_result(result, announce_type=announce_type) for result in results]


def _split_version(short_id: str) -> tuple[str, int | None]:
    versioned = _VERSIONED.match(short_id)
    if versioned:
        return versioned["id"], int(versioned["version"])
    return short_id, None


def _query_key(url: str) -> str:
    """A page URL without its paging arguments: the same key for every page of one query."""
    parts = urlsplit(url)
    args = sorted((name, value) for name, value in parse_qs(parts.query).items() if name not in _PAGING)
    return f"{parts.path}?{urlencode(args, doseq=True)}"
