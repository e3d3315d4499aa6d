"""`digest run` end to end: the real arxiv client, httpx and feedparser against a local arXiv on 127.0.0.1."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli.main import main
from tests.support.arxiv_server import ArxivServer, paper_ids
from tests.support.golden import expected_digest, golden_config_path, golden_papers, published_ids
from tests.support.world import golden_world

MONDAY = "2025-10-13"
AFTER_MONDAY = "2025-10-14T07:00:00+00:00"  # the mailing of Monday evening's batch is on the feed
THURSDAY = "2026-07-09"
AFTER_THURSDAY = "2026-07-10T07:00:00+00:00"


@pytest.fixture
def arxiv_days() -> list[str]:
    return [MONDAY, THURSDAY]


def digest(server: ArxivServer, tmp_path: Path, *args: str, day: str = MONDAY, now: str = AFTER_MONDAY) -> Result:
    env = server.environment() | {"DIGEST_NOW": now, "DIGEST_OUTPUT_DIR": str(tmp_path / "output")}
    return CliRunner().invoke(main, [*args, "--config", str(golden_config_path(day))], env=env)


def topics(day: str) -> list[str]:
    return [path.stem for path in (golden_config_path(day).parent / "expected").glob("*.md")]


def assert_golden(tmp_path: Path, day: str) -> None:
    for topic in topics(day):
        assert (tmp_path / "output" / topic / f"{day}.md").read_text() == expected_digest(day, topic), topic


def kept_ids(day: str) -> int:
    """How many papers of the day any topic kept: the id_list requests are ceil(this / 100)."""
    return len(published_ids(day))


@pytest.mark.parametrize(
    ("day", "mailing", "now"),
    [(MONDAY, date(2025, 10, 14), AFTER_MONDAY), (THURSDAY, date(2026, 7, 10), AFTER_THURSDAY)],
)
def test_the_latest_batch_gives_the_published_digests(
    server: ArxivServer, tmp_path: Path, day: str, mailing: date, now: str
) -> None:
    server.current_mailing = mailing
    result = digest(server, tmp_path, "run", day=day, now=now)
    assert result.exit_code == 0, result.output
    assert_golden(tmp_path, day)
    assert server.count("rss") == 1
    assert server.count("api") == math.ceil(kept_ids(day) / 100)


def test_metadata_is_asked_only_for_kept_papers_and_decoys_are_dropped(server: ArxivServer, tmp_path: Path) -> None:
    assert digest(server, tmp_path, "run").exit_code == 0
    asked = set(paper_ids(server.requests))
    assert len(asked) == kept_ids(MONDAY)
    assert not asked & server.world.decoys
    written = "".join(path.read_text() for path in (tmp_path / "output").rglob(f"{MONDAY}.md"))
    assert "decoy" not in written


def test_a_stored_date_is_not_fetched_again(server: ArxivServer, tmp_path: Path) -> None:
    digest(server, tmp_path, "run")
    server.reset_log()
    result = digest(server, tmp_path, "run", "--date", MONDAY)
    assert result.exit_code == 0
    assert server.requests == []
    assert_golden(tmp_path, MONDAY)


def test_refresh_fetches_a_stored_date_again(server: ArxivServer, tmp_path: Path) -> None:
    digest(server, tmp_path, "run")
    server.reset_log()
    assert digest(server, tmp_path, "run", "--refresh").exit_code == 0
    assert server.count("rss") == 1


def test_offline_renders_a_stored_batch_without_the_network(server: ArxivServer, tmp_path: Path) -> None:
    digest(server, tmp_path, "run")
    for path in (tmp_path / "output").rglob(f"{MONDAY}.md"):
        path.unlink()
    server.reset_log()
    result = digest(server, tmp_path, "run", "--date", MONDAY, "--offline")
    assert result.exit_code == 0
    assert server.requests == []
    assert_golden(tmp_path, MONDAY)


def test_offline_with_an_empty_store_says_what_to_do(server: ArxivServer, tmp_path: Path) -> None:
    result = digest(server, tmp_path, "run", "--date", MONDAY, "--offline")
    assert result.exit_code == 2
    assert result.output == (
        f"Error: the store holds no batch for {MONDAY}; run `digest run --date {MONDAY}` without --offline first\n"
    )
    assert server.requests == []


def test_an_empty_weekend_feed_writes_nothing_and_says_so(server: ArxivServer, tmp_path: Path) -> None:
    server.current_mailing = date(2025, 10, 18)  # a Saturday: no mailing
    result = digest(server, tmp_path, "run", now="2025-10-18T07:00:00+00:00")
    assert result.exit_code == 0
    assert "arXiv's feed lists no announcement now (weekend or holiday): nothing to write" in result.output
    assert not any((tmp_path / "output").rglob("2025-*.md"))


def test_a_stale_feed_fails_and_writes_nothing(server: ArxivServer, tmp_path: Path) -> None:
    server.current_mailing = date(2025, 10, 14)
    result = digest(server, tmp_path, "run", now="2025-10-15T07:00:00+00:00")  # Tuesday's batch is due
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] + "\n" == (
        "Error: 2025-10-14: stale feed: arXiv's RSS is dated 2025-10-14, expected 2025-10-15 (the batch announced "
        "2025-10-14); nothing written\n"
    )
    assert not any((tmp_path / "output").rglob("2025-*.md"))


def test_a_feed_at_its_cap_is_fetched_per_category(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY]), rss_item_cap=300) as server:
        server.current_mailing = date(2025, 10, 14)
        result = digest(server, tmp_path, "run")
        assert result.exit_code == 0, result.output
        assert server.count("rss") == 1 + 6
        assert_golden(tmp_path, MONDAY)


RECOVERED = [
    ("api", "503", 1),
    ("api", "429", 1),
    ("api", "empty-first-page", 1),
    ("api", "missing-records", 1),
    ("api", "truncated", 1),
    ("rss", "truncated", 1),
    ("rss", "hang", 1),
    ("rss", "503", 2),
]


@pytest.mark.parametrize(("kind", "fault", "times"), RECOVERED)
def test_a_passing_fault_is_retried_and_the_digest_is_exact(
    server: ArxivServer, tmp_path: Path, kind: str, fault: str, times: int
) -> None:
    server.hang_seconds = 1.5
    server.inject(kind, fault, times)
    result = digest(server, tmp_path, "run")
    assert result.exit_code == 0, result.output
    assert_golden(tmp_path, MONDAY)
    assert server.count() == 1 + math.ceil(kept_ids(MONDAY) / 100) + times


@pytest.mark.parametrize("kind", ["rss", "api"])
def test_an_arxiv_that_keeps_failing_fails_the_date_and_keeps_earlier_digests(
    server: ArxivServer, tmp_path: Path, kind: str
) -> None:
    earlier = tmp_path / "output" / "MLLM" / "2025-10-09.md"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("an earlier digest\n")
    server.inject(kind, "always-503")
    result = digest(server, tmp_path, "run")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith(f"Error: {MONDAY}: arXiv ")
    assert "after 5 tries (HTTP 503)" in result.output.splitlines()[-1]
    assert server.count(kind) == 5
    assert not any((tmp_path / "output").rglob(f"{MONDAY}.md"))
    assert earlier.read_text() == "an earlier digest\n"


def test_the_golden_papers_are_all_served(server: ArxivServer) -> None:
    assert {paper.id for paper in golden_papers(MONDAY)} <= set(server.world.papers)
