"""A backfill says what it will cost before its first request, asks before a large one, and shows its harvest."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from digest.cli.main import main
from digest.core.config_file import load_config
from digest.core.intents import Finish, Sourcing
from digest.core.plan import make_plan
from digest.edges import open_edges
from digest.ops.estimate import BackfillDates, Costing, estimate_backfill
from digest.recipe import backfill
from tests.support.arxiv_server import ArxivServer
from tests.support.golden import golden_config_path
from tests.support.world import golden_world

MONDAY = "2025-10-13"
MONDAY_DATE = date(2025, 10, 13)
NOW = "2025-10-20T12:00:00+00:00"


def digest(server: ArxivServer, output: Path, *args: str, **env: str) -> Result:
    environment = server.environment() | {"DIGEST_NOW": NOW, "DIGEST_OUTPUT_DIR": str(output)} | env
    return CliRunner().invoke(main, [*args, "--config", str(golden_config_path(MONDAY))], env=environment)


def test_the_plan_counts_dates_announcements_and_what_the_store_holds() -> None:
    days = [date(2025, 10, 12), date(2025, 10, 13), date(2025, 10, 14)]
    planned = estimate_backfill(
        BackfillDates(days, []),
        {day: day for day in days},
        {date(2025, 10, 12)},
        Costing(source="oai", sets={"cs"}, topics=1, request_interval=3.0),
        today=date(2025, 10, 20),
    )
    assert planned.stored == 1
    assert planned.oai_requests == math.ceil(8 * 2000 / 500)
    assert planned.api_requests == math.ceil(2 * 70 / 100)
    assert planned.describe().splitlines() == [
        "Backfill plan: 3 dates from 2025-10-12 to 2025-10-14 (3 announcements; the store holds 1, 2 to fetch)",
        "  OAI-PMH: harvest cs from 2025-10-13 to today (2025-10-20, 8 days): about 32 pages",
        "  API: about 2 id_list requests for the kept papers",
        "  about 34 requests: about 2 min at 3 s a request",
    ]


def test_an_offline_plan_makes_no_request() -> None:
    days = [date(2025, 10, 13)]
    planned = estimate_backfill(
        BackfillDates(days, []),
        {days[0]: days[0]},
        set(),
        Costing(source="offline", sets={"cs"}, topics=8, request_interval=3.0),
        today=date(2025, 10, 20),
    )
    assert planned.requests == 0
    assert planned.describe().splitlines()[-1] == "  --offline: no request; a date the store lacks fails"


def test_dry_run_prints_the_plan_and_makes_no_request(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY])) as server:
        result = digest(server, tmp_path / "output", "backfill", "--from", MONDAY, "--to", MONDAY, "--dry-run")
        assert result.exit_code == 0, result.output
        assert result.output.startswith(
            "Backfill plan: 1 date from 2025-10-13 to 2025-10-13 (1 announcement; the store holds 0, 1 to fetch)\n"
        )
        assert "requests" in result.output.splitlines()[-1]
        assert server.requests == []
        assert not (tmp_path / "output").exists()


def test_a_plan_over_the_confirmation_limit_needs_yes_off_a_terminal(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY])) as server:
        args = ["backfill", "--from", MONDAY, "--to", MONDAY]
        refused = digest(server, tmp_path / "output", *args, DIGEST_BACKFILL_CONFIRM_REQUESTS="10")
        assert refused.exit_code == 2
        assert refused.stderr.splitlines()[-1].startswith("Error: this backfill makes about ")
        assert refused.stderr.splitlines()[-1].endswith(
            "requests, more than settings.backfill_confirm_requests (10); pass --yes to go ahead, "
            "or --dry-run to see the plan"
        )
        assert server.requests == []
        agreed = digest(server, tmp_path / "output", *args, "--yes", DIGEST_BACKFILL_CONFIRM_REQUESTS="10")
        assert agreed.exit_code == 0, agreed.output
        assert agreed.stdout.splitlines()[-1].startswith("1 date written")


def test_the_harvest_reports_each_page_against_its_complete_list_size(tmp_path: Path) -> None:
    with ArxivServer(golden_world([MONDAY]), oai_page_size=200) as server:
        environment = server.environment() | {"DIGEST_OUTPUT_DIR": str(tmp_path / "output")}
        plan = make_plan(load_config(golden_config_path(MONDAY), environment))
        pages: list[tuple[str, int, int | None]] = []
        with open_edges(plan, Sourcing(), lambda spec, received, total: pages.append((spec, received, total))) as edges:
            backfill(plan, [MONDAY_DATE], Finish(), edges, now=datetime(2025, 10, 14, tzinfo=UTC))
        records = server.count("oai")
        assert len(pages) == records
        total = pages[0][2]
        assert total is not None
        assert [received for _, received, _ in pages] == [min(200 * n, total) for n in range(1, records + 1)]
        assert {spec for spec, _, _ in pages} == {"cs"}
