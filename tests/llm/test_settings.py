"""The `llm:` section as a user writes it: the key never in the file, judges need a model."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from digest.cli.main import main

VALID = "category:\n  cs.CV: Computer Vision\ntopic:\n  MLLM:\n    keywords: [VLM]\n"


def check(tmp_path: Path, text: str) -> tuple[int, str]:
    path = tmp_path / "digest.yaml"
    path.write_text(text)
    result = CliRunner().invoke(main, ["check-config", "--config", str(path)])
    return result.exit_code, result.output


def test_a_key_written_in_the_config_is_refused_without_showing_it(tmp_path: Path) -> None:
    code, output = check(tmp_path, VALID + "llm:\n  model: gpt-4o-mini\n  api_key: sk-live-0123456789abcdef\n")
    assert code == 2
    assert "the API key never goes in the config" in output
    assert "sk-live-0123456789abcdef" not in output


def test_a_judged_topic_needs_the_llm_section(tmp_path: Path) -> None:
    code, output = check(tmp_path, VALID + "    judge: {prompt: vision-language models}\n")
    assert code == 2
    assert "topic 'MLLM' has a judge: the `llm:` section must name the model to ask" in output


def test_the_llm_section_is_shown_resolved_with_the_settings_retry_wait(tmp_path: Path) -> None:
    code, output = check(tmp_path, VALID + "llm:\n  model: qwen2.5:7b\n  base_url: http://127.0.0.1:11434/v1\n")
    assert code == 0, output
    assert "llm:\n  base_url: http://127.0.0.1:11434/v1\n  model: qwen2.5:7b\n" in output
    assert "  max_retry_wait: 300.0\n" in output.split("\nllm:\n")[1]
