"""The one HTTP client every arXiv request goes through: RSS, API and OAI-PMH alike.

arXiv asks for one request every 3 seconds across all its interfaces and sometimes answers with 5xx, 429,
a hang, or a 200 whose body is unusable. Keeping spacing, timeout, backoff and the try budget in one object
means every fetcher gets the same politeness and the same "complete or fail" behaviour.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Self, TypeVar

import httpx

from digest import __version__
from digest.config import Settings
from digest.errors import FetchError

__all__ = ["USER_AGENT", "ArxivHttp", "IncompleteResponse", "Params", "parse_retry_after"]

logger = logging.getLogger(__name__)

USER_AGENT = f"arxiv-digest/{__version__} (scheduled digests; python-httpx)"

Params = Mapping[str, str | int]
"""Query parameters; httpx encodes them."""

T = TypeVar("T")

_NAMES = {"rss": "arXiv RSS", "api": "arXiv API", "oai": "arXiv OAI-PMH"}
_MAX_SHOWN_URL = 160
_TOO_MANY_REQUESTS = 429


class IncompleteResponse(Exception):
    """Raised by a `validate` callable: this 200 response is unusable (truncated, empty, inconsistent)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Retry(Exception):
    def __init__(self, cause: str, retry_after: float | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retry_after = retry_after


class ArxivHttp:
    """Spacing, timeout, retries with backoff and request counts for all arXiv traffic.

    `sleep` and `monotonic` are injectable so tests can check the waits without waiting; `client` (or a
    `transport`) lets tests point at a local server or an `httpx.MockTransport`.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_wait: float = 300.0,
    ) -> None:
        self.request_interval = settings.request_interval
        self.retry_backoff = settings.retry_backoff
        self.max_tries = settings.max_tries
        self.max_wait = max_wait
        self._client = client or httpx.Client(
            transport=transport,
            timeout=settings.request_timeout,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
        )
        self._owns_client = client is None
        self._timeout = settings.request_timeout
        self._sleep = sleep
        self._monotonic = monotonic
        self._now = now
        self._last_start: float | None = None
        self._counts: Counter[str] = Counter()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying client if this object created it."""
        if self._owns_client:
            self._client.close()

    @property
    def stats(self) -> dict[str, int]:
        """Requests sent so far by kind (every try counts), plus `total`."""
        return {**self._counts, "total": sum(self._counts.values())}

    def get(self, url: str, *, params: Params | None = None, kind: str) -> httpx.Response:
        """GET with spacing, timeout and retries; a 200 response, or FetchError once the tries are spent."""
        return self.get_valid(url, params=params, kind=kind, validate=lambda response: response)

    def get_valid(
        self,
        url: str,
        *,
        params: Params | None = None,
        kind: str,
        validate: Callable[[httpx.Response], T],
    ) -> T:
        """GET and validate; `validate` raising IncompleteResponse spends a try and backs off like a 503."""
        name = _NAMES.get(kind, f"arXiv {kind}")
        shown = _shorten(str(httpx.URL(url, params=params)))
        cause = ""
        for attempt in range(1, self.max_tries + 1):
            try:
                response = self._send(url, params, kind)
                self._raise_for_status(response, name, shown)
                return validate(response)
            except IncompleteResponse as err:
                cause, retry_after = f"incomplete response: {err.reason}", None
            except _Retry as err:
                cause, retry_after = err.cause, err.retry_after
            if attempt < self.max_tries:
                wait = self._backoff(attempt, retry_after)
                logger.warning("%s: %s; retrying in %.1f s: %s", name, cause, wait, shown)
                self._sleep(wait)
        tries = "try" if self.max_tries == 1 else "tries"
        raise FetchError(f"{name} did not answer after {self.max_tries} {tries} ({cause}): {shown}")

    def _send(self, url: str, params: Params | None, kind: str) -> httpx.Response:
        self._keep_spacing()
        self._last_start = self._monotonic()
        self._counts[kind] += 1
        logger.debug("GET %s %s", kind, url)
        try:
            return self._client.get(url, params=params, timeout=self._timeout, headers={"User-Agent": USER_AGENT})
        except httpx.TimeoutException as err:
            raise _Retry(f"timed out after {self._timeout:g} s") from err
        except httpx.TransportError as err:
            raise _Retry(f"connection failed: {type(err).__name__}: {err}") from err

    def _keep_spacing(self) -> None:
        if self._last_start is None:
            return
        remaining = self._last_start + self.request_interval - self._monotonic()
        if remaining > 0:
            self._sleep(remaining)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        backoff: float = self.retry_backoff * 2.0 ** (attempt - 1)
        return min(max(backoff, retry_after or 0.0), self.max_wait)

    def _raise_for_status(self, response: httpx.Response, name: str, shown: str) -> None:
        status = response.status_code
        if status == _TOO_MANY_REQUESTS or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), now=self._now())
            raise _Retry(f"HTTP {status}", retry_after)
        if status >= 400:
            raise FetchError(f"{name} refused the request (HTTP {status}): {shown}")
        if status != 200:
            raise _Retry(f"unexpected HTTP {status}")


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP-date; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def _shorten(url: str) -> str:
    return url if len(url) <= _MAX_SHOWN_URL else url[: _MAX_SHOWN_URL - 1] + "…"
