"""Where summaries show: a message's paper line, a feed entry, `digest status`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from digest.core.models import FeedPaper
from digest.outputs.feed import FeedDay, render_entries
from digest.outputs.notify import compose_messages
from tests.e2e.test_recipe import MONDAY, NOW
from tests.llm.test_secrets import configure
from tests.outputs import test_feeds as feeds_tests
from tests.outputs import test_site as site_tests
from tests.outputs.test_notify import DAY, plan
from tests.support.model_server import ModelServer
from tests.support.papers import listed, paper
from tests.support.recipes import write_day


def test_a_messages_paper_line_ends_with_its_tldr_and_stays_one_line(tmp_path: Path) -> None:
    summaries = {"2510.00001": "TL;DR: it sees.\n- one point"}
    papers = [paper("2510.00001", title="Paper [1]"), paper("2510.00002", title="Paper [2]")]
    (chat, _) = compose_messages(DAY, {"MLLM": papers, "LLM": []}, plan(tmp_path), summaries)
    assert chat.body.splitlines() == [
        "**MLLM**: 2 papers",
        "- [Paper \\[1\\]](https://arxiv.org/abs/2510.00001) — TL;DR: it sees.",
        "- [Paper \\[2\\]](https://arxiv.org/abs/2510.00002)",
    ]


def test_a_feed_entry_with_a_summary_carries_it_as_its_summary_and_the_abstract_as_its_content() -> None:
    summarised = FeedPaper(id="2510.00001", title="T", authors=["A"], abstract="The abstract.", categories=["cs.CV"])
    entry = render_entries(
        FeedDay(DAY, datetime(2025, 10, 14), [summarised.__class__(**{**summarised.__dict__, "summary": "TL;DR: t."})])
    )
    assert b'<summary>TL;DR: t.</summary><content type="text">The abstract.</content>' in entry


def test_status_shows_the_summaries_owed_and_each_runs_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ModelServer() as server:
        monkeypatch.setenv("DIGEST_TEST_LLM_KEY", "sk-test-key-0123456789")
        config = configure(tmp_path, server)
        config.write_text(config.read_text() + "  max_papers: 1\n")
        ran = CliRunner().invoke(
            main, ["run", "--date", str(MONDAY), "--offline", "--config", str(config), "--now", NOW.isoformat()]
        )
        assert ran.exit_code == 0, ran.output
    status = CliRunner().invoke(main, ["status", "--config", str(config)])
    assert "Summaries owed: 1\n" in status.output
    assert ": ok, 0 requests, model tokens " in status.output
    shown = json.loads(CliRunner().invoke(main, ["status", "--json", "--config", str(config)]).stdout)
    assert shown["summaries_owed"] == 1
    assert shown["runs"][0]["tokens_in"] > 0 and shown["runs"][0]["tokens_out"] > 0


def test_the_site_shows_a_papers_summary_from_its_record(tmp_path: Path) -> None:
    made = feeds_tests.config(tmp_path / "output")
    write_day(made, MONDAY, [listed("2510.00001")], made.topic)
    path = tmp_path / "output" / "Vision" / f"{MONDAY}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["papers"][0]["summary"] = "TL;DR: it sees <well>.\n- one point"
    path.write_text(json.dumps(record), encoding="utf-8")
    site, _ = site_tests.build(made.settings.output_dir)
    page = (site / "Vision" / f"{MONDAY}.html").read_text(encoding="utf-8")
    assert '<div class="tldr"><p>TL;DR: it sees &lt;well&gt;.</p><p>- one point</p></div>' in page
