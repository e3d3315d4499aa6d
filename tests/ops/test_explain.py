"""`digest explain` and `digest try` on a small stored batch: exact output, no network."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli.main import main
from digest.core.config import Config, Topic
from digest.core.config_file import load_config
from digest.core.plan import make_plan
from digest.ops.explain import explain_topic, format_explanation
from digest.store.database import Store
from tests.support.papers import paper
from tests.support.recipes import members

CONFIG = """\
category: {cs.AI: AI, cs.CL: CL, cs.CV: CV, cs.LG: LG, cs.MA: MA, cs.RO: RO}
topic:
  MLLM:
    keywords: [VLM, MLM, MLLM, Multi-Modal Language Model, Multimodal Language Model, Vision Language Model]
    filters:
"""
MONDAY = date(2025, 10, 13)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "digest.yaml"
    path.write_text(CONFIG)
    papers = [
        paper("2510.00001", title="A Vision-Language Model for robots", categories=["cs.RO"]),
        paper("2510.00002", title="Masked MLM pretraining", categories=["cs.CL"]),
        paper("2510.00003", title="A VLM for images", categories=["cs.CV", "eess.IV"]),
        paper("2510.00004", title="Graphs", categories=["cs.LG"]),
        paper("2510.00005", title="HTMLM parsing", categories=["cs.CL"]),
    ]
    with Store.open(load_config(path).settings.store_path) as store:
        store.save_papers(papers)
        store.save_batch(MONDAY, "rss", members(papers))
    return path


def digest(config_path: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--config", str(config_path)])


def test_explain_gives_every_papers_verdict_and_reason(config_path: Path) -> None:
    result = digest(config_path, "explain", "--date", "2025-10-13", "--topic", "MLLM")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "MLLM on 2025-10-13: 2 of 5 papers kept\n"
        "\n"
        'kept     2510.00005   keyword `MLM`: "HTMLM parsing Text."\n'
        'kept     2510.00002   keyword `MLM`: "Masked MLM pretraining Text."\n'
        "dropped  2510.00001   no keyword matched — A Vision-Language Model for robots\n"
        "dropped  2510.00003   category rule (all): eess.IV not subscribed — A VLM for images\n"
        "dropped  2510.00004   no keyword matched — Graphs\n"
    )


def test_near_misses_list_what_words_mode_would_add_or_drop(config_path: Path) -> None:
    result = digest(config_path, "explain", "--date", "2025-10-13", "--topic", "MLLM", "--near-misses")
    assert result.output == (
        "words mode would add 1 and drop 1:\n"
        '+ words  2510.00001   keyword `Vision Language Model`: "A Vision-Language Model for robots Text."\n'
        '- words  2510.00005   keyword `MLM`: "HTMLM parsing Text."\n'
    )


def test_near_misses_of_a_words_topic_compare_with_substring_mode(config_path: Path) -> None:
    config_path.write_text(CONFIG.replace("    filters:\n", "    filters:\n    match: words\n"))
    result = digest(config_path, "explain", "--date", "2025-10-13", "--topic", "MLLM", "--near-misses")
    assert result.output == (
        "substring mode would add 1 and drop 1:\n"
        '+ substring 2510.00005   keyword `MLM`: "HTMLM parsing Text."\n'
        '- substring 2510.00001   keyword `Vision Language Model`: "A Vision-Language Model for robots Text."\n'
    )


def test_explain_of_a_date_not_stored_says_what_to_run(config_path: Path) -> None:
    result = digest(config_path, "explain", "--date", "2025-10-14", "--topic", "MLLM")
    assert result.exit_code == 2
    assert "run `digest run --date 2025-10-14` without --offline first" in result.output


def test_explain_of_a_date_arxiv_has_not_announced_says_so_not_what_to_run(config_path: Path) -> None:
    result = digest(config_path, "explain", "--date", "2099-01-06", "--topic", "MLLM")
    assert result.exit_code == 2
    assert result.output == (
        "Error: arXiv has not announced the batch for 2099-01-06 yet "
        "(it is announced at 20:00 US Eastern on Tuesday 2099-01-06)\n"
    )


def test_try_counts_a_topic_file_per_stored_date(config_path: Path, tmp_path: Path) -> None:
    topic = tmp_path / "vlm.yaml"
    topic.write_text("name: VLM-words\nkeywords: [Vision Language Model, VLM]\nmatch: words\n")
    result = digest(config_path, "try", "--topic-file", str(topic), "--from", "2025-10-12", "--to", "2025-10-13")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "VLM-words: papers per day\n"
        "\n"
        "2025-10-12  not stored\n"
        "2025-10-13  1\n"
        "\n"
        "total 1 paper over 1 stored date\n"
        "1 date not stored: fetch with `digest backfill` first\n"
    )


@pytest.mark.parametrize(
    ("span", "message"),
    [
        (["--from", "2025-10-14", "--to", "2025-10-15"],
         "no batch from 2025-10-14 to 2025-10-15 is stored; fetch those dates first: "
         "`digest backfill --from 2025-10-14 --to 2025-10-15`"),
        (["--from", "2025-10-16", "--to", "2025-10-17", "--now", "2025-10-15T12:00:00+00:00"],
         "no batch from 2025-10-16 to 2025-10-17 can be stored yet: arXiv has not announced the batch for "
         "2025-10-16 yet (it is announced at 20:00 US Eastern on Thursday 2025-10-16)"),
        (["--from", "2025-10-15", "--to", "2025-10-14"], "--from 2025-10-15 is after --to 2025-10-14"),
    ],
    ids=["not stored: what to fetch", "not announced yet: no backfill", "from after to"],
)  # fmt: skip
def test_try_over_a_span_with_nothing_to_count_is_exit_2_and_says_why(
    config_path: Path, tmp_path: Path, span: list[str], message: str
) -> None:
    topic = tmp_path / "vlm.yaml"
    topic.write_text("name: VLM\nkeywords: [VLM]\n")
    result = digest(config_path, "try", "--topic-file", str(topic), *span)
    assert result.exit_code == 2
    assert result.output == f"Error: {message}\n"


@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_scoring_labels_none_of_which_is_in_the_stored_batches_is_exit_2(
    config_path: Path, tmp_path: Path, as_json: list[str]
) -> None:
    topic = tmp_path / "vlm.yaml"
    topic.write_text("name: VLM\nkeywords: [VLM]\n")
    labels = tmp_path / "labels.csv"
    labels.write_text("id,label,note\n2510.09999,1\n2510.09998,0\n")
    result = digest(
        config_path, "try", "--topic-file", str(topic), "--from", "2025-10-13", "--to", "2025-10-13",
        "--labels", str(labels), *as_json,
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.output == (
        "Error: none of the 2 labelled papers is in the batches stored from 2025-10-13 to 2025-10-13: label "
        "papers of those dates (`digest label --suggest`), or try the dates they were announced on\n"
    )


def test_a_broken_topic_file_is_exit_2(config_path: Path, tmp_path: Path) -> None:
    topic = tmp_path / "bad.yaml"
    topic.write_text("keywords: [{regex: '('}]\n")
    result = digest(config_path, "try", "--topic-file", str(topic), "--from", "2025-10-13", "--to", "2025-10-13")
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {topic}: keywords.0: invalid regex '('")


def test_explain_names_the_filter_and_the_dedupe_that_dropped_a_paper() -> None:
    config = Config(
        category={"cs.CV": "CV"},
        topic={"3D": Topic(keywords=["Reconstruction"], filters=["2D"], dedupe_days=2)},
    )
    papers = [
        paper("2510.00001", title="2D reconstruction", categories=["cs.CV"]),
        paper("2510.00002", title="3D reconstruction", categories=["cs.CV"]),
        paper("2510.00003", title="Scene reconstruction", categories=["cs.CV"]),
    ]
    planned = make_plan(config).topics["3D"]
    decisions = explain_topic(papers, planned, config.category, {"2510.00002": date(2025, 10, 12)})
    assert format_explanation("3D", MONDAY, decisions) == (
        "3D on 2025-10-13: 1 of 3 papers kept\n"
        "\n"
        'kept     2510.00003   keyword `Reconstruction`: "Scene reconstruction Text."\n'
        'dropped  2510.00001   filter `2D`: "2D reconstruction Text." — 2D reconstruction\n'
        "dropped  2510.00002   already listed on 2025-10-12 (dedupe_days: 2) — 3D reconstruction\n"
    )


@pytest.mark.parametrize(("flag", "verdicts"), [("--kept", {"kept"}), ("--dropped", {"dropped"})])
def test_explain_shows_only_the_kept_or_only_the_dropped(config_path: Path, flag: str, verdicts: set[str]) -> None:
    result = digest(config_path, "explain", "--date", "2025-10-13", "--topic", "MLLM", flag)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "MLLM on 2025-10-13: 2 of 5 papers kept"
    assert {line.split()[0] for line in lines[2:]} == verdicts


def test_explain_of_one_paper_says_why(config_path: Path) -> None:
    result = digest(config_path, "explain", "--date", "2025-10-13", "--topic", "MLLM", "--paper", "2510.00004")
    assert result.output.splitlines()[2:] == ["dropped  2510.00004   no keyword matched — Graphs"]


def test_explain_of_a_paper_not_in_the_batch_is_exit_2(config_path: Path) -> None:
    result = digest(config_path, "explain", "--date", "2025-10-13", "--topic", "MLLM", "--paper", "2510.09999")
    assert result.exit_code == 2
    assert result.output == "Error: 2510.09999 is not in the batch of 2025-10-13 (5 papers)\n"


@pytest.mark.parametrize(
    "given", ["arXiv:2510.00004v2", "https://arxiv.org/abs/2510.00004v1", "arxiv.org/pdf/2510.00004"]
)
def test_explain_of_one_paper_takes_the_id_as_a_reader_copies_it(config_path: Path, given: str) -> None:
    result = digest(config_path, "explain", "--date", "2025-10-13", "--topic", "MLLM", "--paper", given)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2:] == ["dropped  2510.00004   no keyword matched — Graphs"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("Graphs", "'Graphs' is not an arXiv id (such as 2510.01234)"),
        ("2510.00004 2510.00005", "--paper takes one arXiv id, not '2510.00004 2510.00005'"),
    ],
)
def test_explain_of_what_is_not_one_arxiv_id_is_exit_2(config_path: Path, given: str, message: str) -> None:
    result = digest(config_path, "explain", "--date", "2025-10-13", "--topic", "MLLM", "--paper", given)
    assert result.exit_code == 2
    assert result.output == f"Error: {message}\n"


@pytest.mark.parametrize("narrowing", [["--kept"], ["--dropped"], ["--paper", "2510.00004"]])
def test_near_misses_with_an_option_that_narrows_the_full_explanation_is_exit_2(
    config_path: Path, narrowing: list[str]
) -> None:
    result = digest(config_path, "explain", "--date", "2025-10-13", "--topic", "MLLM", "--near-misses", *narrowing)
    assert result.exit_code == 2
    assert result.output == (
        "Error: --near-misses lists the papers the other match mode decides differently; "
        "--kept, --dropped and --paper narrow the full explanation, without it\n"
    )
