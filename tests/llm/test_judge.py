"""The judge: a "no" drops a paper, verdicts are cached, and a topic is never written from half its verdicts."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from digest.core.config import Config, Settings, Topic
from digest.core.errors import ModelError
from digest.core.intents import Finish
from digest.core.llm_settings import Judge, LlmSettings
from digest.core.plan import Plan, make_plan
from digest.llm.client import ModelClient
from digest.llm.judge import read_verdict
from digest.outputs.reports import RunReport
from digest.recipe import run
from digest.store.answers import Verdict
from digest.store.database import Store
from tests.e2e.test_recipe import MONDAY, NOW, RecordingPublisher, StandInBatches, edges
from tests.support.model_server import MODEL, ModelServer, Status
from tests.support.papers import paper


def verdict_by_title(prompt: str) -> str:
    """The stub judge: a paper whose title says "Robot" is off the topic."""
    title = re.search(r"^Title: (.*)$", prompt, re.MULTILINE)
    off = title is not None and "Robot" in title[1]
    return json.dumps({"relevant": not off, "reason": "about robots" if off else "a vision-language model"})


@pytest.fixture
def server() -> Iterator[ModelServer]:
    with ModelServer(answer=verdict_by_title) as running:
        yield running


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.open(Path(":memory:")) as opened:
        yield opened


def judged_plan(tmp_path: Path, server: ModelServer, **llm: Any) -> Plan:
    judged = Topic(keywords=["Vision Language Model"], judge=Judge(prompt="vision-language models"))
    fields: dict[str, Any] = {"base_url": server.base_url, "model": MODEL, "retry_backoff": 0, "max_tries": 1}
    config = Config(
        category={"cs.CV": "Computer Vision"},
        topic={"MLLM": judged, "Robots": Topic(keywords=["Robot"])},
        settings=Settings(output_dir=tmp_path / "output"),
        llm=LlmSettings(**(fields | llm)),
    )
    return make_plan(config)


PAPERS = [
    paper("2510.00001", title="A Vision Language Model"),
    paper("2510.00002", title="A Vision Language Model for a Robot"),
]


def run_day(plan: Plan, store: Store) -> RunReport:
    assert plan.llm is not None
    store.save_papers(PAPERS)
    with ModelClient(plan.llm, {}, sleep=lambda seconds: None) as model:
        opened = edges(plan, store, StandInBatches({MONDAY: PAPERS}), RecordingPublisher(), model)
        return run(plan, MONDAY, Finish(), opened, now=NOW)


def test_a_no_from_the_judge_drops_the_paper(tmp_path: Path, server: ModelServer, store: Store) -> None:
    report = run_day(judged_plan(tmp_path, server), store)
    assert report.days[0].kept == {"MLLM": ["2510.00001"], "Robots": ["2510.00002"]}


def test_the_record_says_the_judges_verdict_and_reason(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = judged_plan(tmp_path, server)
    run_day(plan, store)
    record = json.loads((plan.output_dir / "MLLM" / f"{MONDAY}.json").read_text(encoding="utf-8"))
    assert record["papers"][0]["why"] == (
        'keyword `Vision Language Model`: "A Vision Language Model Text."; judge: yes: a vision-language model'
    )


def test_verdicts_are_cached_so_a_rerun_asks_nothing(tmp_path: Path, server: ModelServer, store: Store) -> None:
    plan = judged_plan(tmp_path, server)
    run_day(plan, store)
    assert len(server.prompts) == 2
    run_day(plan, store)
    assert len(server.prompts) == 2


def test_a_judge_that_cannot_answer_leaves_its_topic_unwritten_and_the_others_written(
    tmp_path: Path, server: ModelServer, store: Store
) -> None:
    plan = judged_plan(tmp_path, server)
    server.script = [Status(500)]
    report = run_day(plan, store)
    assert not (plan.output_dir / "MLLM" / f"{MONDAY}.md").exists()
    assert (plan.output_dir / "Robots" / f"{MONDAY}.md").exists()
    assert report.unjudged == [
        f"{MONDAY}: MLLM not written, the judge could not answer: "
        f"the model 'stub-model' at {server.base_url} failed 1 time, last: HTTP 500"
    ]
    assert store.load_listed("MLLM", MONDAY, MONDAY + timedelta(days=1)) == {}


def test_the_next_run_retries_a_topic_the_judge_left_unwritten(
    tmp_path: Path, server: ModelServer, store: Store
) -> None:
    plan = judged_plan(tmp_path, server)
    server.script = [Status(500)]
    run_day(plan, store)
    assert [entry.day for entry in store.load_unfinished(plan.output_dir)] == [MONDAY]
    report = run_day(plan, store)
    assert report.unjudged == []
    assert (plan.output_dir / "MLLM" / f"{MONDAY}.md").exists()
    assert store.load_unfinished(plan.output_dir) == []


def test_the_cli_says_one_error_line_and_exits_1_when_a_judge_cannot_answer(
    tmp_path: Path, server: ModelServer
) -> None:
    config = tmp_path / "digest.yaml"
    config.write_text(
        "category:\n  cs.CV: Computer Vision\n"
        "topic:\n  MLLM:\n    keywords: [Vision Language Model]\n    judge: {prompt: vision-language models}\n"
        "  Robots:\n    keywords: [Robot]\n"
        f"settings:\n  output_dir: {tmp_path / 'output'}\n"
        f"llm:\n  base_url: {server.base_url}\n  model: no-such-model\n"
    )
    records = tmp_path / "papers.jsonl"
    records.write_text("".join(json.dumps(paper.model_dump(mode="json")) + "\n" for paper in PAPERS))
    with Store.open(tmp_path / "cache" / "digest.sqlite3") as store:
        store.save_papers(PAPERS)
        store.save_batch(MONDAY, "rss", [(p.id, p.version, "new") for p in PAPERS])
    result = CliRunner().invoke(
        main, ["run", "--date", str(MONDAY), "--offline", "--config", str(config), "--now", NOW.isoformat()]
    )
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == [
        f"Error: {MONDAY}: MLLM not written, the judge could not answer: {server.base_url} has no model "
        "'no-such-model' (HTTP 404): check llm.model; the other digests were written; the next run tries again"
    ]
    assert (tmp_path / "output" / "Robots" / f"{MONDAY}.md").exists()


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ('{"relevant": true, "reason": "on topic"}', Verdict(True, "on topic")),
        ('```json\n{"relevant": false, "reason": "a robot\\narm"}\n```', Verdict(False, "a robot arm")),
        ("No. It is about robots.", Verdict(False, "It is about robots.")),
        ("yes", Verdict(True, "")),
    ],
)
def test_a_verdict_is_read_from_json_or_a_yes_or_no(answer: str, verdict: Verdict) -> None:
    assert read_verdict(answer) == verdict


def test_an_answer_that_is_no_verdict_is_a_model_error() -> None:
    with pytest.raises(ModelError, match=r"^the judge's answer is not a verdict: 'maybe'$"):
        read_verdict("maybe")


def judged_files(tmp_path: Path, server: ModelServer) -> tuple[Path, Path, Path]:
    """A configuration naming the stub model, a judged topic file, and labels: 2510.00001 relevant, the robot not."""
    config = tmp_path / "digest.yaml"
    config.write_text(
        "category:\n  cs.CV: Computer Vision\ntopic:\n  MLLM:\n    keywords: [Vision Language Model]\n"
        "    judge: {prompt: vision-language models}\n"
        f"llm:\n  base_url: {server.base_url}\n  model: {MODEL}\n"
    )
    topic = tmp_path / "mllm.yaml"
    topic.write_text("name: MLLM\nkeywords: [Vision Language Model]\njudge: {prompt: vision-language models}\n")
    labels = tmp_path / "MLLM.csv"
    labels.write_text("id,label,note\n2510.00001,1,\n2510.00002,0,\n")
    with Store.open(tmp_path / "cache" / "digest.sqlite3") as store:
        store.save_papers(PAPERS)
        store.save_batch(MONDAY, "rss", [(p.id, p.version, "new") for p in PAPERS])
    return config, topic, labels


def test_try_labels_measures_a_judged_topic_with_the_judges_verdicts(tmp_path: Path, server: ModelServer) -> None:
    config, topic, labels = judged_files(tmp_path, server)
    arguments = ["--topic-file", str(topic), "--from", str(MONDAY), "--to", str(MONDAY), "--labels", str(labels)]
    result = CliRunner().invoke(main, ["try", *arguments, "--json", "--config", str(config)])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert (scores["tp"], scores["fp"], scores["fn"]) == (1, 0, 0)
    assert len(server.prompts) == 2


def test_tune_compares_a_judged_topic_with_itself_without_the_judge(tmp_path: Path, server: ModelServer) -> None:
    config, _, labels = judged_files(tmp_path, server)
    arguments = ["--topic", "MLLM", "--from", str(MONDAY), "--to", str(MONDAY), "--labels", str(labels), "--json"]
    result = CliRunner().invoke(main, ["tune", *arguments, "--config", str(config)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["configured"]["f1"] == 1.0
    without = next(setting for setting in report["candidates"] if setting["setting"] == {"judge": None})
    assert without["precision"] == 0.5


def test_render_leaves_a_judged_topic_unwritten_when_the_judge_cannot_answer(
    tmp_path: Path, server: ModelServer
) -> None:
    config, _, _ = judged_files(tmp_path, server)
    text = config.read_text().replace(f"model: {MODEL}", "model: no-such-model")
    text = text.replace("topic:\n", "topic:\n  Robots:\n    keywords: [Robot]\n")
    config.write_text(text + f"settings:\n  output_dir: {tmp_path / 'output'}\n")
    records = tmp_path / "papers.jsonl"
    records.write_text("".join(json.dumps(paper.model_dump(mode="json")) + "\n" for paper in PAPERS))
    result = CliRunner().invoke(
        main, ["render", "--input", str(records), "--date", str(MONDAY), "--config", str(config)]
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: {MONDAY}: MLLM not written, the judge could not answer: {server.base_url} has no model "
        "'no-such-model' (HTTP 404): check llm.model"
    )
    assert (tmp_path / "output" / "Robots" / f"{MONDAY}.md").exists()
    assert not (tmp_path / "output" / "MLLM" / f"{MONDAY}.md").exists()


def test_explain_shows_each_verdict_and_its_reason(tmp_path: Path, server: ModelServer) -> None:
    config, _, _ = judged_files(tmp_path, server)
    config.write_text(config.read_text() + f"settings:\n  output_dir: {tmp_path / 'output'}\n")
    ran = CliRunner().invoke(
        main, ["run", "--date", str(MONDAY), "--offline", "--config", str(config), "--now", NOW.isoformat()]
    )
    assert ran.exit_code == 0, ran.output
    result = CliRunner().invoke(main, ["explain", "--date", str(MONDAY), "--topic", "MLLM", "--config", str(config)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"MLLM on {MONDAY}: 1 of 2 papers kept"
    assert lines[2].startswith("kept     2510.00001   keyword `Vision Language Model`")
    assert lines[2].endswith("; judge: yes: a vision-language model")
    assert lines[3].startswith("dropped  2510.00002   keyword `Vision Language Model`")
    assert lines[3].endswith("; judge: no: about robots — A Vision Language Model for a Robot")
