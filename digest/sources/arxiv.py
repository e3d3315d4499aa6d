"""The network edge of a command: one client for every arXiv interface, whose connection opens on first use.

Every request of a run goes through its one `ArxivHttp`, so arXiv's spacing holds across RSS, API and
OAI-PMH; tests point the settings' URLs at a local server.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from digest.core.config import Settings
from digest.sources.api import ArxivApiClient
from digest.sources.http import ArxivHttp

__all__ = ["Arxiv"]


class Arxiv(AbstractContextManager["Arxiv"]):
    """RSS, OAI-PMH (`http`) and the API (`api`) of arXiv, as the settings name them; a context manager."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._http: ArxivHttp | None = None
        self._api: ArxivApiClient | None = None

    def __exit__(self, *exc_info: object) -> None:
        if self._http is not None:
            self._http.close()

    @property
    def http(self) -> ArxivHttp:
        if self._http is None:
            self._http = ArxivHttp(self.settings)
        return self._http

    @property
    def api(self) -> ArxivApiClient:
        if self._api is None:
            self._api = ArxivApiClient(self.http, self.settings.arxiv_api_url)
        return self._api

    @property
    def requests(self) -> dict[str, int]:
        """Requests sent so far by kind, plus `total`."""
        return self._http.stats if self._http is not None else {"total": 0}
