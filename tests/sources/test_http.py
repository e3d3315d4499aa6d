"""ArxivHttp against a tiny scripted server on 127.0.0.1: spacing, retries, backoff, Retry-After, budget."""

from __future__ import annotations

import gzip
import socket
import ssl
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from digest.core.config import Settings
from digest.core.errors import FetchError, IncompleteResponse
from digest.core.retry_after import parse_retry_after
from digest.sources.http import USER_AGENT, ArxivHttp
from tests.support.scripted_server import Scripted, ScriptedServer


class FakeClock:
    """A monotonic clock that only moves when slept on; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def settings(**overrides: float) -> Settings:
    values: dict[str, float] = {"request_interval": 0.0, "retry_backoff": 0.01, "max_tries": 3, "request_timeout": 0.5}
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_http(clock: FakeClock, **overrides: float) -> ArxivHttp:
    return ArxivHttp(settings(**overrides), sleep=clock.sleep, monotonic=clock.monotonic)


@pytest.fixture
def ok_server() -> Iterator[ScriptedServer]:
    with ScriptedServer([Scripted()]) as server:
        yield server


def test_spacing_is_shared_across_kinds(clock: FakeClock, ok_server: ScriptedServer) -> None:
    with make_http(clock, request_interval=3.0) as http:
        http.get(ok_server.url, kind="rss")
        http.get(ok_server.url, kind="api")
        clock.now += 1.0
        http.get(ok_server.url, kind="oai")
    assert clock.sleeps == [3.0, 2.0]


def test_no_wait_before_the_first_request(clock: FakeClock, ok_server: ScriptedServer) -> None:
    with make_http(clock, request_interval=3.0) as http:
        http.get(ok_server.url, kind="api")
    assert clock.sleeps == []


def test_stats_count_requests_by_kind(clock: FakeClock, ok_server: ScriptedServer) -> None:
    with make_http(clock) as http:
        http.get(ok_server.url, kind="rss")
        http.get(ok_server.url, kind="api")
        http.get(ok_server.url, kind="api")
    assert http.stats == {"rss": 1, "api": 2, "total": 3}


def test_user_agent_names_arxiv_digest(clock: FakeClock, ok_server: ScriptedServer) -> None:
    with make_http(clock) as http:
        http.get(ok_server.url, kind="api")
    assert ok_server.seen[0][1] == USER_AGENT
    assert USER_AGENT.startswith("arxiv-digest/")


def test_params_are_sent_as_the_query(clock: FakeClock, ok_server: ScriptedServer) -> None:
    with make_http(clock) as http:
        http.get(ok_server.url + "query", params={"id_list": "2510.00001,2510.00002", "start": 0}, kind="api")
    assert ok_server.seen[0][0] == "/query?id_list=2510.00001%2C2510.00002&start=0"


def test_503_once_then_success_takes_two_requests(clock: FakeClock) -> None:
    with ScriptedServer([Scripted(503), Scripted(body=b"fine")]) as server, make_http(clock) as http:
        response = http.get(server.url, kind="api")
    assert response.content == b"fine"
    assert http.stats["total"] == 2
    assert clock.sleeps == [0.01]


def test_backoff_doubles_per_try(clock: FakeClock) -> None:
    replies = [Scripted(503), Scripted(502), Scripted(500), Scripted()]
    with ScriptedServer(replies) as server, make_http(clock, max_tries=4, retry_backoff=1.0) as http:
        http.get(server.url, kind="api")
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_429_honours_retry_after_seconds(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(429, headers={"Retry-After": "7"}), Scripted()]) as server,
        make_http(clock) as http,
    ):
        http.get(server.url, kind="rss")
    assert clock.sleeps == [7.0]
    assert http.stats["rss"] == 2


def test_backoff_wins_when_larger_than_retry_after(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(503, headers={"Retry-After": "1"}), Scripted()]) as server,
        make_http(clock, retry_backoff=5.0) as http,
    ):
        http.get(server.url, kind="api")
    assert clock.sleeps == [5.0]


def test_a_retry_after_beyond_the_wait_cap_fails_at_once_instead_of_sleeping(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(429, headers={"Retry-After": "86400"}), Scripted()]) as server,
        make_http(clock, max_retry_wait=60.0) as http,
        pytest.raises(FetchError, match=r"^arXiv ") as caught,
    ):
        http.get(server.url, kind="api")
    assert str(caught.value) == "arXiv asks to wait 86400 s (Retry-After); nothing written; run again later"
    assert clock.sleeps == []
    assert len(server.seen) == 1


def test_a_retry_after_within_the_wait_cap_is_slept(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(503, headers={"Retry-After": "60"}), Scripted()]) as server,
        make_http(clock, max_retry_wait=60.0) as http,
    ):
        http.get(server.url, kind="api")
    assert clock.sleeps == [60.0]


def test_a_server_that_drips_bytes_is_cut_off_at_the_request_timeout() -> None:
    with (
        ScriptedServer([Scripted(body=b"x" * 50, drip=0.1)]) as server,
        ArxivHttp(settings(request_timeout=0.5, max_tries=2)) as http,
        pytest.raises(FetchError, match=r"after 2 tries \(no complete answer within 0.5 s\)"),
    ):
        started = time.monotonic()
        http.get(server.url, kind="oai")
    assert time.monotonic() - started < 2.5  # 2 tries of 0.5 s, where httpx's per-read timeout allowed 5 s each


def failing_transport(cause: BaseException) -> httpx.MockTransport:
    """A transport whose every request fails to connect, for the reason `cause` gives."""

    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection failed", request=request) from cause

    return httpx.MockTransport(fail)


@pytest.mark.parametrize(
    ("cause", "reason"),
    [
        (
            socket.gaierror(-2, "Name or service not known"),
            "cannot resolve export.arxiv.org (no network, or a mistyped URL)",
        ),
        (ConnectionRefusedError(111, "Connection refused"), "export.arxiv.org refused the connection"),
        (
            ssl.SSLCertVerificationError("certificate verify failed"),
            "TLS failed with export.arxiv.org: certificate verify failed",
        ),
    ],
)
def test_a_failure_no_retry_can_mend_fails_at_the_first_try(
    clock: FakeClock, cause: BaseException, reason: str
) -> None:
    http = ArxivHttp(settings(), transport=failing_transport(cause), sleep=clock.sleep, monotonic=clock.monotonic)
    with http, pytest.raises(FetchError, match=r"^arXiv ") as caught:
        http.get("https://export.arxiv.org/api/query", kind="api")
    assert (
        str(caught.value) == f"arXiv API cannot be reached: {reason}; not retried: https://export.arxiv.org/api/query"
    )
    assert http.stats["total"] == 1
    assert clock.sleeps == []


def test_an_invalid_url_fails_at_the_first_try(clock: FakeClock) -> None:
    with make_http(clock) as http, pytest.raises(FetchError, match=r"^arXiv RSS cannot be reached: invalid URL"):
        http.get("htps://rss.arxiv.org/rss/", kind="rss")
    assert clock.sleeps == []


def test_secrets_in_a_url_never_reach_the_message(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(404)]) as server,
        make_http(clock) as http,
        pytest.raises(FetchError, match=r"^arXiv ") as caught,
    ):
        http.get(server.url, params={"id_list": "2510.00001", "token": "SECRET"}, kind="api")
    assert "SECRET" not in str(caught.value)
    assert str(caught.value).endswith("?id_list=2510.00001&token=***")


def test_retry_after_accepts_an_http_date() -> None:
    now = datetime(2025, 10, 13, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Mon, 13 Oct 2025 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("12", now=now) == 12.0
    assert parse_retry_after("soon", now=now) is None


def test_always_503_fails_after_max_tries_naming_url_and_cause(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(503)]) as server,
        make_http(clock, max_tries=4) as http,
        pytest.raises(FetchError, match=r"^arXiv ") as caught,
    ):
        http.get(server.url + "api/query", params={"id_list": "2510.00001"}, kind="api")
    assert str(caught.value) == (
        f"arXiv API did not answer after 4 tries (HTTP 503): {server.url}api/query?id_list=2510.00001"
    )
    assert len(server.seen) == 4
    assert http.stats["total"] == 4


def test_404_fails_at_once(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(404)]) as server,
        make_http(clock) as http,
        pytest.raises(FetchError, match=r"refused the request \(HTTP 404\)"),
    ):
        http.get(server.url, kind="rss")
    assert len(server.seen) == 1


def test_hang_past_the_timeout_is_retried(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(stall=1.0, body=b"late"), Scripted(body=b"prompt")]) as server,
        make_http(clock, request_timeout=0.2) as http,
    ):
        response = http.get(server.url, kind="api")
    assert response.content == b"prompt"
    assert http.stats["total"] == 2


def test_connection_refused_is_retried_then_fails(clock: FakeClock) -> None:
    with ScriptedServer([Scripted()]) as server:
        dead_url = server.url
    with make_http(clock, max_tries=2) as http, pytest.raises(FetchError, match="connection failed"):
        http.get(dead_url, kind="oai")
    assert http.stats["oai"] == 2


def _needs_complete(response: httpx.Response) -> str:
    if response.content != b"complete":
        raise IncompleteResponse(f"got {response.content.decode()!r}")
    return response.content.decode()


def test_unusable_200_is_retried_via_validate(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(body=b"trunc"), Scripted(body=b"complete")]) as server,
        make_http(clock) as http,
    ):
        value = http.get_valid(server.url, kind="api", validate=_needs_complete)
    assert value == "complete"
    assert http.stats["total"] == 2
    assert clock.sleeps == [0.01]


def test_unusable_200_every_time_fails_with_the_reason(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(body=b"trunc")]) as server,
        make_http(clock, max_tries=2) as http,
        pytest.raises(FetchError, match=r"after 2 tries \(incomplete response: got 'trunc'\)"),
    ):
        http.get_valid(server.url, kind="api", validate=_needs_complete)
    assert http.stats["total"] == 2


def test_mock_transport_can_stand_in_for_the_network(clock: FakeClock) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=request.url.path.encode()))
    http = ArxivHttp(settings(), transport=transport, sleep=clock.sleep, monotonic=clock.monotonic)
    with http:
        assert http.get("http://arxiv.test/rss/cs.AI", kind="rss").content == b"/rss/cs.AI"


MEBIBYTE = 1024 * 1024


def test_a_body_of_exactly_the_cap_is_read_whole(clock: FakeClock) -> None:
    with ScriptedServer([Scripted(body=b"x" * MEBIBYTE)]) as server, make_http(clock, max_response_mb=1) as http:
        assert len(http.get(server.url, kind="api").content) == MEBIBYTE


def test_a_body_past_the_cap_fails_at_the_first_try_naming_the_url_and_the_cap(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(body=b"x" * (MEBIBYTE + 1))]) as server,
        make_http(clock, max_response_mb=1) as http,
        pytest.raises(FetchError) as failed,
    ):
        http.get(server.url + "oai", params={"verb": "ListRecords"}, kind="oai")
    assert str(failed.value) == (
        f"arXiv OAI-PMH answered more than 1 MB (max_response_mb); nothing written: {server.url}oai?verb=ListRecords"
    )
    assert len(server.paths) == 1


def test_a_gzip_bomb_is_stopped_by_its_inflated_size(clock: FakeClock) -> None:
    bomb = gzip.compress(b"\0" * 16 * MEBIBYTE)
    assert len(bomb) < MEBIBYTE // 8
    with (
        ScriptedServer([Scripted(body=bomb, headers={"Content-Encoding": "gzip"})]) as server,
        make_http(clock, max_response_mb=4) as http,
        pytest.raises(FetchError, match=r"^arXiv RSS answered more than 4 MB \(max_response_mb\); nothing written: "),
    ):
        http.get(server.url, kind="rss")


def test_a_gzipped_body_within_the_cap_is_inflated(clock: FakeClock) -> None:
    body = gzip.compress(b"<feed>ok</feed>")
    with (
        ScriptedServer([Scripted(body=body, headers={"Content-Encoding": "gzip"})]) as server,
        make_http(clock) as http,
    ):
        assert http.get(server.url, kind="api").content == b"<feed>ok</feed>"


def test_bytes_that_are_not_utf8_fail_at_once_naming_the_offset(clock: FakeClock) -> None:
    with (
        ScriptedServer([Scripted(body="<feed>café</feed>".encode("latin-1"))]) as server,
        make_http(clock) as http,
        pytest.raises(FetchError) as failed,
    ):
        http.get(server.url, kind="api")
    assert str(failed.value) == (
        f"arXiv API answered text that is not valid UTF-8 (byte offset 9 of the body); nothing written: {server.url}"
    )
    assert len(server.paths) == 1


def test_a_body_cut_inside_a_character_is_retried_as_truncated(clock: FakeClock) -> None:
    cut = "<feed>café".encode()[:-1]
    with ScriptedServer([Scripted(body=cut), Scripted(body="<feed>café</feed>".encode())]) as server:
        with make_http(clock) as http:
            assert http.get(server.url, kind="api").text == "<feed>café</feed>"
        assert len(server.paths) == 2
