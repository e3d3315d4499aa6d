"""Incremental OAI-PMH harvesting: the store's coverage of each set grows, and only what it lacks is asked."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli.main import main
from digest.sources.oai import HarvestPart, covered_after, plan_harvest
from digest.store.harvests import Coverage
from tests.support.arxiv_server import ArxivServer
from tests.support.world import ServedPaper, World, submission_time, synthetic_world

CONFIG = Path(__file__).parent.parent.parent / "config" / "awesome-daily-ai-arxiv.yml"
FIRST = date(2026, 2, 2)
NOW = "2026-03-02T12:00:00+00:00"
PAGE = 100
HELD = Coverage("cs", date(2026, 2, 9), date(2026, 3, 2), datetime(2026, 3, 2, 12, tzinfo=UTC))


def world() -> World:
    """February 2026: 20 announcements from 2026-02-02 to 02-27, 60 papers each."""
    return synthetic_world(FIRST, 20, per_day=60)


def digest(server: ArxivServer, work: Path, *args: str, now: str = NOW) -> Result:
    env = server.environment() | {
        "DIGEST_NOW": now,
        "DIGEST_OUTPUT_DIR": str(work / "output"),
        "DIGEST_CACHE_DIR": str(work / "cache"),
    }
    return CliRunner().invoke(main, [*args, "--config", str(CONFIG)], env=env)


def backfill(server: ArxivServer, work: Path, start: str, end: str, *more: str, now: str = NOW) -> int:
    """OAI requests of one backfill (which must succeed)."""
    server.reset_log()
    result = digest(server, work, "backfill", "--from", start, "--to", end, *more, now=now)
    assert result.exit_code == 0, result.output
    return server.count("oai")


def coverage(work: Path) -> tuple[str, str, str] | None:
    with sqlite3.connect(work / "cache" / "digest.sqlite3") as db:
        row = db.execute("SELECT start, end, harvested_at FROM coverage WHERE set_spec = 'cs'").fetchone()
    return None if row is None else (row[0], row[1], row[2])


def digests(work: Path, days: list[str]) -> dict[str, bytes]:
    return {str(path.relative_to(work)): path.read_bytes() for day in days for path in work.glob(f"output/*/{day}.md")}


# The rule, pure


def test_an_empty_store_harvests_from_the_start_to_today() -> None:
    assert plan_harvest(None, date(2026, 2, 1), date(2026, 2, 11)) == [HarvestPart(date(2026, 2, 1))]


def test_dates_inside_the_coverage_need_no_harvest() -> None:
    assert plan_harvest(HELD, date(2026, 2, 9), date(2026, 3, 2)) == []
    assert plan_harvest(HELD, date(2026, 2, 15), date(2026, 2, 20)) == []


def test_an_earlier_start_harvests_the_span_before_and_the_refresh() -> None:
    assert plan_harvest(HELD, date(2026, 2, 1), date(2026, 2, 11)) == [
        HarvestPart(date(2026, 2, 1), date(2026, 2, 8)),
        HarvestPart(date(2026, 3, 1)),
    ]


def test_a_later_end_is_only_the_refresh_from_a_day_before_the_coverage_ends() -> None:
    assert plan_harvest(HELD, date(2026, 2, 20), date(2026, 3, 4)) == [HarvestPart(date(2026, 3, 1))]


def test_a_start_after_a_gap_is_a_harvest_of_its_own() -> None:
    assert plan_harvest(HELD, date(2026, 3, 10), date(2026, 3, 12)) == [HarvestPart(date(2026, 3, 10))]


def test_the_coverage_grows_backwards_and_then_to_today() -> None:
    later = datetime(2026, 3, 5, 9, tzinfo=UTC)
    backward = covered_after(HELD, HarvestPart(date(2026, 2, 1), date(2026, 2, 8)), "cs", later)
    assert backward == Coverage("cs", date(2026, 2, 1), date(2026, 3, 2), HELD.harvested_at)
    refreshed = covered_after(backward, HarvestPart(date(2026, 3, 1)), "cs", later)
    assert refreshed == Coverage("cs", date(2026, 2, 1), date(2026, 3, 5), later)


def test_a_harvest_after_a_gap_starts_a_new_coverage() -> None:
    later = datetime(2026, 3, 12, tzinfo=UTC)
    assert covered_after(HELD, HarvestPart(date(2026, 3, 10)), "cs", later) == Coverage(
        "cs", date(2026, 3, 10), date(2026, 3, 12), later
    )


# Against the local arXiv


def test_a_second_backfill_harvests_a_third_of_a_fresh_one_and_writes_the_same_digests(tmp_path: Path) -> None:
    with ArxivServer(world(), oai_page_size=PAGE) as server:
        fresh = backfill(server, tmp_path / "fresh", "2026-02-02", "2026-02-09")
        backfill(server, tmp_path / "grown", "2026-02-10", "2026-02-26")
        second = backfill(server, tmp_path / "grown", "2026-02-02", "2026-02-09")
    assert second <= fresh / 2
    early = sorted({path.stem for path in (tmp_path / "fresh").glob("output/*/2026-02-0*.md")})
    assert len(early) == 6  # 02-06 is a Friday: no announcement
    assert digests(tmp_path / "grown", early) == digests(tmp_path / "fresh", early)
    assert coverage(tmp_path / "grown") == ("2026-01-30", "2026-03-02", "2026-03-02T12:00:00+00:00")


def test_a_date_inside_a_fresh_coverage_makes_no_oai_request(tmp_path: Path) -> None:
    with ArxivServer(world(), oai_page_size=PAGE) as server:
        backfill(server, tmp_path, "2026-02-10", "2026-02-26")
        written = digests(tmp_path, ["2026-02-17"])
        with sqlite3.connect(tmp_path / "cache" / "digest.sqlite3") as db:
            db.execute("DELETE FROM batches WHERE announcement = '2026-02-17'")
        server.reset_log()
        result = digest(server, tmp_path, "run", "--date", "2026-02-17")
        assert result.exit_code == 0, result.output
        assert server.count("oai") == 0
    assert digests(tmp_path, ["2026-02-17"]) == written


def test_a_paper_revised_between_two_harvests_is_where_a_fresh_harvest_puts_it(tmp_path: Path) -> None:
    """The union argument. P (an MLLM paper submitted for 02-03) is revised after the first harvest: its
    datestamp leaves the span a later backfill of 02-02..06 harvests backwards; only the refresh finds it."""
    served = world()
    later = "2026-03-05T12:00:00+00:00"
    paper = ServedPaper(
        "2602.00999", [submission_time(date(2026, 2, 3))], "A Vision Language Model", ["Ada"], "Text.", ["cs.CV"]
    )
    served.add(paper, date(2026, 2, 4), "new")
    with ArxivServer(served, oai_page_size=PAGE) as server:
        backfill(server, tmp_path / "grown", "2026-02-10", "2026-02-26")
        served.papers[paper.id] = ServedPaper(
            paper.id, [*paper.versions, submission_time(date(2026, 3, 3))], "Revised: " + paper.title,
            paper.authors, paper.abstract, paper.categories,
        )  # fmt: skip
        backfill(server, tmp_path / "grown", "2026-02-02", "2026-02-06", now=later)
        backfill(server, tmp_path / "fresh", "2026-02-02", "2026-02-06", now=later)
    assert versions(tmp_path / "grown") == versions(tmp_path / "fresh")
    days = ["2026-02-02", "2026-02-03", "2026-02-04", "2026-02-05"]
    assert digests(tmp_path / "grown", days) == digests(tmp_path / "fresh", days)
    assert "Revised: A Vision Language Model" in (tmp_path / "grown" / "output" / "MLLM" / "2026-02-03.md").read_text()


def versions(work: Path) -> set[tuple[str, int, str]]:
    """Every version the store knows, with its submission time: what each window's batch is made of."""
    with sqlite3.connect(work / "cache" / "digest.sqlite3") as db:
        return set(db.execute("SELECT id, version, submitted FROM versions"))


def test_a_failed_harvest_leaves_the_coverage_as_it_was(tmp_path: Path) -> None:
    with ArxivServer(world(), oai_page_size=PAGE) as server:
        backfill(server, tmp_path, "2026-02-10", "2026-02-26")
        held = coverage(tmp_path)
        server.inject("oai", "always-503")
        result = digest(server, tmp_path, "backfill", "--from", "2026-02-02", "--to", "2026-02-06")
    assert result.exit_code == 1
    assert coverage(tmp_path) == held


def test_an_interrupted_part_resumes_from_its_token_and_then_grows_the_coverage(tmp_path: Path) -> None:
    with ArxivServer(world(), oai_page_size=20) as server:
        backfill(server, tmp_path, "2026-02-10", "2026-02-26")
        server.inject("oai", "503", times=5, after=2)
        failed = digest(server, tmp_path, "backfill", "--from", "2026-02-02", "--to", "2026-02-06")
        assert failed.exit_code == 1
        assert coverage(tmp_path) == ("2026-02-09", "2026-03-02", "2026-03-02T12:00:00+00:00")
        server.reset_log()
        resumed = digest(server, tmp_path, "backfill", "--from", "2026-02-02", "--to", "2026-02-06")
        assert resumed.exit_code == 0, resumed.output
        first = next(request.path for request in server.requests if request.kind == "oai")
    assert "resumptionToken=" in first
    assert coverage(tmp_path) == ("2026-01-30", "2026-03-02", "2026-03-02T12:00:00+00:00")


@pytest.mark.parametrize("later", [timedelta(days=0), timedelta(days=3)])
def test_the_backfill_plan_counts_only_what_the_coverage_lacks(tmp_path: Path, later: timedelta) -> None:
    with ArxivServer(world(), oai_page_size=PAGE) as server:
        backfill(server, tmp_path, "2026-02-10", "2026-02-26")
        now = (datetime.fromisoformat(NOW) + later).isoformat()
        result = digest(
            server, tmp_path, "backfill", "--from", "2026-02-02", "--to", "2026-02-06", "--dry-run", now=now
        )
    refresh_to = "today"
    assert f"OAI-PMH: harvest cs from 2026-01-30 to 2026-02-08 and from 2026-03-01 to {refresh_to}" in result.output
