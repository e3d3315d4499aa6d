"""Files the user points at: folders in the config resolve the same from any directory; topic files in each shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli.main import main
from digest.core.config_file import load_config, load_topic

CONFIG = """\
category:
  cs.AI: Artificial Intelligence
topic:
  MLLM:
    keywords: [VLM]
"""


def project(root: Path, settings: str = "") -> Path:
    """The default layout: `config/digest.yaml` in a project folder, `output/` beside `config/`."""
    path = root / "config" / "digest.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(CONFIG + settings)
    return path


def digest(cwd: Path, monkeypatch: pytest.MonkeyPatch, *args: str, env: dict[str, str] | None = None) -> Result:
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, list(args), env=env)


def test_the_default_layout_keeps_output_at_the_top_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path)
    result = digest(tmp_path, monkeypatch, "check-config")
    assert result.exit_code == 0, result.output
    assert "# output: output\n" in result.stdout
    assert "# labels: labels\n" in result.stdout


def test_another_working_directory_with_digest_config_names_the_same_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project(tmp_path / "lab", "settings:\n  output_dir: digests/out\n  labels_dir: my-labels\n")
    (tmp_path / "elsewhere").mkdir()
    result = digest(tmp_path / "elsewhere", monkeypatch, "status", "--json", env={"DIGEST_CONFIG": str(config)})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["output_dir"], data["labels_dir"]) == (
        str(tmp_path / "lab" / "digests" / "out"),
        str(tmp_path / "lab" / "my-labels"),
    )


def test_status_from_another_directory_finds_the_digests_that_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project(tmp_path / "lab")
    topic = tmp_path / "lab" / "output" / "MLLM"
    topic.mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    result = digest(tmp_path / "elsewhere", monkeypatch, "status", env={"DIGEST_CONFIG": str(config)})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Output: {tmp_path / 'lab' / 'output'}\nLabels: {tmp_path / 'lab' / 'labels'}\n")


def test_a_config_outside_a_config_folder_is_its_own_base(tmp_path: Path) -> None:
    path = tmp_path / "digest.yaml"
    path.write_text(CONFIG + "settings:\n  output_dir: out\n  cache_dir: cache\n")
    settings = load_config(path, {}).settings
    assert (settings.output_dir, settings.cache_dir) == (tmp_path / "out", tmp_path / "cache")


def test_an_absolute_path_in_the_config_is_kept(tmp_path: Path) -> None:
    path = project(tmp_path, f"settings:\n  output_dir: {tmp_path / 'absolute'}\n")
    assert load_config(path, {}).settings.output_dir == tmp_path / "absolute"


def test_paths_from_the_environment_stay_relative_to_the_working_directory(tmp_path: Path) -> None:
    path = project(tmp_path / "lab")
    settings = load_config(path, {"DIGEST_OUTPUT_DIR": "here", "DIGEST_LABELS_DIR": "mine"}).settings
    assert (settings.output_dir, settings.labels_dir) == (Path("here"), Path("mine"))


def test_output_on_the_command_line_stays_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project(tmp_path / "lab")
    result = digest(tmp_path, monkeypatch, "check-config", "--config", str(config), "--output", "mine")
    assert result.exit_code == 0, result.output
    assert "# output: mine\n" in result.stdout


TOPIC_SHAPES = {
    "fields": "name: Vision\nkeywords: [VLM]\nmatch: words\n",
    "a block copied from the config": "Vision:\n  keywords: [VLM]\n  match: words\n",
    "the block under topic": "topic:\n  Vision:\n    keywords: [VLM]\n    match: words\n",
}


@pytest.mark.parametrize("text", TOPIC_SHAPES.values(), ids=TOPIC_SHAPES.keys())
def test_a_topic_file_takes_each_documented_shape(tmp_path: Path, text: str) -> None:
    path = tmp_path / "vision.yaml"
    path.write_text(text)
    name, topic = load_topic(path)
    assert (name, topic.keywords, topic.match) == ("Vision", ["VLM"], "words")


def test_a_topic_file_without_a_name_is_named_after_the_file(tmp_path: Path) -> None:
    path = tmp_path / "vision.yaml"
    path.write_text("keywords: [VLM]\n")
    assert load_topic(path)[0] == "vision"
