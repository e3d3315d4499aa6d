"""The API key reaches the server and nothing else: no output, log line, file or store, even at -vv."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from digest.store.database import Store
from tests.e2e.test_recipe import MONDAY, NOW
from tests.support.model_server import MODEL, ModelServer, Status
from tests.support.papers import paper

KEY = "sk-proj-Zq81mVt3KeYdoNotLeak0123456789"


@pytest.fixture
def server() -> Iterator[ModelServer]:
    with ModelServer() as running:
        yield running


def configure(tmp_path: Path, server: ModelServer) -> Path:
    config = tmp_path / "digest.yaml"
    config.write_text(
        "category:\n  cs.CV: Computer Vision\ntopic:\n  MLLM:\n    keywords: [Vision Language Model]\n"
        f"settings:\n  output_dir: {tmp_path / 'output'}\n"
        f"llm:\n  base_url: {server.base_url}\n  model: {MODEL}\n  api_key_env: DIGEST_TEST_LLM_KEY\n"
        "  summaries: true\n  max_tries: 2\n  retry_backoff: 0\n"
    )
    papers = [
        paper("2510.00001", title="A Vision Language Model"),
        paper("2510.00002", title="Another Vision Language Model"),
    ]
    with Store.open(tmp_path / "cache" / "digest.sqlite3") as store:
        store.save_papers(papers)
        store.save_batch(MONDAY, "rss", [(p.id, p.version, "new") for p in papers])
    return config


def everything_written(tmp_path: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(tmp_path.rglob("*")) if path.is_file())


@pytest.mark.parametrize("failing", [False, True])
def test_the_api_key_is_in_no_output_log_file_or_store_at_vv(
    tmp_path: Path, server: ModelServer, monkeypatch: pytest.MonkeyPatch, failing: bool
) -> None:
    monkeypatch.setenv("DIGEST_TEST_LLM_KEY", KEY)
    config = configure(tmp_path, server)
    if failing:
        server.script = [Status(401, body=json.dumps({"error": {"message": f"Incorrect API key provided: {KEY}"}}))]
    result = CliRunner().invoke(
        main, ["-vv", "run", "--date", str(MONDAY), "--offline", "--config", str(config), "--now", NOW.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert server.authorizations[0] == f"Bearer {KEY}"
    assert KEY not in result.output
    assert KEY.encode() not in everything_written(tmp_path)
    if failing:
        assert "Incorrect API key provided: ***" in result.output
