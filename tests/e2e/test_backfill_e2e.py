"""`digest run --date` and `digest backfill` for past dates: OAI-PMH exact, the API approximate."""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli.main import main
from digest.core.calendar import ARXIV_TIMEZONE
from tests.support.arxiv_server import ArxivServer, paper_ids
from tests.support.golden import digest_ids, expected_digest, golden_config_path, published_ids
from tests.support.world import ServedPaper, World, add_filler, golden_world

NOW = "2026-11-20T12:00:00+00:00"
MONDAY, SATURDAY, WEDNESDAY = "2025-08-18", "2025-10-04", "2026-06-17"


def digest(server: ArxivServer, tmp_path: Path, *args: str, day: str = MONDAY) -> Result:
    env = server.environment() | {"DIGEST_NOW": NOW, "DIGEST_OUTPUT_DIR": str(tmp_path / "output")}
    return CliRunner().invoke(main, [*args, "--config", str(golden_config_path(day))], env=env)


def written_ids(tmp_path: Path, day: str) -> set[str]:
    return {paper_id for path in (tmp_path / "output").glob(f"*/{day}.md") for paper_id in digest_ids(path.read_text())}


def assert_golden(tmp_path: Path, day: str) -> None:
    for path in (golden_config_path(day).parent / "expected").glob("*.md"):
        written = (tmp_path / "output" / path.stem / f"{day}.md").read_text()
        assert written == expected_digest(day, path.stem), path.stem


@pytest.mark.parametrize(("day", "flags"), [(MONDAY, []), (SATURDAY, ["--every-day"]), (WEDNESDAY, [])])
def test_a_backfilled_day_equals_the_published_digests_replacements_included(
    tmp_path: Path, day: str, flags: list[str]
) -> None:
    with ArxivServer(golden_world([day]), oai_page_size=200) as server:
        result = digest(server, tmp_path, "backfill", "--from", day, "--to", day, *flags, day=day)
        assert result.exit_code == 0, result.output
        assert_golden(tmp_path, day)
        assert written_ids(tmp_path, day) & server.world.replacements
        harvested = sum(1 for paper in server.world.papers.values() if paper.datestamp >= date(2025, 1, 1))
        assert server.count("oai") == math.ceil(harvested / 200)
        assert server.count("api") == math.ceil(len(published_ids(day)) / 100)


def test_run_with_a_past_date_is_the_one_date_backfill(tmp_path: Path) -> None:
    with ArxivServer(golden_world([SATURDAY])) as server:
        result = digest(server, tmp_path, "run", "--date", SATURDAY, day=SATURDAY)
        assert result.exit_code == 0, result.output
        assert_golden(tmp_path, SATURDAY)


def test_the_api_fallback_misses_exactly_the_replacements_and_says_so(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY])) as server:
        result = digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY, "--source", "api")
        assert result.exit_code == 0, result.output
        assert "approximate (--source api): new papers only" in result.output
        assert written_ids(tmp_path, MONDAY) == published_ids(MONDAY) - server.world.replacements
        assert server.count("oai") == 0


def test_existing_digests_are_skipped_unless_forced(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY])) as server:
        digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY)
        server.reset_log()
        skipped = digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY)
        assert skipped.output.splitlines()[-1] == "0 dates written, 1 skipped, 0 failed; 0 requests"
        forced = digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY, "--force")
        assert forced.output.splitlines()[-1] == "1 date written, 0 skipped, 0 failed; 0 requests"
        assert server.requests == []


def test_a_backfill_writes_announcement_days_only_and_reports_each_date(tmp_path: Path) -> None:
    world = golden_world([MONDAY])
    add_filler(world, date(2025, 8, 17))
    with ArxivServer(world) as server:
        result = digest(server, tmp_path, "backfill", "--from", "2025-08-15", "--to", "2025-08-18")
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert [line[:10] for line in lines if line.startswith("2025-")] == ["2025-08-17", "2025-08-18"]
        assert lines[-1].startswith("2 dates written, 0 skipped, 0 failed;")
        assert not (tmp_path / "output" / "MLLM" / "2025-08-16.md").exists()


def test_an_offline_backfill_re_renders_stored_dates_without_the_network(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY])) as server:
        digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY)
        shutil.rmtree(tmp_path / "output")
        server.reset_log()
        result = digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY, "--offline")
        assert result.exit_code == 0, result.output
        assert server.requests == []
        assert_golden(tmp_path, MONDAY)
        assert f"[{MONDAY}]({MONDAY}.md)" in (tmp_path / "output" / "MLLM" / "README.md").read_text()


def test_an_offline_backfill_fails_the_dates_the_store_lacks_and_writes_the_others(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY])) as server:
        digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY)
        server.reset_log()
        result = digest(server, tmp_path, "backfill", "--from", "2025-08-14", "--to", MONDAY, "--offline", "--force")
        assert result.exit_code == 1
        assert server.requests == []
        assert (
            "2025-08-14: failed: the store holds no batch for 2025-08-14; "
            "run `digest run --date 2025-08-14` without --offline first"
        ) in result.output.splitlines()
        assert result.output.splitlines()[-1] == "1 date written, 0 skipped, 2 failed; 0 requests"
        assert_golden(tmp_path, MONDAY)


def test_an_interrupted_harvest_resumes_without_refetching_pages(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY]), oai_page_size=100) as server:
        server.inject("oai", "503", times=5, after=2)
        failed = digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY)
        assert failed.exit_code == 1
        assert failed.output.splitlines()[-1].startswith("0 dates written, 0 skipped, 1 failed;")
        assert not (tmp_path / "output" / "MLLM" / f"{MONDAY}.md").exists()
        server.reset_log()
        resumed = digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY)
        assert resumed.exit_code == 0, resumed.output
        oai = [request.path for request in server.requests if request.kind == "oai"]
        assert "resumptionToken=" in oai[0]
        assert len(oai) == math.ceil(len(server.world.papers) / 100) - 2
        assert_golden(tmp_path, MONDAY)


def test_an_expired_token_restarts_the_harvest(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY]), oai_page_size=200) as server:
        server.inject("oai", "expired-token", after=1)
        result = digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY)
        assert result.exit_code == 0, result.output
        assert "resumption token expired" in result.output
        assert_golden(tmp_path, MONDAY)


def test_a_broken_oai_page_is_asked_again(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY]), oai_page_size=200) as server:
        server.inject("oai", "broken-page", after=1)
        result = digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY)
        assert result.exit_code == 0, result.output
        assert server.count("oai") == math.ceil(len(server.world.papers) / 200) + 1
        assert_golden(tmp_path, MONDAY)


def new_york(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), ARXIV_TIMEZONE).astimezone(UTC)


@pytest.fixture
def weekend_world() -> Iterator[World]:
    """Papers submitted around the Thursday and Friday 14:00 cutoffs of 2025-10-09/10."""
    thursday, friday = date(2025, 10, 9), date(2025, 10, 10)
    world = World()
    for paper_id, submitted in [
        ("2510.00001", new_york(thursday, 13)),  # Thursday's batch
        ("2510.00002", new_york(thursday, 15)),  # Sunday's
        ("2510.00003", new_york(friday, 13)),  # Sunday's
        ("2510.00004", new_york(friday, 15)),  # Monday's
    ]:
        world.add(
            ServedPaper(paper_id, [submitted], f"A Vision Language Model {paper_id}", ["Ada"], "Text.", ["cs.CV"]),
            submitted.date() + timedelta(days=1),
            "new",
        )
    yield world


def test_sunday_holds_thursday_to_friday_and_monday_the_weekend(tmp_path: Path, weekend_world: World) -> None:
    with ArxivServer(weekend_world) as server:
        result = digest(server, tmp_path, "backfill", "--from", "2025-10-09", "--to", "2025-10-13")
        assert result.exit_code == 0, result.output
        assert written_ids(tmp_path, "2025-10-09") == {"2510.00001"}
        assert written_ids(tmp_path, "2025-10-12") == {"2510.00002", "2510.00003"}
        assert written_ids(tmp_path, "2025-10-13") == {"2510.00004"}


def test_a_date_in_the_future_is_bad_input(tmp_path: Path) -> None:
    with ArxivServer(World()) as server:
        result = digest(server, tmp_path, "backfill", "--from", "2026-11-01", "--to", "2026-12-01")
        assert result.exit_code == 2
        assert "--to 2026-12-01 is in the future" in result.output


def test_a_paper_kept_on_two_dates_of_a_backfill_is_asked_for_once(tmp_path: Path) -> None:
    monday, wednesday = date(2025, 10, 13), date(2025, 10, 15)
    world = World()
    for number in range(150):
        paper_id = f"2510.{number:05d}"
        versions = [new_york(monday, 10)] + ([new_york(wednesday, 10)] if number < 3 else [])
        world.add(
            ServedPaper(paper_id, versions, "A Vision Language Model", ["Ada"], "Text.", ["cs.CV"]),
            monday + timedelta(days=1),
            "new",
        )
    add_filler(world, date(2025, 10, 14))
    with ArxivServer(world) as server:
        result = digest(server, tmp_path, "backfill", "--from", "2025-10-13", "--to", "2025-10-15")
        assert result.exit_code == 0, result.output
        asked = list(paper_ids(server.requests))
        assert len(asked) == len(set(asked)) == 150
        assert server.count("api") == 2
        assert written_ids(tmp_path, "2025-10-15") == {"2510.00000", "2510.00001", "2510.00002"}


def test_a_harvest_short_of_its_complete_list_size_fails_and_starts_over_next_time(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY]), oai_page_size=200) as server:
        pages = math.ceil(len(server.world.papers) / 200)
        server.inject("oai", "wrong-size", after=pages - 1)
        failed = digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY)
        assert failed.exit_code == 1
        assert "records received" in failed.output
        server.reset_log()
        again = digest(server, tmp_path, "backfill", "--from", MONDAY, "--to", MONDAY)
        assert again.exit_code == 0, again.output
        assert "resumptionToken=" not in server.requests[0].path
        assert_golden(tmp_path, MONDAY)
