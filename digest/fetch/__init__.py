"""Network side of the fetch stage: one polite HTTP client, the RSS listing, the API metadata."""

from digest.fetch.http import ArxivHttp, IncompleteResponse

__all__ = ["ArxivHttp", "IncompleteResponse"]
