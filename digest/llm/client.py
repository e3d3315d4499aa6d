"""The one object that talks to the language model: an `openai.OpenAI` pointed at `llm.base_url`.

The `openai` package speaks the chat-completions protocol of every compatible server (OpenAI, DeepSeek,
OpenRouter, Ollama, vLLM, llama.cpp), so one client serves them all. Its own retries are off: this wrapper
retries what a retry can mend (timeouts, 5xx, a malformed answer, 429 after its Retry-After) up to
`max_tries`, fails at once on what it cannot (a refused connection, 4xx: a wrong model name is a 404),
and bounds the whole run's time on the model by `time_budget`. Every try has one deadline for the whole
answer, so a server that drips a byte at a time is cut like a timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Self

import httpx

from digest.core.errors import ModelError
from digest.core.llm_settings import LlmSettings
from digest.core.models import Usage
from digest.core.redact import redact, remember_secrets
from digest.core.retry_after import parse_retry_after
from digest.core.tls import trust_store
from digest.core.words import plural

if TYPE_CHECKING:
    import openai

__all__ = ["Completion", "ModelClient", "Usage"]

MAX_ANSWER_BYTES = 1 << 20
"""A chat completion of a few hundred tokens is a few KB: an answer past 1 MiB is cut, not read on."""
DEFAULT_MAX_RETRY_WAIT = 300.0
"""The settings' default `max_retry_wait`, for a client made from `llm:` alone."""
_NO_KEY = "no-key"
"""What the `openai` package is given when no key is configured (a local server needs none)."""


@dataclass(frozen=True)
class Completion:
    """The model's answer and what it cost, from the API's usage fields (0 when a server leaves them out)."""

    text: str
    tokens_in: int
    tokens_out: int


class ModelClient:
    """Chat completions with retries, deadlines and a time budget; `usage` counts tokens across threads.

    `transport`, `sleep`, `monotonic` and `now` are the test seams, as in `sources.http.ArxivHttp`.
    """

    def __init__(
        self,
        settings: LlmSettings,
        environ: Mapping[str, str],
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.usage = Usage()
        self._sleep, self._monotonic, self._now = sleep, monotonic, now
        self._lock = threading.Lock()
        self._started: float | None = None
        self._problem = None
        key = environ.get(settings.api_key_env, "") if settings.api_key_env else ""
        if settings.api_key_env and not key:
            self._problem = f"the environment variable {settings.api_key_env} (llm.api_key_env) holds no API key"
        remember_secrets([key])
        import openai  # a second to import: paid when a client is built, not by every importer of this module

        deadline = _Deadline(transport or httpx.HTTPTransport(verify=trust_store()), self._allowance, monotonic)
        self._openai = openai.OpenAI(
            base_url=settings.base_url,
            api_key=key or _NO_KEY,
            max_retries=0,
            timeout=settings.timeout,
            http_client=httpx.Client(transport=deadline, timeout=settings.timeout),
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._openai.close()

    def complete(self, prompt: str) -> Completion:
        """The model's answer to `prompt`; ModelError (its message redacted) when it cannot be had."""
        import openai  # imported already: `__init__` built the client

        if self._problem:
            raise ModelError(self._problem)
        settings = self.settings
        cause = ""
        for attempt in range(settings.max_tries):
            wait = settings.retry_backoff * 2**attempt
            self._check_budget()
            try:
                return self._ask(prompt)
            except openai.RateLimitError as err:
                header = err.response.headers.get("retry-after")
                asked = parse_retry_after(header, now=self._now())
                cause = "429 Too Many Requests"
                if asked is not None and asked > self._max_wait:
                    raise ModelError(
                        f"{self._where} asks to wait {asked:g} s (Retry-After), longer than max_retry_wait "
                        f"({self._max_wait:g} s)"
                    ) from err
                wait = max(wait, asked or 0.0)
            except openai.APIStatusError as err:
                if err.status_code < 500:
                    raise ModelError(self._refusal(err)) from err
                cause = f"HTTP {err.status_code}"
            except openai.APITimeoutError as err:
                cause = f"no answer within {settings.timeout:g} s"
                if self._allowance() <= 0:
                    raise ModelError(self._budget_spent()) from err
            except openai.APIConnectionError as err:
                raise ModelError(redact(f"cannot reach {self._where}: {err.__cause__ or err}")) from err
            except (openai.APIResponseValidationError, ValueError, _Malformed) as err:
                cause = f"a malformed answer ({_first_line(err)})"
            if attempt + 1 < settings.max_tries:
                self._check_budget(wait)
                self._sleep(min(wait, self._max_wait))
        raise ModelError(redact(f"{self._where} failed {plural(settings.max_tries, 'time')}, last: {cause}"))

    def _ask(self, prompt: str) -> Completion:
        import openai  # imported already: `__init__` built the client

        settings = self.settings
        answer = self._openai.chat.completions.create(
            model=settings.model,
            messages=[{"role": "user", "content": prompt}],
            max_tokens=settings.max_output_tokens,
            timeout=max(min(settings.timeout, self._allowance()), 0.001),
        )
        if not isinstance(answer, openai.types.chat.ChatCompletion) or not answer.choices:
            raise _Malformed("no choices")
        text = (answer.choices[0].message.content or "").strip()
        if not text:
            raise _Malformed("an empty message")
        tokens_in = answer.usage.prompt_tokens if answer.usage else 0
        tokens_out = answer.usage.completion_tokens if answer.usage else 0
        with self._lock:
            self.usage.calls += 1
            self.usage.tokens_in += tokens_in
            self.usage.tokens_out += tokens_out
        return Completion(text, tokens_in, tokens_out)

    @property
    def _max_wait(self) -> float:
        """`llm.max_retry_wait`, else the settings' (resolved by the plan), else its default."""
        return self.settings.max_retry_wait if self.settings.max_retry_wait is not None else DEFAULT_MAX_RETRY_WAIT

    @property
    def _where(self) -> str:
        return f"the model {self.settings.model!r} at {self.settings.base_url}"

    def _refusal(self, err: openai.APIStatusError) -> str:
        if err.status_code == httpx.codes.NOT_FOUND:
            return redact(f"{self.settings.base_url} has no model {self.settings.model!r} (HTTP 404): check llm.model")
        return redact(f"{self._where} refused the request (HTTP {err.status_code}): {_first_line(err)}")

    def _allowance(self) -> float:
        """Seconds this run may still spend on the model; the budget starts with the first request."""
        with self._lock:
            if self._started is None:
                self._started = self._monotonic()
            return self.settings.time_budget - (self._monotonic() - self._started)

    def _check_budget(self, wait: float = 0.0) -> None:
        if self._allowance() - wait <= 0:
            raise ModelError(self._budget_spent())

    def _budget_spent(self) -> str:
        return f"the run's time on the model (llm.time_budget, {self.settings.time_budget:g} s) is spent"


class _Malformed(ModelError):
    """A 200 answer that is no chat completion."""


def _first_line(err: Exception) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:200] if lines else type(err).__name__


class _Deadline(httpx.BaseTransport):
    """Each answer whole within the time left (`allowance`), and at most MAX_ANSWER_BYTES: httpx's timeouts
    are per read, so a server dripping one byte a second would never trip them."""

    def __init__(self, inner: httpx.BaseTransport, allowance: Callable[[], float], monotonic: Callable[[], float]):
        self._inner, self._allowance, self._monotonic = inner, allowance, monotonic

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        deadline = self._monotonic() + self._allowance()
        timeout = request.extensions.get("timeout", {}).get("read")
        if timeout is not None:
            deadline = min(deadline, self._monotonic() + timeout)
        response = self._inner.handle_request(request)
        stream = response.stream
        assert isinstance(stream, httpx.SyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_Timed(stream, deadline, self._monotonic, request),
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        self._inner.close()


class _Timed(httpx.SyncByteStream):
    def __init__(
        self, inner: httpx.SyncByteStream, deadline: float, monotonic: Callable[[], float], request: httpx.Request
    ) -> None:
        self._inner, self._deadline, self._monotonic, self._request = inner, deadline, monotonic, request

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        for chunk in self._inner:
            received += len(chunk)
            if self._monotonic() > self._deadline:
                raise httpx.ReadTimeout("the answer did not arrive in time", request=self._request)
            if received > MAX_ANSWER_BYTES:
                raise httpx.ReadError(f"an answer larger than {MAX_ANSWER_BYTES} bytes", request=self._request)
            yield chunk

    def close(self) -> None:
        self._inner.close()
