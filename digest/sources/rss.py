"""The latest batch from arXiv's RSS feed: which papers were announced, and how.

One request covers every subscribed category (`{rss_url}cs.AI+cs.CL+…`). arXiv caps a feed at a fixed
number of items, so a feed that reaches the cap is replaced by one feed per category, merged by id.
feedparser gets the response bytes, never a URL, so the HTTP layer's spacing and retries always apply;
its HTML sanitising is off because arXiv's titles and abstracts are plain text (`x < y`, `<ACT> token`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any, cast, get_args

import feedparser
import httpx

from digest.core.calendar import ARXIV_TIMEZONE
from digest.core.errors import FetchError, IncompleteResponse
from digest.core.models import AnnounceType, Paper, author_name, normalise_text
from digest.sources.http import ArxivHttp

__all__ = ["ListedItem", "Listing", "fetch_latest_listing", "parse_listing", "split_creators"]

logger = logging.getLogger(__name__)

_GUID = re.compile(r"^oai:arXiv\.org:(?P<id>.+?)v(?P<version>\d+)$")
_ABS_LINK = re.compile(r"arxiv\.org/abs/(?P<id>[^?#]+?)(?:v(?P<version>\d+))?$")
_DESCRIPTION_ID = re.compile(r"arXiv:(?P<id>\S+?)v(?P<version>\d+)\b")
_ANNOUNCE_TYPES: frozenset[str] = frozenset(get_args(AnnounceType))
_PARENTHESISED = re.compile(r"\([^()]*\)")
_AND = re.compile(r"\s+and\s+|^and\s+")


@dataclass(frozen=True)
class ListedItem:
    """One item of the listing, its text normalised once here."""

    id: str
    version: int | None
    announce_type: AnnounceType
    categories: list[str]
    title: str
    authors: list[str]
    abstract: str

    def to_paper(self) -> Paper:
        """The paper record; the listing's first category is the primary."""
        return Paper(**vars(self), primary_category=self.categories[0])


@dataclass(frozen=True)
class Listing:
    """A feed's mailing: its date (the channel `pubDate` in New York) and its items; no items on weekends."""

    mailing_date: date | None
    items: list[ListedItem]


def fetch_latest_listing(http: ArxivHttp, rss_url: str, categories: Sequence[str], *, item_cap: int) -> Listing:
    """The current mailing for `categories`: one combined feed, or per-category feeds when it hits the cap."""
    if not categories:
        raise ValueError("at least one category is needed")
    combined = _fetch_feed(http, rss_url, categories)
    if len(combined.items) < item_cap:
        return combined
    if len(categories) == 1:
        raise _capped(categories[0], item_cap)
    logger.info("RSS feed reached the %d-item cap; fetching %d per-category feeds", item_cap, len(categories))
    feeds = []
    for category in categories:
        feed = _fetch_feed(http, rss_url, [category])
        if len(feed.items) >= item_cap:
            raise _capped(category, item_cap)
        feeds.append(feed)
    return _merge(feeds)


def parse_listing(body: bytes) -> Listing:
    """Parse an RSS response; IncompleteResponse when it is empty, truncated or not a feed."""
    if not body.strip():
        raise IncompleteResponse("empty body")
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(problem, feedparser.CharacterEncodingOverride):
        raise IncompleteResponse(f"unparsable feed ({problem})")
    if not parsed.get("version", "").startswith("rss") or not parsed.feed:
        raise IncompleteResponse("not an RSS feed with a channel")
    items = [_item(entry) for entry in parsed.entries if not _metadata_only(entry)]
    return Listing(_mailing_date(parsed.feed.get("published")), items)


def split_creators(creators: str) -> list[str]:
    """`dc:creator` as names: split on top-level commas and "and", parenthesised affiliations dropped, LaTeX
    accents decoded (`models.author_name`)."""
    names = []
    for part in _top_level_split(creators):
        without = part
        while _PARENTHESISED.search(without):
            without = _PARENTHESISED.sub(" ", without)
        for name in _AND.split(normalise_text(without)):
            name = author_name(name)
            if name:
                names.append(name)
    return names


def _fetch_feed(http: ArxivHttp, rss_url: str, categories: Sequence[str]) -> Listing:
    url = rss_url + "+".join(categories)
    listing: Listing = http.get_valid(url, kind="rss", validate=_validate)
    return listing


def _validate(response: httpx.Response) -> Listing:
    return parse_listing(response.content)


def _capped(category: str, item_cap: int) -> FetchError:
    return FetchError(
        f"the arXiv RSS feed for {category} reached its {item_cap}-item cap, so it may be incomplete; "
        "use --source oai for this batch"
    )


def _merge(feeds: Sequence[Listing]) -> Listing:
    """One listing from per-category feeds: by id, the first listing of a paper, `new` over `cross`."""
    dates = {feed.mailing_date for feed in feeds}
    if len(dates) > 1:
        shown = ", ".join(sorted(str(day) for day in dates))
        raise FetchError(f"the per-category arXiv RSS feeds disagree on the mailing date ({shown}); try again")
    merged: dict[str, ListedItem] = {}
    for feed in feeds:
        for item in feed.items:
            seen = merged.get(item.id)
            if seen is None:
                merged[item.id] = item
            elif seen.announce_type in ("cross", "replace-cross") and item.announce_type in ("new", "replace"):
                merged[item.id] = replace(seen, announce_type=item.announce_type)
    return Listing(dates.pop(), list(merged.values()))


def _mailing_date(published: str | None) -> date | None:
    if not published:
        return None
    try:
        moment = parsedate_to_datetime(published)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(ARXIV_TIMEZONE).date()


def _item(entry: Any) -> ListedItem:
    paper_id, version = _identify(entry)
    categories = [tag["term"].strip() for tag in entry.get("tags", []) if tag.get("term", "").strip()]
    if not categories:
        raise IncompleteResponse(f"item {paper_id} has no category")
    announce = str(entry.get("arxiv_announce_type", "")).strip()
    if announce not in _ANNOUNCE_TYPES:
        shown = f"announce type {announce!r}" if announce else "no announce type"
        raise FetchError(
            f"arXiv RSS item {paper_id} has {shown}; arxiv-digest knows new, cross, replace and "
            "replace-cross (and skips absonly): use --source oai for this batch"
        )
    description = entry.get("summary", "")
    _, marker, abstract = description.partition("Abstract:")
    return ListedItem(
        id=paper_id,
        version=version,
        announce_type=cast(AnnounceType, announce),
        categories=list(dict.fromkeys(categories)),
        title=normalise_text(entry.get("title", "")),
        authors=split_creators(entry.get("author", "")),
        abstract=normalise_text(abstract if marker else description),
    )


def _metadata_only(entry: Any) -> bool:
    """`absonly`: arXiv's update record for a changed abstract or metadata of a version announced before.

    No new version is announced, so it belongs to no batch: arXiv's own listings leave these updates out.
    The item is skipped, and said so in the log.
    """
    if str(entry.get("arxiv_announce_type", "")).strip() != _METADATA_ONLY:
        return False
    paper_id, version = _identify(entry)
    logger.warning(
        "RSS item %sv%s is a metadata-only update (absonly), not an announcement: skipped", paper_id, version
    )
    return True


_METADATA_ONLY = "absonly"


def _identify(entry: Any) -> tuple[str, int | None]:
    """Id without version, and the version: from the guid, else the description, else the link."""
    guid = _GUID.match(entry.get("id", "").strip())
    if guid:
        return guid["id"], int(guid["version"])
    described = _DESCRIPTION_ID.search(entry.get("summary", ""))
    if described:
        return described["id"], int(described["version"])
    linked = _ABS_LINK.search(entry.get("link", "").strip())
    if linked:
        return linked["id"], int(linked["version"]) if linked["version"] else None
    raise IncompleteResponse("an item has no arXiv id")


def _top_level_split(text: str) -> list[str]:
    """Split on commas outside parentheses, so `A (MIT, USA), B` gives two parts."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts
