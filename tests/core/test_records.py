"""Paper records in JSON lines: round trip, and bad lines reported by number before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from digest.core.models import Paper, load_papers, made_once_per_record, normalise_text
from tests.support.golden import golden_config_path
from tests.support.recipes import save_records

GOOD = '{"id": "2510.00001", "title": "A VLM", "authors": ["Ada"], "abstract": "x", "categories": ["cs.CV"]}'


def test_records_round_trip(tmp_path: Path) -> None:
    paper = Paper.model_validate_json(GOOD).model_copy(update={"announce_type": "replace", "version": 2})
    save_records([paper], tmp_path / "r.jsonl")
    assert load_papers(tmp_path / "r.jsonl") == [paper]


def test_whitespace_runs_collapse_to_one_space() -> None:
    assert normalise_text("  Vision\n  Language \t Model ") == "Vision Language Model"


def test_the_primary_category_defaults_to_the_first_listed() -> None:
    assert Paper.model_validate_json(GOOD).primary == "cs.CV"


def test_what_is_made_of_a_record_is_made_once_for_that_record() -> None:
    made: list[str] = []

    def title(paper: Paper) -> str:
        made.append(paper.title)
        return paper.title

    title_of = made_once_per_record(title)
    paper = Paper.model_validate_json(GOOD)
    assert [title_of(paper), title_of(paper)] == ["A VLM", "A VLM"]
    assert made == ["A VLM"]


def test_another_record_with_the_same_id_is_made_anew() -> None:
    title_of = made_once_per_record(lambda paper: paper.title)
    first = Paper.model_validate_json(GOOD)
    assert title_of(first) == "A VLM"
    assert title_of(first.model_copy(update={"title": "Another VLM"})) == "Another VLM"


def render(tmp_path: Path, text: str) -> tuple[int, str, Path]:
    records = tmp_path / "batch.jsonl"
    records.write_text(text)
    output = tmp_path / "output"
    args = [
        "render",
        "--input",
        str(records),
        "--date",
        "2025-10-13",
        "--config",
        str(golden_config_path("2025-10-13")),
    ]
    result = CliRunner().invoke(main, [*args, "--output", str(output)])
    return result.exit_code, result.output, output


def test_invalid_json_is_reported_with_its_line_number(tmp_path: Path) -> None:
    code, message, output = render(tmp_path, GOOD + "\n{not json\n")
    assert (code, message) == (2, f"Error: {tmp_path / 'batch.jsonl'}: line 2: not valid JSON\n")
    assert not output.exists()


def test_a_missing_field_is_reported_with_its_line_and_key(tmp_path: Path) -> None:
    code, message, _ = render(tmp_path, GOOD.replace('"title": "A VLM", ', "") + "\n")
    assert (code, message) == (2, f"Error: {tmp_path / 'batch.jsonl'}: line 1: title: Field required\n")


def test_an_unknown_announce_type_is_refused(tmp_path: Path) -> None:
    code, message, _ = render(tmp_path, GOOD[:-1] + ', "announce_type": "old"}\n')
    assert code == 2
    assert "line 1: announce_type: Input should be 'new', 'replace', 'cross' or 'replace-cross'" in message


def test_an_impossible_date_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["render", "--input", str(tmp_path / "x.jsonl"), "--date", "2025-02-30"])
    assert result.exit_code == 2
    assert "'2025-02-30' is not a real date written YYYY-MM-DD" in result.output


def test_an_unknown_topic_is_exit_2(tmp_path: Path) -> None:
    records = tmp_path / "batch.jsonl"
    records.write_text(GOOD + "\n")
    args = ["render", "--input", str(records), "--date", "2025-10-13", "--topic", "Nope"]
    result = CliRunner().invoke(main, [*args, "--config", str(golden_config_path("2025-10-13"))])
    assert result.exit_code == 2
    assert result.output.startswith("Error: unknown topic 'Nope'; the configuration has: LLM, MLLM")


def test_an_id_that_is_not_an_arxiv_id_is_refused(tmp_path: Path) -> None:
    code, message, output = render(tmp_path, GOOD.replace('"2510.00001"', '"x) [evil](https://e.org"') + "\n")
    assert (code, message) == (
        2,
        f"Error: {tmp_path / 'batch.jsonl'}: line 1: id: 'x) [evil](https://e.org' is not an arXiv id "
        "(such as 2507.07685 or hep-th/9901001)\n",
    )
    assert not output.exists()


@pytest.mark.parametrize("paper_id", ["2507.07685", "0704.0001", "2507.07685v2", "hep-th/9901001", "math.GT/0309136v1"])
def test_new_and_old_style_arxiv_ids_are_read(tmp_path: Path, paper_id: str) -> None:
    (tmp_path / "r.jsonl").write_text(GOOD.replace("2510.00001", paper_id) + "\n")
    assert [paper.id for paper in load_papers(tmp_path / "r.jsonl")] == [paper_id]
