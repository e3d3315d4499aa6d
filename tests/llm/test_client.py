"""The model client against a local OpenAI-compatible server: answers, retries, refusals, deadlines, secrets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from digest.core.errors import ModelError
from digest.core.llm_settings import LlmSettings
from digest.core.redact import redact
from digest.llm.client import ModelClient
from tests.support.model_server import MODEL, Drip, Malformed, ModelServer, Status


@pytest.fixture
def server() -> Iterator[ModelServer]:
    with ModelServer() as running:
        yield running


def settings(server: ModelServer, **changes: Any) -> LlmSettings:
    fields: dict[str, Any] = {"base_url": server.base_url, "model": MODEL, "retry_backoff": 0.0, **changes}
    return LlmSettings(**fields)


def client(server: ModelServer, waits: list[float] | None = None, **changes: Any) -> ModelClient:
    return ModelClient(settings(server, **changes), {}, sleep=(waits if waits is not None else []).append)


def test_a_canned_completion_is_the_answer_with_its_token_counts(server: ModelServer) -> None:
    with client(server) as model:
        answer = model.complete("Title: Seeing Things\n\nAbstract: we see.")
    assert answer.text == "TL;DR: Seeing Things in one sentence.\n- It has one key point."
    assert (answer.tokens_in, answer.tokens_out) == (6, 12)
    assert (model.usage.calls, model.usage.tokens_in, model.usage.tokens_out) == (1, 6, 12)


def test_a_429_waits_its_retry_after_then_asks_again(server: ModelServer) -> None:
    server.script = [Status(429, {"Retry-After": "7"})]
    waits: list[float] = []
    with client(server, waits) as model:
        assert model.complete("Title: T").text.startswith("TL;DR: T")
    assert waits == [7.0]
    assert len(server.prompts) == 2


def test_a_retry_after_longer_than_max_retry_wait_fails_at_once(server: ModelServer) -> None:
    server.script = [Status(429, {"Retry-After": "600"})]
    with client(server, max_retry_wait=60) as model, pytest.raises(ModelError) as raised:
        model.complete("Title: T")
    assert str(raised.value) == (
        f"the model 'stub-model' at {server.base_url} asks to wait 600 s (Retry-After), "
        "longer than max_retry_wait (60 s)"
    )
    assert len(server.prompts) == 1


def test_a_500_is_retried_with_backoff(server: ModelServer) -> None:
    server.script = [Status(500), Status(502)]
    waits: list[float] = []
    with client(server, waits, retry_backoff=1.0) as model:
        assert model.complete("Title: T").text.startswith("TL;DR")
    assert waits == [1.0, 2.0]


def test_a_500_every_time_fails_after_max_tries_naming_the_cause(server: ModelServer) -> None:
    server.script = [Status(500)] * 3
    with client(server) as model, pytest.raises(ModelError) as raised:
        model.complete("Title: T")
    assert str(raised.value) == f"the model 'stub-model' at {server.base_url} failed 3 times, last: HTTP 500"


def test_a_wrong_model_name_fails_at_once_with_a_404(server: ModelServer) -> None:
    with client(server, model="no-such-model") as model, pytest.raises(ModelError) as raised:
        model.complete("Title: T")
    assert str(raised.value) == f"{server.base_url} has no model 'no-such-model' (HTTP 404): check llm.model"
    assert len(server.prompts) == 1


def test_malformed_json_is_retried_then_fails_naming_it(server: ModelServer) -> None:
    server.script = [Malformed()] * 3
    with client(server) as model, pytest.raises(ModelError) as raised:
        model.complete("Title: T")
    assert str(raised.value).startswith(
        f"the model 'stub-model' at {server.base_url} failed 3 times, last: a malformed answer"
    )


def test_a_malformed_answer_then_a_good_one_is_the_good_one(server: ModelServer) -> None:
    server.script = [Malformed('{"choices": []}')]
    with client(server) as model:
        assert model.complete("Title: T").text.startswith("TL;DR")


def test_a_slow_drip_is_cut_at_the_timeout(server: ModelServer) -> None:
    server.script = [Drip(0.05)] * 2
    with client(server, timeout=0.3, max_tries=2) as model, pytest.raises(ModelError) as raised:
        model.complete("Title: T")
    assert (
        str(raised.value) == f"the model 'stub-model' at {server.base_url} failed 2 times, last: no answer within 0.3 s"
    )


def test_an_unreachable_server_fails_at_once_naming_it() -> None:
    with ModelServer() as gone:
        dead = settings(gone)
    with ModelClient(dead, {}) as model, pytest.raises(ModelError) as raised:
        model.complete("Title: T")
    assert str(raised.value).startswith(f"cannot reach the model 'stub-model' at {dead.base_url}: ")


def test_a_spent_time_budget_asks_nothing_more(server: ModelServer) -> None:
    clock = [0.0]
    model = ModelClient(settings(server, time_budget=5), {}, monotonic=lambda: clock[0])
    model.complete("Title: T")
    clock[0] = 10.0
    with pytest.raises(ModelError) as raised:
        model.complete("Title: T")
    assert str(raised.value) == "the run's time on the model (llm.time_budget, 5 s) is spent"
    assert len(server.prompts) == 1


def test_a_named_but_empty_key_variable_is_a_clear_error(server: ModelServer) -> None:
    model = ModelClient(settings(server, api_key_env="DIGEST_TEST_KEY"), {})
    with pytest.raises(ModelError) as raised:
        model.complete("Title: T")
    assert str(raised.value) == "the environment variable DIGEST_TEST_KEY (llm.api_key_env) holds no API key"
    assert server.prompts == []


def test_the_api_key_is_masked_in_every_later_message(server: ModelServer) -> None:
    key = "sk-test-0123456789abcdef"
    ModelClient(settings(server, api_key_env="DIGEST_TEST_KEY"), {"DIGEST_TEST_KEY": key})
    assert redact(f"Authorization failed for {key} today") == "Authorization failed for *** today"


def test_the_config_holds_the_variable_name_never_a_key() -> None:
    with pytest.raises(ValueError, match="is not an environment variable's name"):
        LlmSettings(model=MODEL, api_key_env="sk-live-abc123")
