"""The API client: pages over ArxivHttp, read as Atom, id_list chunks, completeness against totalResults."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from digest.core.calendar import load_holidays, submission_window
from digest.core.config import Settings
from digest.core.errors import FetchError
from digest.core.models import Paper
from digest.sources.api import (
    ArxivApiClient,
    fetch_metadata,
    fetch_submitted_window,
    parse_page,
    submitted_window_query,
)
from digest.sources.http import ArxivHttp
from tests.support.arxiv_server import ArxivServer
from tests.support.scripted_server import Scripted, ScriptedServer
from tests.support.world import World, golden_world

FIRST_SUBMISSION = datetime(2025, 10, 10, 18, 0, tzinfo=UTC)


def entry(paper_id: str, number: int) -> str:
    published = (FIRST_SUBMISSION + timedelta(minutes=number)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"""<entry>
    <id>http://arxiv.org/abs/{paper_id}v2</id>
    <updated>2025-10-12T09:30:00Z</updated>
    <published>{published}</published>
    <title>A Title
      for {paper_id}</title>
    <summary>  We study
  {paper_id}.  </summary>
    <author><name>Ana  Ruiz</name></author>
    <author><name>Bo Li</name><arxiv:affiliation>MIT</arxiv:affiliation></author>
    <arxiv:comment>12 pages,
  3 figures</arxiv:comment>
    <link href="http://arxiv.org/abs/{paper_id}v2" rel="alternate" type="text/html"/>
    <arxiv:primary_category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.AI" scheme="http://arxiv.org/schemas/atom"/>
  </entry>"""


def atom(entries: list[str], total: int, start: int) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
      xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title>arXiv Query</title>
  <opensearch:totalResults>{total}</opensearch:totalResults>
  <opensearch:startIndex>{start}</opensearch:startIndex>
  <opensearch:itemsPerPage>{len(entries)}</opensearch:itemsPerPage>
  {"".join(entries)}
</feed>
""".encode()


class AtomWorld:
    """A tiny API: `id_list` answers those ids; a `search_query` answers every paper, paged. Faults queue up."""

    def __init__(self, ids: list[str], faults: list[str] | None = None) -> None:
        self.ids = ids
        self.faults = faults or []
        self.queries: list[dict[str, str]] = []

    def __call__(self, path: str) -> Scripted:
        args = {name: values[0] for name, values in parse_qs(urlsplit(path).query).items()}
        self.queries.append(args)
        fault = self.faults.pop(0) if self.faults else "none"
        matching = args["id_list"].split(",") if args.get("id_list") else self.ids
        start, size = int(args.get("start", 0)), int(args.get("max_results", 10))
        page = matching[start : start + size]
        entries = [entry(paper_id, self.ids.index(paper_id)) for paper_id in page]
        if fault == "503":
            return Scripted(503)
        if fault == "empty-first-page":
            return Scripted(body=atom([], 0, start))
        if fault == "missing-records":
            return Scripted(body=atom(entries[:-2], len(matching), start))
        body = atom(entries, len(matching), start)
        if fault == "truncated":
            return Scripted(body=body[: len(body) // 2])
        return Scripted(body=body)


def ids(count: int) -> list[str]:
    return [f"2510.{number:05d}" for number in range(1, count + 1)]


def make_http(**overrides: float) -> ArxivHttp:
    values: dict[str, float] = {"request_interval": 0.01, "retry_backoff": 0.01, "max_tries": 3, "request_timeout": 10}
    values.update(overrides)
    return ArxivHttp(Settings.model_validate(values))


def test_one_id_list_request_returns_normalised_papers() -> None:
    world = AtomWorld(ids(1))
    with ScriptedServer(world) as server, make_http() as http:
        papers = fetch_metadata(ArxivApiClient(http, server.url + "api/query"), ["2510.00001"])
    assert papers == [
        Paper(
            id="2510.00001",
            version=2,
            title="A Title for 2510.00001",
            authors=["Ana Ruiz", "Bo Li"],
            abstract="We study 2510.00001.",
            categories=["cs.LG", "cs.AI", "cs.CL"],
            primary_category="cs.LG",
            published=FIRST_SUBMISSION,
            updated=datetime(2025, 10, 12, 9, 30, tzinfo=UTC),
            comment="12 pages, 3 figures",
        )
    ]
    assert server.paths[0].startswith("/api/query?search_query=&id_list=2510.00001&")


def test_id_list_is_sent_in_chunks_of_100() -> None:
    world = AtomWorld(ids(250))
    with ScriptedServer(world) as server, make_http() as http:
        papers = fetch_metadata(ArxivApiClient(http, server.url + "api/query"), ids(250))
    assert [len(query["id_list"].split(",")) for query in world.queries] == [100, 100, 50]
    assert [paper.id for paper in papers] == ids(250)
    assert http.stats == {"api": 3, "total": 3}


def test_duplicate_ids_are_asked_once() -> None:
    world = AtomWorld(ids(2))
    with ScriptedServer(world) as server, make_http() as http:
        papers = fetch_metadata(
            ArxivApiClient(http, server.url + "api/query"), ["2510.00002", "2510.00001", "2510.00002"]
        )
    assert [paper.id for paper in papers] == ["2510.00002", "2510.00001"]
    assert world.queries[0]["id_list"] == "2510.00002,2510.00001"


def test_503_once_then_the_page() -> None:
    world = AtomWorld(ids(3), faults=["503"])
    with ScriptedServer(world) as server, make_http() as http:
        papers = fetch_metadata(ArxivApiClient(http, server.url + "api/query"), ids(3))
    assert len(papers) == 3
    assert http.stats["api"] == 2


def test_empty_first_page_is_retried_not_taken_as_no_results() -> None:
    world = AtomWorld(ids(3), faults=["empty-first-page"])
    with ScriptedServer(world) as server, make_http() as http:
        papers = fetch_metadata(ArxivApiClient(http, server.url + "api/query"), ids(3))
    assert [paper.id for paper in papers] == ids(3)
    assert http.stats["api"] == 2


def test_missing_records_are_retried_then_complete() -> None:
    world = AtomWorld(ids(5), faults=["missing-records", "missing-records"])
    with ScriptedServer(world) as server, make_http() as http:
        papers = fetch_metadata(ArxivApiClient(http, server.url + "api/query"), ids(5))
    assert len(papers) == 5
    assert http.stats["api"] == 3


def test_missing_records_every_time_fail_naming_the_count() -> None:
    world = AtomWorld(ids(5), faults=["missing-records"] * 3)
    with (
        ScriptedServer(world) as server,
        make_http(max_tries=3) as http,
        pytest.raises(FetchError, match=r"after 3 tries \(incomplete response: 2 of 5 records missing\)"),
    ):
        fetch_metadata(ArxivApiClient(http, server.url + "api/query"), ids(5))
    assert http.stats["api"] == 3


def test_truncated_page_is_retried() -> None:
    world = AtomWorld(ids(4), faults=["truncated"])
    with ScriptedServer(world) as server, make_http() as http:
        papers = fetch_metadata(ArxivApiClient(http, server.url + "api/query"), ids(4))
    assert len(papers) == 4
    assert http.stats["api"] == 2


def test_window_query_names_categories_and_minutes_in_utc_end_exclusive() -> None:
    start = datetime(2025, 10, 10, 14, 0, tzinfo=UTC) - timedelta(hours=4)
    end = datetime(2025, 10, 13, 18, 0, tzinfo=UTC)
    assert submitted_window_query(["cs.AI", "cs.CL"], start, end) == (
        "(cat:cs.AI OR cat:cs.CL) AND submittedDate:[202510101000 TO 202510131759]"
    )


def test_window_pages_through_every_result_sorted_by_submission() -> None:
    world = AtomWorld(ids(5))
    end = FIRST_SUBMISSION + timedelta(days=1)
    with ScriptedServer(world) as server, make_http() as http:
        client = ArxivApiClient(http, server.url + "api/query", page_size=2)
        papers = fetch_submitted_window(client, ["cs.AI", "cs.CL"], FIRST_SUBMISSION, end)
    assert [paper.id for paper in papers] == ids(5)
    assert {paper.announce_type for paper in papers} == {"new"}
    assert [query["start"] for query in world.queries] == ["0", "2", "4"]
    assert world.queries[0]["sortBy"] == "submittedDate"
    assert world.queries[0]["sortOrder"] == "ascending"


def test_window_drops_papers_outside_the_exact_bounds() -> None:
    world = AtomWorld(ids(5))
    start, end = FIRST_SUBMISSION + timedelta(minutes=1), FIRST_SUBMISSION + timedelta(minutes=3)
    with ScriptedServer(world) as server, make_http() as http:
        papers = fetch_submitted_window(ArxivApiClient(http, server.url + "api/query"), ["cs.AI"], start, end)
    assert [paper.id for paper in papers] == ["2510.00002", "2510.00003"]


def test_window_short_middle_page_is_retried() -> None:
    world = AtomWorld(ids(5), faults=["none", "missing-records"])
    end = FIRST_SUBMISSION + timedelta(days=1)
    with ScriptedServer(world) as server, make_http() as http:
        client = ArxivApiClient(http, server.url + "api/query", page_size=2)
        papers = fetch_submitted_window(client, ["cs.AI"], FIRST_SUBMISSION, end)
    assert len(papers) == 5
    assert [query["start"] for query in world.queries] == ["0", "2", "2", "4"]


def test_result_categories_are_primary_first_then_alphabetical() -> None:
    listed = (
        entry("2510.00009", 1).replace("v2</id>", "v1</id>").replace('term="cs.LG" scheme', 'term="cs.CV" scheme', 1)
    )
    (paper,) = parse_page(atom([listed], total=1, start=0)).papers
    assert (paper.id, paper.version, paper.categories) == ("2510.00009", 1, ["cs.CV", "cs.AI", "cs.CL", "cs.LG"])


def test_window_empty_first_page_is_asked_again() -> None:
    world = AtomWorld(ids(3), faults=["empty-first-page"])
    end = FIRST_SUBMISSION + timedelta(days=1)
    with ScriptedServer(world) as server, make_http() as http:
        papers = fetch_submitted_window(
            ArxivApiClient(http, server.url + "api/query"), ["cs.AI"], FIRST_SUBMISSION, end
        )
    assert len(papers) == 3
    assert http.stats["api"] == 2


def test_window_with_duplicates_across_pages_fails() -> None:
    world = AtomWorld(["2510.00001", "2510.00002", "2510.00002"])
    end = FIRST_SUBMISSION + timedelta(days=1)
    with (
        ScriptedServer(world) as server,
        make_http() as http,
        pytest.raises(FetchError, match=r"listed 3 papers .* but returned 2 distinct ones"),
    ):
        client = ArxivApiClient(http, server.url + "api/query", page_size=2)
        fetch_submitted_window(client, ["cs.AI"], FIRST_SUBMISSION, end)


# Against the local arXiv server (tests/support/arxiv_server.py) and the golden world.

MAILING = date(2025, 10, 14)
ANNOUNCEMENT = date(2025, 10, 13)


@pytest.fixture(scope="module")
def world() -> World:
    return golden_world(["2025-10-13"])


def mailed_ids(world: World) -> list[str]:
    return [paper_id for paper_id, _ in world.mailings[MAILING]]


def test_server_metadata_for_a_whole_batch_in_chunks(world: World) -> None:
    asked = mailed_ids(world)
    with ArxivServer(world) as server, make_http() as http:
        papers = fetch_metadata(ArxivApiClient(http, server.api_url), asked)
    assert [paper.id for paper in papers] == asked
    assert server.count("api") == -(-len(asked) // 100)
    assert all(len(chunk) <= 100 for chunk in (query_ids(request.path) for request in server.requests))
    served = world.papers[asked[0]]
    assert (papers[0].title, papers[0].abstract, papers[0].authors) == (served.title, served.abstract, served.authors)
    assert papers[0].version == len(served.versions)


def query_ids(path: str) -> list[str]:
    return parse_qs(urlsplit(path).query)["id_list"][0].split(",")


@pytest.mark.parametrize("fault", ["503", "empty-first-page", "missing-records", "truncated", "hang"])
def test_server_fault_once_is_retried_to_the_complete_answer(world: World, fault: str) -> None:
    asked = mailed_ids(world)[:100]
    with ArxivServer(world) as server, make_http(request_timeout=0.3) as http:
        server.hang_seconds = 0.6
        server.inject("api", fault)
        papers = fetch_metadata(ArxivApiClient(http, server.api_url), asked)
    assert [paper.id for paper in papers] == asked
    assert http.stats["api"] == 2


def test_server_records_missing_every_time_fail_naming_the_count(world: World) -> None:
    asked = mailed_ids(world)[:10]
    with (
        ArxivServer(world) as server,
        make_http(max_tries=3) as http,
        pytest.raises(
            FetchError, match=r"^arXiv API did not answer after 3 tries \(incomplete response: 5 of 10 records"
        ),
    ):
        server.inject("api", "missing-records", times=3)
        fetch_metadata(ArxivApiClient(http, server.api_url), asked)
    assert server.count("api") == 3


def test_server_always_503_fails_after_max_tries(world: World) -> None:
    with (
        ArxivServer(world) as server,
        make_http(max_tries=5) as http,
        pytest.raises(FetchError, match=r"^arXiv API did not answer after 5 tries \(HTTP 503\)"),
    ):
        server.inject("api", "always-503")
        fetch_metadata(ArxivApiClient(http, server.api_url), mailed_ids(world)[:3])
    assert server.count("api") == 5


def test_server_submission_window_lists_new_papers_and_new_cross_lists(world: World) -> None:
    start, end = submission_window(ANNOUNCEMENT, load_holidays())
    with ArxivServer(world) as server, make_http() as http:
        client = ArxivApiClient(http, server.api_url, page_size=200)
        papers = fetch_submitted_window(client, ["cs.AI", "cs.CL", "cs.CV", "cs.LG", "cs.MA", "cs.RO"], start, end)
    new = {paper_id for paper_id, announce in world.mailings[MAILING] if announce in ("new", "cross")}
    assert {paper.id for paper in papers} == new
    assert server.count("api") == -(-len(new) // 200)
