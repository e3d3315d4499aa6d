"""Network side of the fetch stage: one polite HTTP client, the RSS listing, the API metadata.

Every arXiv request goes through one `ArxivHttp`, so the spacing arXiv asks for holds across RSS, API
and OAI-PMH, and every source is complete or raises FetchError.
"""

from digest.fetch.api import ArxivApiClient, fetch_metadata, fetch_submitted_window, paper_from_result
from digest.fetch.http import ArxivHttp, IncompleteResponse
from digest.fetch.rss import ListedItem, Listing, fetch_latest_listing

__all__ = [
    "ArxivApiClient",
    "ArxivHttp",
    "IncompleteResponse",
    "ListedItem",
    "Listing",
    "fetch_latest_listing",
    "fetch_metadata",
    "fetch_submitted_window",
    "paper_from_result",
]
