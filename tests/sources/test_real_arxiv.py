"""Answers arXiv itself wrote (tests/fixtures/real-arxiv, provenance in its README), replayed on 127.0.0.1.

Every other test server is our reading of arXiv's formats; these bytes are arXiv's own, so what they show
(an id arXiv does not know, an error feed, the 2016 and 2026 Atom, OAI-PMH errors) is what the client meets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from digest.core.config import Settings
from digest.core.errors import ExpiredToken, FetchError
from digest.sources.api import ArxivApiClient, fetch_metadata
from digest.sources.http import ArxivHttp
from digest.sources.oai import parse_list_records
from tests.support.scripted_server import Scripted, ScriptedServer

REAL = Path(__file__).parent.parent / "fixtures" / "real-arxiv"
KNOWN = "api2026_id_1605.08386_s0_m100_199195aa31ad.xml"
UNKNOWN = "api2026_id_0808.05394_s0_m100_7b0c7d0a7cdd.xml"


def real(name: str) -> bytes:
    return (REAL / name).read_bytes()


def asked_ids(path: str) -> list[str]:
    return parse_qs(urlsplit(path).query)["id_list"][0].split(",")


@contextmanager
def api(answer: Callable[[str], Scripted]) -> Iterator[tuple[ArxivApiClient, ScriptedServer]]:
    """An API client whose every page is `answer(path)` from a local server."""
    settings = Settings(request_interval=0, retry_backoff=0.01, max_tries=3, request_timeout=5)
    with ScriptedServer(answer) as server, ArxivHttp(settings) as http:
        yield ArxivApiClient(http, server.url + "api/query"), server


def replay(name: str, status: int = 200) -> Callable[[str], Scripted]:
    return lambda path: Scripted(status=status, body=real(name))


def test_a_2026_answer_gives_the_paper_as_arxiv_printed_it() -> None:
    with api(replay(KNOWN)) as (client, _):
        (paper,) = fetch_metadata(client, ["1605.08386"])
    assert (paper.id, paper.version) == ("1605.08386", 1)
    assert paper.title == "Heat-bath random walks with Markov bases"
    assert paper.authors == ["Caprice Stanley", "Tobias Windisch"]
    assert (paper.categories, paper.primary_category) == (["math.CO", "math.ST"], "math.CO")
    assert paper.comment == "20 pages, 3 figures"
    assert paper.published == datetime(2016, 5, 26, 17, 59, 46, tzinfo=UTC)


def test_an_old_style_id_keeps_its_archive() -> None:
    with api(replay("api2026_id_astro-ph_0601001_s0_m100_3150dca9dc76.xml")) as (client, _):
        (paper,) = fetch_metadata(client, ["astro-ph/0601001"])
    assert (paper.id, paper.version) == ("astro-ph/0601001", 1)
    assert paper.authors[:2] == ["Andrew Gould", "Susan Dorsher"]


def test_a_title_that_is_only_zero_is_kept() -> None:
    with api(replay("api2026_id_2104.12255v1_s0_m100_6ae69987ffe1.xml")) as (client, _):
        (paper,) = fetch_metadata(client, ["2104.12255"])
    assert (paper.title, paper.authors) == ("0", ["Quan Thoi Minh Nguyen"])


def test_the_2016_format_still_parses() -> None:
    with api(replay("api2016_id_list_1111.2011v2.xml")) as (client, _):
        (paper,) = fetch_metadata(client, ["1111.2011"])
    assert (paper.id, paper.version) == ("1111.2011", 2)
    assert paper.authors == ["James M. Murray", "Adrian Del Maestro", "Zlatko Tesanovic"]


def test_a_malformed_id_is_refused_at_once() -> None:
    with (
        api(replay("api2026_id_abc_s0_m100_b79c8dcf6bc3.xml", status=400)) as (client, server),
        pytest.raises(FetchError, match=r"^arXiv API refused the request \(HTTP 400\): "),
    ):
        fetch_metadata(client, ["abc"])
    assert len(server.paths) == 1


def test_an_id_arxiv_does_not_know_is_asked_once_more_alone_then_named() -> None:
    def answer(path: str) -> Scripted:
        return Scripted(body=real(KNOWN if "1605.08386" in asked_ids(path) else UNKNOWN))

    with api(answer) as (client, server), pytest.raises(FetchError) as failed:
        fetch_metadata(client, ["1605.08386", "0808.05394"])
    assert str(failed.value) == (
        "arXiv API does not know 1 of the 2 papers asked, asked twice: 0808.05394; "
        "a paper just announced may not be in the API yet: run again later"
    )
    assert [asked_ids(path) for path in server.paths] == [["1605.08386", "0808.05394"], ["0808.05394"]]


def test_an_id_missing_once_is_found_when_asked_again_alone() -> None:
    answers = [Scripted(body=real(UNKNOWN)), Scripted(body=real(KNOWN))]
    with api(lambda path: answers.pop(0)) as (client, server):
        (paper,) = fetch_metadata(client, ["1605.08386"])
    assert paper.id == "1605.08386"
    assert len(server.paths) == 2


def test_a_real_list_records_page_gives_its_records_and_token() -> None:
    page = parse_list_records(real("oai2015_ListRecordsResponse.xml"))
    assert [record.paper.id for record in page.records][:2] == ["0704.0471", "0704.0716"]
    assert len(page.records) == 6
    assert (page.token, page.complete_list_size) == ("726959|1001", 58011)
    first = page.records[0].paper
    assert first.authors == ["D.V. Shetty", "S.J. Yennello", "G.A. Souliotis"]
    assert first.title == (
        "Density dependence of the symmetry energy and the nuclear equation of state: "
        "A Dynamical and Statistical model perspective"
    )
    assert (first.categories, first.comment) == (["nucl-ex", "nucl-th"], "16 pages, 14 figures")


def test_a_real_expired_token_answer_restarts_the_harvest() -> None:
    with pytest.raises(ExpiredToken, match="The resumptionToken supplied is illegal for this repository"):
        parse_list_records(real("oai2015_ErrorResponseBadResumptionToken.xml"))


def test_a_real_no_records_answer_is_an_empty_last_page() -> None:
    page = parse_list_records(real("oai2015_ErrorResponseNoRecordsMatch.xml"))
    assert (page.records, page.token, page.complete_list_size) == ([], None, 0)
