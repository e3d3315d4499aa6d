"""Summaries in a run: after the digests, cached, capped, never in the way; where they show."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from digest.core.config import Settings
from digest.core.config_file import load_config
from digest.core.intents import Finish
from digest.core.llm_settings import LlmSettings
from digest.core.models import Paper
from digest.core.plan import Plan, make_plan
from digest.edges import notify_dates
from digest.llm.client import ModelClient
from digest.outputs.reports import RunReport
from digest.recipe import run
from digest.store.database import Store
from tests.e2e.test_recipe import MONDAY, NOW, RecordingPublisher, StandInBatches, edges
from tests.support.golden import expected_digest, golden_config_path, golden_papers
from tests.support.model_server import MODEL, ModelServer, Status
from tests.support.papers import paper


@pytest.fixture
def server() -> Iterator[ModelServer]:
    with ModelServer() as running:
        yield running


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open(Path(":memory:")) as opened:
        yield opened


def llm_plan(tmp_path: Path, server: ModelServer, *, notify: tuple[str, ...] = (), **llm: Any) -> Plan:
    config = load_config(golden_config_path(MONDAY.isoformat()), {})
    fields: dict[str, Any] = {"base_url": server.base_url, "model": MODEL, "summaries": True, "retry_backoff": 0}
    settings = Settings(output_dir=tmp_path / "output", notify=list(notify))
    return make_plan(config.model_copy(update={"settings": settings, "llm": LlmSettings(**(fields | llm))}))


def run_day(plan: Plan, store: Store, papers: list[Paper], publisher: RecordingPublisher | None = None) -> RunReport:
    """One `run --date MONDAY --commit` with its own model client, as each command has."""
    assert plan.llm is not None
    store.save_papers(papers)
    with ModelClient(plan.llm, {}, sleep=lambda seconds: None) as model:
        opened = edges(plan, store, StandInBatches({MONDAY: papers}), publisher, model)
        return run(plan, MONDAY, Finish("commit"), opened, now=NOW)


def papers_of(count: int) -> list[Paper]:
    """`count` papers the golden MLLM topic keeps."""
    return [paper(f"2510.{number:05}", title=f"Vision Language Model {number}") for number in range(1, count + 1)]


def record(plan: Plan, topic: str = "MLLM", day: date = MONDAY) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((plan.output_dir / topic / f"{day}.json").read_text(encoding="utf-8"))
    return data


def test_digests_stay_byte_identical_with_summaries_on(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = llm_plan(tmp_path, server)
    report = run_day(plan, store, golden_papers(MONDAY.isoformat()))
    for topic in report.days[0].kept:
        written = (plan.output_dir / topic / f"{MONDAY}.md").read_text(encoding="utf-8")
        assert written == expected_digest(MONDAY.isoformat(), topic), topic
    assert server.prompts


def test_each_kept_paper_gets_its_summary_in_the_record(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = llm_plan(tmp_path, server, max_papers=1000)
    run_day(plan, store, golden_papers(MONDAY.isoformat()))
    papers = record(plan)["papers"]
    assert papers
    for listed in papers:
        assert listed["summary"] == f"TL;DR: {listed['title']} in one sentence.\n- It has one key point."


def test_records_have_no_summary_key_while_summaries_are_off(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = llm_plan(tmp_path, server, summaries=False)
    run_day(plan, store, golden_papers(MONDAY.isoformat()))
    assert all("summary" not in paper for paper in record(plan)["papers"])
    assert server.prompts == []


def test_a_rerun_asks_the_model_nothing(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = llm_plan(tmp_path, server)
    run_day(plan, store, papers_of(5))
    asked = len(server.prompts)
    report = run_day(plan, store, papers_of(5))
    assert len(server.prompts) == asked
    assert report.usage is not None and report.usage.calls == 0


def test_a_new_version_is_summarised_again(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = llm_plan(tmp_path, server)
    first = paper("2510.00001", title="A Vision Language Model")
    run_day(plan, store, [first])
    second = first.model_copy(update={"version": 2, "title": "A Better Vision Language Model"})
    run_day(plan, store, [second])
    assert [re.search("^Title: .*$", prompt, re.MULTILINE)[0] for prompt in server.prompts] == [  # type: ignore[index]
        "Title: A Vision Language Model",
        "Title: A Better Vision Language Model",
    ]
    assert record(plan)["papers"][0]["summary"].startswith("TL;DR: A Better Vision Language Model")


def test_a_failing_model_is_one_warning_and_the_digests_stand(
    tmp_path: Path, server: ModelServer, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    plan = llm_plan(tmp_path, server, max_tries=2, concurrency=1)
    server.script = [Status(500)] * 2
    with caplog.at_level(logging.WARNING):
        report = run_day(plan, store, golden_papers(MONDAY.isoformat()))
    warnings = [
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "summaries" in r.getMessage()
    ]
    assert len(warnings) == 1
    failed = f"summaries: the model 'stub-model' at {server.base_url} failed 2 times, last: HTTP 500"
    assert warnings[0].startswith(f"{failed}; the digests stand, ")
    assert warnings[0].endswith(" summaries owed, the next run makes them")
    assert report.unjudged == []
    for topic in report.days[0].kept:
        assert (plan.output_dir / topic / f"{MONDAY}.md").read_text() == expected_digest(MONDAY.isoformat(), topic)


def test_the_next_run_catches_up_what_a_failure_left_owed(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = llm_plan(tmp_path, server, max_tries=1, concurrency=1)
    server.script = [Status(500)]
    run_day(plan, store, papers_of(3))
    assert all("summary" not in paper for paper in record(plan)["papers"])
    run_day(plan, store, papers_of(3))
    assert all("summary" in paper for paper in record(plan)["papers"])


def test_the_paper_cap_stops_cleanly_and_leaves_the_rest_owed(
    tmp_path: Path, server: ModelServer, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    plan = llm_plan(tmp_path, server, max_papers=2, concurrency=1)
    with caplog.at_level(logging.INFO):
        report = run_day(plan, store, papers_of(5))
    assert len(server.prompts) == 2
    assert report.usage is not None and report.usage.summaries == 2
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("summaries:")]
    assert len(lines) == 1
    assert lines == [
        "summaries: 2 made; the run's cap of 2 papers (llm.max_papers) is reached, 3 owed for the next run"
    ]


def test_the_token_cap_stops_asking_once_it_is_spent(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = llm_plan(tmp_path, server, max_tokens=1, concurrency=1)
    run_day(plan, store, papers_of(3))
    assert len(server.prompts) == 1


def test_summaries_in_digest_add_a_tldr_block_after_the_abstract(
    tmp_path: Path, server: ModelServer, store: Store
) -> None:
    plan = llm_plan(tmp_path, server, summaries_in_digest=True)
    first = paper("2510.00001", title="A Vision Language Model")
    run_day(plan, store, [first])
    written = (plan.output_dir / "MLLM" / f"{MONDAY}.md").read_text(encoding="utf-8")
    assert written.endswith(
        "  Text.\n  </details>\n\n"
        "  <details open><summary>TL;DR</summary>\n"
        "  TL;DR: A Vision Language Model in one sentence.  \n  - It has one key point.\n"
        "  </details>\n"
    )


def test_the_run_summary_line_says_the_tokens_in_and_out(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = llm_plan(tmp_path, server)
    first = paper("2510.00001", title="A Vision Language Model")
    report = run_day(plan, store, [first])
    assert report.usage is not None
    tokens = f"{report.usage.tokens_in:,} in, {report.usage.tokens_out:,} out"
    assert report.summary().endswith(f"; 1 summary, model tokens {tokens}")


def test_summaries_made_after_the_commit_are_committed_too(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = llm_plan(tmp_path, server)
    first = paper("2510.00001", title="A Vision Language Model")
    publisher = RecordingPublisher()
    run_day(plan, store, [first], publisher)
    assert [message for _, message, _ in publisher.calls][1:] == ["Summaries for 1 paper"]


def test_the_feeds_carry_the_summaries_made_after_the_digests(
    tmp_path: Path, server: ModelServer, store: Store
) -> None:
    plan = llm_plan(tmp_path, server)
    run_day(plan, store, papers_of(2))
    for feed in (plan.output_dir / "MLLM" / "feed.xml", plan.output_dir / "feed.xml"):
        text = feed.read_text(encoding="utf-8")
        assert "<summary>TL;DR: Vision Language Model 1 in one sentence.\n- It has one key point.</summary>" in text
        assert '<content type="text">Text.</content>' in text


def test_the_message_of_the_run_has_each_papers_tldr(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = llm_plan(tmp_path, server, notify=("json://127.0.0.1:9/chat",))
    assert plan.llm is not None
    bodies: list[str] = []

    def send(target: str, title: str, body: str) -> None:
        bodies.append(body)

    store.save_papers(papers_of(1))
    with ModelClient(plan.llm, {}, sleep=lambda seconds: None) as model:
        opened = edges(plan, store, StandInBatches({MONDAY: papers_of(1)}), RecordingPublisher(), model)
        opened = replace(opened, notify=partial(notify_dates, plan, store, send=send))
        run(plan, MONDAY, Finish(notify="owed"), opened, now=NOW)
    tldr = "TL;DR: Vision Language Model 1 in one sentence."
    assert f"- [Vision Language Model 1](https://arxiv.org/abs/2510.00001) — {tldr}" in bodies[0].splitlines()
