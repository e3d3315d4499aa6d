"""The recipes, driven with an in-memory store and stand-in batches: no server, no disk but the output directory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from digest.core.config import Config, Settings, Topic
from digest.core.config_file import load_config
from digest.core.errors import DigestError, FetchError
from digest.core.intents import Finish
from digest.core.models import Paper
from digest.core.plan import Plan, make_plan
from digest.edges import Edges, summarise_dates
from digest.llm.client import ModelClient
from digest.outputs.archive import write_archive
from digest.outputs.publish import PublishResult
from digest.outputs.reports import DayResult, Delivery
from digest.recipe import backfill, run, run_for_date
from digest.store.database import Store
from digest.store.journal import Journal
from tests.support.golden import expected_digest, golden_config_path, golden_papers
from tests.support.papers import paper

MONDAY = date(2025, 10, 13)
NOW = datetime(2025, 10, 14, 12, tzinfo=UTC)


class StandInBatches:
    """Batches from a dict: a date's papers, or the error its fetch raised."""

    def __init__(self, by_date: dict[date, list[Paper] | DigestError]) -> None:
        self.by_date = by_date
        self.notes: list[str] = []
        self.requests: dict[str, int] = {}

    def provenance(self, day: date) -> tuple[date, str | None]:
        return day, None

    def fetch_latest(self, now: datetime) -> tuple[date, list[Paper]] | None:
        if not self.by_date:
            self.notes.append("the feed is empty")
            return None
        latest = max(self.by_date)
        found = self.by_date[latest]
        assert isinstance(found, list)
        return latest, found

    def fetch_announcement(self, announcement: date, asked: date, now: datetime) -> list[Paper]:
        found = self.by_date[asked]
        if isinstance(found, DigestError):
            raise found
        return found

    def fetch_range(self, dates: Iterable[date], now: datetime) -> Iterator[tuple[date, list[Paper] | DigestError]]:
        for day in dates:
            yield day, self.by_date[day]


class RecordingPublisher:
    """A publisher that records what it was asked to commit."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[date], str, bool]] = []

    def __call__(self, days: Sequence[DayResult], message: str, push: bool) -> PublishResult:
        self.calls.append(([day.date for day in days], message, push))
        return PublishResult("0123456789abcdef", pushed=push)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open(Path(":memory:")) as opened:
        yield opened


def golden_plan(tmp_path: Path) -> Plan:
    config = load_config(golden_config_path(MONDAY.isoformat()), {})
    return make_plan(config.model_copy(update={"settings": Settings(output_dir=tmp_path / "output")}))


def edges(
    plan: Plan,
    store: Store,
    batches: StandInBatches,
    publisher: RecordingPublisher | None = None,
    model: ModelClient | None = None,
) -> Edges:
    return Edges(
        store,
        batches,
        Journal(store, plan.output_dir),
        partial(write_archive, plan, store),
        publisher or RecordingPublisher(),
        lambda days, now, renotify: Delivery(),
        partial(summarise_dates, plan, store, model),
        model,
    )


def test_a_date_is_selected_rendered_written_and_remembered(tmp_path: Path, store: Store) -> None:
    plan = golden_plan(tmp_path)
    result = run_for_date(MONDAY, golden_papers(MONDAY.isoformat()), plan, store, (MONDAY, "records"))
    for topic in result.counts:
        written = (plan.output_dir / topic / f"{MONDAY}.md").read_text(encoding="utf-8")
        assert written == expected_digest(MONDAY.isoformat(), topic), topic
    assert len(store.load_listed("MLLM", MONDAY, MONDAY + timedelta(days=1))) == result.counts["MLLM"]


def test_a_date_written_again_remembers_what_its_digests_list_now(tmp_path: Path, store: Store) -> None:
    config = Config(
        category={"cs.CV": "CV"},
        topic={"MLLM": Topic(keywords=["VLM"]), "LLM": Topic(keywords=["LLM"])},
        settings=Settings(output_dir=tmp_path / "output"),
    )
    plan = make_plan(config)
    first = [paper("2510.00001", title="A VLM"), paper("2510.00002", title="An LLM")]
    other = [paper("2510.00003", title="A VLM"), paper("2510.00002", title="An LLM")]
    for papers in (first, other, [*first, other[0]], first, first):
        result = run_for_date(MONDAY, papers, plan, store, (MONDAY, "records"))
        listed = {topic: list(store.load_listed(topic, MONDAY, MONDAY + timedelta(days=1))) for topic in result.kept}
        assert listed == {topic: sorted(ids) for topic, ids in result.kept.items()}


def test_dedupe_skips_what_the_store_says_the_topic_listed_within_its_days(tmp_path: Path, store: Store) -> None:
    config = Config(
        category={"cs.CV": "CV"},
        topic={"MLLM": Topic(keywords=["Vision Language Model"], dedupe_days=2)},
        settings=Settings(output_dir=tmp_path / "output"),
    )
    plan = make_plan(config)
    store.save_listed(MONDAY - timedelta(days=2), {"MLLM": ["2510.00001"]})
    store.save_listed(MONDAY - timedelta(days=3), {"MLLM": ["2510.00002"]})
    result = run_for_date(
        MONDAY,
        [paper("2510.00001", title="A Vision Language Model"), paper("2510.00002", title="A Vision Language Model")],
        plan,
        store,
        (MONDAY, "records"),
    )
    assert result.counts == {"MLLM": 1}
    assert "2510.00002" in (plan.output_dir / "MLLM" / f"{MONDAY}.md").read_text()


def test_a_backfill_writes_every_date_but_the_failed_one_and_rebuilds_the_indexes(tmp_path: Path, store: Store) -> None:
    plan = golden_plan(tmp_path)
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    batches = StandInBatches(
        {
            MONDAY: [paper("2510.00001", title="A Vision Language Model")],
            tuesday: FetchError("arXiv is down"),
            wednesday: [paper("2510.00003", title="A Vision Language Model")],
        }
    )
    outcomes: list[tuple[date, bool]] = []
    report = backfill(
        plan,
        [MONDAY, tuesday, wednesday],
        Finish(),
        edges(plan, store, batches),
        now=NOW,
        on_date=lambda day, outcome, failed: outcomes.append((day, failed)),
    )
    assert [day.date for day in report.days] == [MONDAY, wednesday]
    assert report.failed == [(tuesday, "arXiv is down")]
    assert outcomes == [(MONDAY, False), (tuesday, True), (wednesday, False)]
    archive = (plan.output_dir / "MLLM" / "README.md").read_text()
    assert f"[{MONDAY}]({MONDAY}.md)" in archive
    assert f"[{tuesday}]" not in archive


def test_run_writes_the_latest_batch_and_publishes_it_once(tmp_path: Path, store: Store) -> None:
    plan = golden_plan(tmp_path)
    publisher = RecordingPublisher()
    batches = StandInBatches({MONDAY: golden_papers(MONDAY.isoformat())})
    report = run(plan, None, Finish("commit"), edges(plan, store, batches, publisher), now=NOW)
    assert [day.date for day in report.days] == [MONDAY]
    assert publisher.calls == [([MONDAY], f"digest {report.days[0].summary()}", False)]


def test_run_with_nothing_announced_writes_nothing_and_publishes_nothing(tmp_path: Path, store: Store) -> None:
    plan = golden_plan(tmp_path)
    publisher = RecordingPublisher()
    report = run(plan, None, Finish("push"), edges(plan, store, StandInBatches({}), publisher), now=NOW)
    assert report.days == []
    assert report.notes == ["the feed is empty"]
    assert publisher.calls == []
    assert not plan.output_dir.exists()


def test_a_failed_fetch_names_the_date_and_writes_nothing(tmp_path: Path, store: Store) -> None:
    plan = golden_plan(tmp_path)
    batches = StandInBatches({MONDAY: FetchError("arXiv API did not answer")})
    with pytest.raises(FetchError, match=r"^2025-10-13: arXiv API did not answer$"):
        run(plan, MONDAY, Finish(), edges(plan, store, batches), now=NOW)
    assert not plan.output_dir.exists()
