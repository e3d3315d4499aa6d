"""Configuration: the source's file loads unchanged; every kind of mistake is one line and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from digest.core.config import KeywordSpec
from digest.core.config_file import load_config
from tests.support.golden import DAYS, golden_config_path

REPO = Path(__file__).parent.parent.parent

VALID = """\
category:
  cs.AI: Artificial Intelligence
topic:
  MLLM:
    keywords: [VLM]
    filters:
"""


@pytest.mark.parametrize("day", DAYS)
def test_the_sources_config_loads_unchanged(day: str) -> None:
    config = load_config(golden_config_path(day), {})
    assert "cs.CV" in config.category
    assert config.topic["MLLM"].filters is None


def test_the_shipped_configs_load() -> None:
    assert list(load_config(REPO / "config" / "digest.yaml", {}).topic) == ["MLLM"]
    assert len(load_config(REPO / "config" / "awesome-daily-ai-arxiv.yml", {}).topic) == 8
    tuned = load_config(REPO / "config" / "examples" / "mllm-tuned.yaml", {}).topic["MLLM"]
    assert tuned.match == "words"
    assert KeywordSpec(term="Vision Language Model", mentions=2) in tuned.keywords


def test_a_list_keyword_means_all_of_its_parts() -> None:
    config = load_config(golden_config_path(DAYS[-1]), {})
    assert ["LLM", "Reasoning"] in config.topic["Test-Time-Scaling"].keywords


def test_an_environment_variable_overrides_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "digest.yaml"
    path.write_text(VALID + "settings:\n  request_interval: 3\n")
    config = load_config(path, {"DIGEST_REQUEST_INTERVAL": "0.5", "DIGEST_HOLIDAYS": "2025-12-24, 2025-12-29"})
    assert config.settings.request_interval == 0.5
    assert [day.isoformat() for day in config.settings.holidays] == ["2025-12-24", "2025-12-29"]


def test_one_notification_target_may_be_written_without_a_list(tmp_path: Path) -> None:
    path = tmp_path / "digest.yaml"
    path.write_text(VALID + "    notify: json://127.0.0.1/topic\nsettings:\n  notify: ntfy://127.0.0.1/papers\n")
    config = load_config(path, {})
    assert config.settings.notify == ["ntfy://127.0.0.1/papers"]
    assert config.topic["MLLM"].notify == ["json://127.0.0.1/topic"]


def test_digest_config_names_the_file_when_no_option_does(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.yaml"
    path.write_text(VALID)
    assert list(load_config(None, {"DIGEST_CONFIG": str(path)}).topic) == ["MLLM"]


BROKEN = {
    "unknown key": (VALID + "    colour: blue\n", "topic.MLLM.colour: unknown key"),
    "empty keywords": (VALID.replace("[VLM]", "[]"), "topic.MLLM: a topic needs keywords (or authors"),
    "invalid regex": (
        VALID.replace("[VLM]", "[{regex: 'V(LM'}]"),
        "topic.MLLM.keywords.0: invalid regex 'V(LM': missing ), unterminated",
    ),
    "unknown field": (VALID + "    fields: [title, body]\n", "topic.MLLM.fields.1: Input should be 'title'"),
    "empty keyword": (VALID.replace("[VLM]", "['VLM', '  ']"), "a keyword or filter must not be empty"),
    "bad category": (
        VALID.replace("cs.AI:", "Computer Science:"),
        "category 'Computer Science' is not an arXiv category",
    ),
    "topic not a file name": (VALID.replace("MLLM:", "ML/LM:"), "topic: 'ML/LM' cannot be a file name"),
    "topic name with a control character": (
        VALID.replace("MLLM:", '"MLLM\\n":'),
        "topic: 'MLLM\\n' cannot be a topic name: it holds a control character",
    ),
    "topic name over 100 characters": (
        VALID.replace("MLLM:", f"{'A' * 101}:"),
        f"topic: '{'A' * 30}'… cannot be a topic name: 101 characters, at most 100",
    ),
    "topics differing only by case": (
        VALID + "  mllm:\n    keywords: [VLM]\n",
        "topic: topics 'MLLM' and 'mllm' differ only by case",
    ),
    "duplicate key": (
        VALID + "  MLLM:\n    keywords: [LLM]\n",
        "line 7, column 3: invalid YAML: duplicate key 'MLLM' (first on line 4)",
    ),
    "output_dir the root": (
        VALID + "settings:\n  output_dir: /\n",
        "settings.output_dir: / is the root directory: give the digests a folder of their own",
    ),
    "empty labels_dir": (
        VALID + "settings:\n  labels_dir: ''\n",
        "settings.labels_dir: must not be empty (an empty path would be the current directory)",
    ),
    "empty site_dir": (VALID + "settings:\n  site_dir: ' '\n", "settings.site_dir: must not be empty"),
    "labels_dir a file": (VALID + "settings:\n  labels_dir: digest.yaml\n", "digest.yaml is a file, not a directory"),
    "site_dir a file": (VALID + "settings:\n  site_dir: digest.yaml\n", "digest.yaml is a file, not a directory"),
    "yaml syntax": (VALID + "  - [unclosed\n", "invalid YAML"),
    "a tab names itself": (
        VALID + "\tsettings: {}\n",
        "line 7, column 1: invalid YAML: found character '\\t' that cannot start any token",
    ),
    "missing topics": ("category:\n  cs.AI: AI\n", "topic: required key is missing"),
    "every missing key": ("settings: {}\n", "category, topic: required keys are missing\n"),
    "a settings typo": (VALID + "settings:\n  notfy: []\n", "settings.notfy: unknown key; did you mean notify?"),
    "a topic typo": (VALID + "    keyword: [VLM]\n", "topic.MLLM.keyword: unknown key; did you mean keywords?"),
    "a top-level typo": (VALID + "setings: {}\n", ": setings: unknown key; did you mean settings?"),
    "the other problems named": (
        VALID + "    colour: blue\n    match: exact\n",
        "topic.MLLM.match: Input should be 'substring' or 'words' (and 1 more problem: topic.MLLM.colour)\n",
    ),
    "a bad notify url": (
        VALID + "settings:\n  notify: ['json://127.0.0.1/hook', 'nonsense://secret']\n",
        "settings.notify: target 2 of the list: nonsense://*** is not a notification URL",
    ),
    "an empty notify target": (
        VALID + "settings:\n  notify: ''\n",
        "settings.notify: target 1 of the list: an empty string is not a notification URL (see Apprise's wiki "
        "for the services)\n",
    ),
    "bad setting": (VALID + "settings:\n  request_interval: soon\n", "settings.request_interval: Input should be"),
}


@pytest.mark.parametrize(("text", "message"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_config_is_one_line_and_exit_2_and_writes_nothing(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "digest.yaml"
    path.write_text(text)
    records = tmp_path / "batch.jsonl"
    records.write_text("")
    output = tmp_path / "output"
    args = ["render", "--input", str(records), "--date", "2025-10-04", "--config", str(path), "--output", str(output)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {path}: ")
    assert message in result.output
    assert result.output.count("\n") == 1
    assert not output.exists()


@pytest.mark.parametrize("where", ["home", "an ancestor of home"])
def test_output_in_the_home_directory_or_above_is_refused(tmp_path: Path, where: str) -> None:
    home = tmp_path / "users" / "ada"
    home.mkdir(parents=True)
    output = home if where == "home" else home.parent
    path = tmp_path / "digest.yaml"
    path.write_text(VALID)
    args = ["check-config", "--config", str(path), "--output", str(output)]
    result = CliRunner().invoke(main, args, env={"HOME": str(home)})
    assert result.exit_code == 2
    assert result.output == (
        f"Error: --output: {output} is the home directory or holds it: give the digests a folder of their own "
        "(e.g. ~/arxiv-digests)\n"
    )


def test_a_bad_environment_override_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "digest.yaml"
    path.write_text(VALID)
    monkeypatch.setenv("DIGEST_MAX_TRIES", "many")
    result = CliRunner().invoke(main, ["check-config", "--config", str(path)])
    assert result.exit_code == 2
    assert "settings.max_tries (from DIGEST_MAX_TRIES)" in result.output


def test_a_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check-config", "--config", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {tmp_path / 'nope.yaml'}: cannot read config: No such file or directory; "
        "name it with --config PATH or DIGEST_CONFIG\n"
    )


def test_check_config_prints_the_resolved_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "digest.yaml"
    path.write_text(VALID)
    monkeypatch.setenv("DIGEST_REQUEST_INTERVAL", "7.5")
    result = CliRunner().invoke(main, ["check-config", "--config", str(path)])
    assert result.exit_code == 0
    assert result.output.startswith(f"# {path}: valid\n")
    assert "request_interval: 7.5\n" in result.output


def test_a_friday_holiday_is_refused_when_the_config_loads(tmp_path: Path) -> None:
    path = tmp_path / "digest.yaml"
    path.write_text(VALID + "settings:\n  holidays: [2026-07-03]\n")
    result = CliRunner().invoke(main, ["check-config", "--config", str(path)])
    assert result.exit_code == 2
    assert "settings.holidays: 2026-07-03 is a Friday, which has no announcement to skip" in result.output


REFUSED_BY_CHECK_CONFIG = {
    "schedule": ("schedule: every morning", "settings.schedule: 'every morning' is not a crontab line"),
    "time zone": ("schedule_timezone: Mars/Olympus", "settings.schedule_timezone: 'Mars/Olympus' is not"),
    "api url": (
        "arxiv_api_url: export.arxiv.org/api",
        "settings.arxiv_api_url: 'export.arxiv.org/api' is",
    ),
    "rss url": ("arxiv_rss_url: 'ftp://rss.arxiv.org/'", "settings.arxiv_rss_url: 'ftp://rss.arxiv.org/'"),
    "oai url": ("arxiv_oai_url: 'https://'", "settings.arxiv_oai_url: 'https://' is not an http(s) URL"),
}


@pytest.mark.parametrize(("setting", "message"), REFUSED_BY_CHECK_CONFIG.values(), ids=REFUSED_BY_CHECK_CONFIG.keys())
def test_check_config_refuses_what_the_commands_would_refuse_later(tmp_path: Path, setting: str, message: str) -> None:
    path = tmp_path / "digest.yaml"
    path.write_text(VALID + f"settings:\n  {setting}\n")
    result = CliRunner().invoke(main, ["check-config", "--config", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {path}: {message}")


def test_an_unknown_digest_variable_is_a_warning_naming_the_closest_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "digest.yaml"
    path.write_text(VALID)
    monkeypatch.setenv("DIGEST_REQUETS_INTERVAL", "5")
    result = CliRunner().invoke(main, ["check-config", "--config", str(path)])
    assert result.exit_code == 0
    assert "DIGEST_REQUETS_INTERVAL: no such setting; did you mean DIGEST_REQUEST_INTERVAL?" in result.output


def test_check_config_prints_every_topics_options_resolved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "digest.yaml"
    path.write_text(
        VALID.replace("    filters:\n", "    filters:\n    dedupe_days: 2\n") + "settings:\n  match: words\n"
    )
    result = CliRunner().invoke(main, ["check-config", "--config", str(path)])
    assert result.exit_code == 0
    topic = result.output.split("  MLLM:\n")[1].split("settings:")[0]
    assert "    match: words\n" in topic
    assert "    category_rule: all\n" in topic
    assert "    replacements: include\n" in topic
    assert "    dedupe_days: 2\n" in topic
    assert "null" not in topic.replace("filters: null", "")
