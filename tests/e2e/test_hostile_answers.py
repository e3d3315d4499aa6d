"""Hostile answers end to end: a bomb, a huge body, a slow drip or bytes that are not UTF-8 fail the date.

Each runs `digest run` against the local arXiv with one interface misbehaving; each must end in one
`Error:` line naming the URL and what was wrong, exit 1, and no digest written for the date.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli.main import main
from tests.support.arxiv_server import ArxivServer
from tests.support.golden import golden_config_path

MONDAY = "2025-10-13"
LATEST = "2025-10-14T07:00:00+00:00"  # Monday's batch is the feed's: read from RSS
LATER = "2025-10-17T07:00:00+00:00"  # Monday's batch is past: read from OAI-PMH
NAMES = {"rss": "arXiv RSS", "api": "arXiv API", "oai": "arXiv OAI-PMH"}


def run_monday(server: ArxivServer, tmp_path: Path, kind: str, **settings: str) -> Result:
    """`digest run` for Monday, from RSS (and the API), or from OAI-PMH when `kind` is oai."""
    now = LATER if kind == "oai" else LATEST
    env = server.environment() | {"DIGEST_NOW": now, "DIGEST_OUTPUT_DIR": str(tmp_path / "output")}
    # Inflating or reading 32 MB may take a busy machine more than the local arXiv's 1 s deadline, and a
    # timed-out flood is retried: only the test of the deadline itself keeps it.
    env |= {"DIGEST_REQUEST_TIMEOUT": "30", **settings}
    args = ["run", "--date", MONDAY, "--config", str(golden_config_path(MONDAY))]
    return CliRunner().invoke(main, args, env=env)


def error_line(result: Result) -> str:
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    return errors[0]


def url_of(server: ArxivServer, kind: str) -> str:
    return {"rss": server.rss_url, "api": server.api_url, "oai": server.oai_url}[kind]


def assert_nothing_written(tmp_path: Path) -> None:
    assert not any((tmp_path / "output").rglob(f"{MONDAY}.md"))


@pytest.mark.parametrize("kind", ["rss", "api", "oai"])
@pytest.mark.parametrize("fault", ["gzip-bomb", "huge"])
def test_an_answer_past_the_cap_fails_the_date_naming_the_url_and_the_cap(
    server: ArxivServer, tmp_path: Path, kind: str, fault: str
) -> None:
    server.inject(kind, fault)
    result = run_monday(server, tmp_path, kind, DIGEST_MAX_RESPONSE_MB="1")
    assert result.exit_code == 1
    prefix = f"Error: {MONDAY}: {NAMES[kind]} answered more than 1 MB (max_response_mb); nothing written: "
    assert error_line(result).startswith(prefix + url_of(server, kind))
    assert server.count(kind) == 1  # not retried: the same URL gives the same flood
    assert_nothing_written(tmp_path)


def test_the_cap_counts_inflated_bytes_not_bytes_on_the_wire(server: ArxivServer, tmp_path: Path) -> None:
    server.inject("rss", "gzip-bomb")
    result = run_monday(server, tmp_path, "rss", DIGEST_MAX_RESPONSE_MB="16")  # the bomb is 32 KiB on the wire
    assert "answered more than 16 MB (max_response_mb)" in error_line(result)


def test_a_slow_drip_fails_the_date_at_the_whole_response_deadline(server: ArxivServer, tmp_path: Path) -> None:
    server.inject("rss", "drip", times=2)
    result = run_monday(server, tmp_path, "rss", DIGEST_MAX_TRIES="2", DIGEST_REQUEST_TIMEOUT="1")
    assert result.exit_code == 1
    assert error_line(result) == (
        f"Error: {MONDAY}: arXiv RSS did not answer after 2 tries (no complete answer within 1 s): "
        f"{server.rss_url}cs.AI+cs.CL+cs.CV+cs.LG+cs.MA+cs.RO"
    )
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("kind", ["rss", "api", "oai"])
def test_an_answer_that_is_not_utf8_fails_the_date_naming_the_url_and_the_offset(
    server: ArxivServer, tmp_path: Path, kind: str
) -> None:
    server.inject(kind, "not-utf8")
    result = run_monday(server, tmp_path, kind)
    assert result.exit_code == 1
    line = error_line(result)
    assert re.fullmatch(
        rf"Error: {MONDAY}: {NAMES[kind]} answered text that is not valid UTF-8 \(byte offset \d+ of the body\); "
        rf"nothing written: {re.escape(url_of(server, kind))}\S*",
        line,
    ), line
    assert server.count(kind) == 1
    assert_nothing_written(tmp_path)
