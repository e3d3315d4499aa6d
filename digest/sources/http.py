"""The one HTTP client every arXiv request goes through: RSS, API and OAI-PMH alike.

arXiv asks for one request every 3 seconds across all its interfaces and sometimes answers with 5xx, 429,
a hang, or a 200 whose body is unusable. Keeping spacing, timeout, backoff and the try budget in one object
means every fetcher gets the same politeness and the same "complete or fail" behaviour.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import time
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TypeVar

import httpx

from digest import __version__
from digest.core.config import Settings
from digest.core.errors import FetchError, IncompleteResponse, RetryableFetch, UnreachableError, shown_url
from digest.core.redact import redact
from digest.core.retry_after import parse_retry_after
from digest.core.tls import trust_store

__all__ = ["USER_AGENT", "ArxivHttp", "Params"]

logger = logging.getLogger(__name__)

USER_AGENT = f"arxiv-digest/{__version__} (scheduled digests; python-httpx)"

Params = Mapping[str, str | int]
"""Query parameters; httpx encodes them."""

T = TypeVar("T")

_NAMES = {"rss": "arXiv RSS", "api": "arXiv API", "oai": "arXiv OAI-PMH"}
_TOO_MANY_REQUESTS = 429


class ArxivHttp(AbstractContextManager["ArxivHttp"]):
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
    ) -> None:
        self.request_interval = settings.request_interval
        self.retry_backoff = settings.retry_backoff
        self.max_tries = settings.max_tries
        self.max_wait = settings.max_retry_wait
        self._client = client or httpx.Client(
            transport=transport,
            verify=trust_store(),
            timeout=settings.request_timeout,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=True,
        )
        self._owns_client = client is None
        self._timeout = settings.request_timeout
        self._max_body = settings.max_response_mb * _MEBIBYTE
        self._sleep = sleep
        self._monotonic = monotonic
        self._now = now
        self._last_start: float | None = None
        self._counts: Counter[str] = Counter()

    def __exit__(self, *exc_info: object) -> None:
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
        address = _full_url(url, params)
        cause = ""
        for attempt in range(1, self.max_tries + 1):
            try:
                response = self._send(url, params, kind, (name, address))
                self._raise_for_status(response, name, address)
                _check_utf8(response.content, name, address)
                return validate(response)
            except IncompleteResponse as err:
                cause, retry_after = f"incomplete response: {err.reason}", None
            except RetryableFetch as err:
                cause, retry_after = err.cause, err.retry_after
            except UnreachableError as err:
                raise FetchError(f"{name} cannot be reached: {err}; not retried", url=address) from err
            if retry_after is not None and retry_after > self.max_wait:
                raise FetchError(
                    f"arXiv asks to wait {retry_after:g} s (Retry-After); nothing written; run again later"
                )
            if attempt < self.max_tries:
                wait = self._backoff(attempt, retry_after)
                logger.warning("%s: %s; retrying in %.1f s: %s", name, cause, wait, shown_url(address))
                self._sleep(wait)
        tries = "try" if self.max_tries == 1 else "tries"
        raise FetchError(f"{name} did not answer after {self.max_tries} {tries} ({cause})", url=address)

    def _send(self, url: str, params: Params | None, kind: str, named: tuple[str, str]) -> httpx.Response:
        """One try, whole within `request_timeout` however slowly the bytes arrive (httpx's timeout is per read),
        and at most `max_response_mb` once decompressed, counted as the bytes arrive."""
        self._keep_spacing()
        self._last_start = self._monotonic()
        self._counts[kind] += 1
        logger.debug("GET %s %s", kind, url)
        deadline = self._last_start + self._timeout
        late = RetryableFetch(f"no complete answer within {self._timeout:g} s")
        try:
            with self._client.stream(
                "GET", url, params=params, timeout=self._timeout, headers={"User-Agent": USER_AGENT}
            ) as streamed:
                chunks = []
                size = 0
                for chunk in streamed.iter_bytes():
                    size += len(chunk)
                    if size > self._max_body:
                        name, address = named
                        raise FetchError(
                            f"{name} answered more than {self._max_body // _MEBIBYTE} MB (max_response_mb); "
                            "nothing written",
                            url=address,
                        )
                    chunks.append(chunk)
                    if self._monotonic() > deadline:
                        raise late
                if self._monotonic() > deadline:
                    raise late
        except httpx.TimeoutException as err:
            raise RetryableFetch(f"timed out after {self._timeout:g} s") from err
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as err:
            raise UnreachableError(f"invalid URL ({err})") from err
        except httpx.DecodingError as err:
            raise RetryableFetch(f"undecodable compressed body ({err})") from err
        except httpx.TransportError as err:
            permanent = _permanent_cause(err, httpx.URL(url).host)
            if permanent:
                raise UnreachableError(permanent) from err
            raise RetryableFetch(f"connection failed: {type(err).__name__}: {redact(str(err))}") from err
        return _complete(streamed, b"".join(chunks))

    def _keep_spacing(self) -> None:
        if self._last_start is None:
            return
        remaining = self._last_start + self.request_interval - self._monotonic()
        if remaining > 0:
            self._sleep(remaining)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        backoff: float = self.retry_backoff * 2.0 ** (attempt - 1)
        return min(max(backoff, retry_after or 0.0), self.max_wait)

    def _raise_for_status(self, response: httpx.Response, name: str, address: str) -> None:
        status = response.status_code
        if status == _TOO_MANY_REQUESTS or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), now=self._now())
            raise RetryableFetch(f"HTTP {status}", retry_after)
        if status >= 400:
            raise FetchError(f"{name} refused the request (HTTP {status})", url=address)
        if status != 200:
            raise RetryableFetch(f"unexpected HTTP {status}")


def _complete(streamed: httpx.Response, body: bytes) -> httpx.Response:
    """The streamed response with its whole (decoded) body, as `client.get` would have returned it."""
    headers = [(key, value) for key, value in streamed.headers.multi_items() if key.lower() not in _BODY_HEADERS]
    return httpx.Response(streamed.status_code, headers=headers, content=body, request=streamed.request)


_BODY_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}
_MEBIBYTE = 1024 * 1024


def _check_utf8(body: bytes, name: str, address: str) -> None:
    """arXiv declares every answer UTF-8: bytes that are not are never guessed at or replaced.

    A body that ends inside a character was cut short: that one is retried like any truncated answer.
    """
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.end == len(body) and err.reason == "unexpected end of data":
            raise IncompleteResponse("the body ends inside a UTF-8 character") from err
        raise FetchError(
            f"{name} answered text that is not valid UTF-8 (byte offset {err.start} of the body); nothing written",
            url=address,
        ) from err


def _permanent_cause(err: httpx.TransportError, host: str) -> str | None:
    """Why no retry can help (what the try's exception chain holds), or None for a passing fault."""
    chain: list[BaseException] = []
    cause: BaseException | None = err
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(isinstance(link, socket.gaierror) for link in chain):
        return f"cannot resolve {host} (no network, or a mistyped URL)"
    tls = next((link for link in chain if isinstance(link, ssl.SSLError)), None)
    if tls is not None:
        return f"TLS failed with {host}: {tls.args[-1] if tls.args else type(tls).__name__}"
    if any(isinstance(link, ConnectionRefusedError) for link in chain) and not _is_local(host):
        return f"{host} refused the connection"
    return None


def _is_local(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _full_url(url: str, params: Params | None) -> str:
    """The URL with its query, secrets masked: what an error or a log line may name."""
    try:
        return redact(str(httpx.URL(url, params=params)))
    except (httpx.InvalidURL, TypeError):
        return redact(url)
