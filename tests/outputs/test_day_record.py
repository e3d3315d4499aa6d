"""The data contract: `<Topic>/<date>.json` beside each digest, valid against the schema in docs/."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema_rs
import pytest
from click.testing import CliRunner

from digest.cli.main import main
from digest.core.errors import InputError
from digest.core.models import Paper
from digest.outputs.day_record import (
    day_record,
    day_record_path,
    day_records_json,
    day_schema,
    parse_listings,
    read_day_record,
    record_json,
)
from digest.selection.select import Decision
from tests.support.golden import DAYS
from tests.support.papers import paper
from tests.support.recipes import render_golden_day, save_records

SCHEMA_FILE = Path(__file__).parent.parent.parent / "docs" / "day-record.schema.json"


def test_the_schema_in_docs_is_the_one_the_models_make() -> None:
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == day_schema()


def test_every_record_written_for_the_golden_days_validates_against_the_schema(golden_archive: Path) -> None:
    validator = jsonschema_rs.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    records = sorted(golden_archive.glob("*/*.json"))
    assert len(records) == len(list(golden_archive.glob("*/????-??-??.md")))
    for path in records:
        errors = [error.message for error in validator.iter_errors(json.loads(path.read_text(encoding="utf-8")))]
        assert errors == [], path


@pytest.mark.parametrize("day", DAYS)
def test_a_record_lists_the_digests_papers_in_its_order(golden_archive: Path, day: str) -> None:
    for digest in sorted(golden_archive.glob(f"*/{day}.md")):
        record = read_day_record(digest.with_suffix(".json"))
        assert record is not None
        listed = [line.split("(https://arxiv.org/abs/")[1].split(")")[0] for line in digest.read_text().splitlines()
                  if line.startswith("- **[")]  # fmt: skip
        assert [paper.id for paper in record.papers] == listed
        assert (record.topic, record.date.isoformat()) == (digest.parent.name, day)


def test_a_record_says_why_each_paper_was_kept_as_explain_does(tmp_path: Path) -> None:
    paper = Paper(
        id="2510.99999",
        version=2,
        title="A Vision Language Model",
        authors=[f"Author {n}" for n in range(8)],
        abstract="We build a multimodal large language model. Code: https://github.com/lab/model.",
        categories=["cs.CV"],
        announce_type="replace",
    )
    records = tmp_path / "one.jsonl"
    save_records([paper], records)
    output = tmp_path / "output"
    render_golden_day(output, "2025-10-13", {"DIGEST_CACHE_DIR": str(tmp_path / "cache")}, records)
    record = read_day_record(day_record_path(output, "MLLM", date(2025, 10, 13)))
    assert record is not None
    (listed,) = record.papers
    assert (
        listed.why
        == 'keyword `Vision Language Model`: "A Vision Language Model We build a multimodal large language mo…"'
    )
    assert (listed.version, listed.status, record.source) == (2, "updated", "records")
    assert len(listed.authors) == 8  # every author, where the markdown shows six
    assert listed.links.pdf == "https://arxiv.org/pdf/2510.99999v2"
    assert [(link.kind, link.url) for link in listed.code_links] == [("code", "https://github.com/lab/model")]
    assert (record.announcement, record.announced.isoformat()) == (date(2025, 10, 13), "2025-10-14T00:00:00+00:00")


def test_a_date_s_records_share_each_paper_and_read_as_each_topic_s_own() -> None:
    shared = paper("2510.00002", version=2, announce_type="replace", abstract="Code: https://github.com/lab/x.")
    other = paper(authors=["Ada", "Émile"], categories=["cs.RO", "cs.LG"])
    unversioned = paper("2510.00003", version=None, title='A "quoted" \\ title\u2028\t\x1f 😀', authors=[])
    kept = {
        "MLLM": [
            Decision(shared, True, "keyword `x`", "x", "…x…"),
            Decision(other, True, "similarity 0.700", similarity=0.7),
        ],
        "Robots": [
            Decision(shared, True, "keyword `robot`", "robot", "a robot"),
            Decision(unversioned, True, "keyword `title`", "title", "a title"),
        ],
        "None": [],
    }
    summaries = {"2510.00002": "A line."}
    day, announcement = date(2025, 10, 6), date(2025, 10, 3)
    texts = day_records_json(day, (announcement, "oai"), kept, summaries)
    assert texts == {
        topic: record_json(day_record(topic, day, announcement, "oai", decisions, summaries))
        for topic, decisions in kept.items()
    }
    for text in texts.values():
        assert text == (json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n").encode()
    assert b'"summary": "A line."' in texts["Robots"] and b'"summary"' not in texts["MLLM"].split(b'"2510.00001"')[1]


def test_explain_prints_the_reason_the_record_keeps(tmp_path: Path) -> None:
    """The record's `why` and `digest explain` come from one place (`Decision.why`)."""
    from tests.support.golden import golden_config_path
    from tests.support.recipes import store_golden_days

    env = {"DIGEST_CACHE_DIR": str(tmp_path / "cache")}
    output = tmp_path / "output"
    render_golden_day(output, "2025-10-13", env)
    store_golden_days(tmp_path / "cache" / "digest.sqlite3", ["2025-10-13"])
    record = read_day_record(day_record_path(output, "MLLM", date(2025, 10, 13)))
    assert record is not None
    args = ["explain", "--topic", "MLLM", "--date", "2025-10-13", "--config", str(golden_config_path("2025-10-13"))]
    explained = CliRunner().invoke(main, args, env=env)
    assert explained.exit_code == 0, explained.output
    first = record.papers[0]
    assert f"kept     {first.id:12} {first.why}" in explained.output


def test_a_damaged_record_is_one_clear_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "2025-10-13.json"
    path.write_text('{"format": 1, "topic": "MLLM"', encoding="utf-8")
    with pytest.raises(InputError, match=r"2025-10-13\.json is not a digest record \(not valid JSON\)"):
        read_day_record(path)


def test_a_records_listings_are_its_papers_ids_versions_and_statuses_in_its_order(golden_archive: Path) -> None:
    path = max(golden_archive.glob("*/*.json"), key=lambda path: path.stat().st_size)
    record = read_day_record(path)
    assert record is not None and len(record.papers) > 1
    expected = [(listed.id, listed.version, listed.status) for listed in record.papers]
    assert parse_listings(path, path.read_bytes()) == expected


def test_a_damaged_records_listings_are_one_clear_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "2025-10-13.json"
    with pytest.raises(InputError, match=r"2025-10-13\.json is not a digest record \(papers\.0\.id: Field required\)"):
        parse_listings(path, '{"papers": [{"version": 1, "status": "new"}]}')


def test_a_date_without_a_record_reads_as_none(tmp_path: Path) -> None:
    assert read_day_record(tmp_path / "2025-10-13.json") is None
