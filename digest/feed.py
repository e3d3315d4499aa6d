"""Atom feeds: a topic's recent digests as one feed, for feed readers and Zotero.

Pure: the papers of each dated digest in, the feed's bytes out. The same inputs give the same bytes (no
clock, no generator version), so a re-run leaves `feed.xml` untouched and git sees no change. lxml builds
and XML-escapes it: the markdown's `&lt;` neutralisation has no place here, the text goes as it is.
Why lxml and not feedgen: see docs/design.md, "Feeds".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from lxml import etree

__all__ = ["FEED_NAME", "FeedDay", "FeedPaper", "entry_id", "feed_dates", "render_feed"]

FEED_NAME = "feed.xml"
ATOM = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class FeedDay:
    """One digest of the topic: its date, when its batch was announced, and its papers in digest order."""

    date: date
    announced: datetime
    papers: Sequence[FeedPaper]


@dataclass(frozen=True)
class FeedPaper:
    """What an entry shows of a paper: from the store's record, or read back from the digest."""

    id: str
    title: str
    authors: Sequence[str]
    abstract: str
    categories: Sequence[str]
    links: Sequence[tuple[str, str]] = ()
    """(kind, URL): its code and project pages."""


def entry_id(paper_id: str, day: date) -> str:
    """`tag:arxiv.org,<year of the digest>:<arXiv id>`: the same paper on a re-run is the same entry."""
    return f"tag:arxiv.org,{day.year}:{paper_id}"


def feed_dates(dates: Sequence[date], feed_days: int) -> list[date]:
    """The digest dates a feed carries: within `feed_days` days of the newest one, newest first."""
    if not dates:
        return []
    newest = max(dates)
    return sorted((day for day in dates if (newest - day).days < feed_days), reverse=True)


def render_feed(topic: str, days: Sequence[FeedDay], digest_url: str | None = None) -> bytes:
    """The topic's Atom feed: one entry per paper and date, newest date first, digest order within a date.

    `days` is never empty: a feed is written only beside digests.
    """
    feed = etree.Element(_FEED, nsmap={None: ATOM})
    _add_text(feed, _ID, f"urn:arxiv-digest:{quote(topic)}")
    _add_text(feed, _TITLE, f"arXiv digest · {topic}")
    _add_text(feed, _SUBTITLE, f"New arXiv papers on {topic}, one digest per announcement.")
    _add_text(feed, _UPDATED, max(day.announced for day in days).isoformat())
    _add_text(feed, _GENERATOR, "arxiv-digest")
    if digest_url:
        base = f"{digest_url.rstrip('/')}/{quote(topic)}"
        etree.SubElement(feed, _LINK, href=f"{base}/README.md", rel="alternate")
        etree.SubElement(feed, _LINK, href=f"{base}/{FEED_NAME}", rel="self")
    for day in days:
        updated = day.announced.isoformat()
        for paper in day.papers:
            _add_entry(feed, _xml_safe(paper), entry_id(paper.id, day.date), updated)
    return bytes(etree.tostring(feed, encoding="UTF-8", xml_declaration=True, pretty_print=True))


def _add_entry(feed: etree._Element, paper: FeedPaper, identifier: str, updated: str) -> None:
    entry = etree.SubElement(feed, _ENTRY)
    _add_text(entry, _ID, identifier)
    _add_text(entry, _TITLE, paper.title)
    _add_text(entry, _UPDATED, updated)
    for name in paper.authors:
        _add_text(etree.SubElement(entry, _AUTHOR), _NAME, name)
    etree.SubElement(entry, _LINK, href=f"https://arxiv.org/abs/{paper.id}", rel="alternate")
    for kind, url in paper.links:
        etree.SubElement(entry, _LINK, href=url, rel="related", title=kind)
    _add_text(entry, _SUMMARY, paper.abstract)
    for category in paper.categories:
        etree.SubElement(entry, _CATEGORY, term=category)


def _add_text(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, tag).text = text


_FEED, _ENTRY, _ID, _TITLE, _SUBTITLE, _UPDATED, _GENERATOR, _LINK, _AUTHOR, _NAME, _SUMMARY, _CATEGORY = (
    f"{{{ATOM}}}{tag}"
    for tag in (
        "feed", "entry", "id", "title", "subtitle", "updated", "generator", "link", "author", "name", "summary",
        "category",
    )
)  # fmt: skip
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry at all (control characters, say from a pasted abstract): dropped."""


def _xml_safe(paper: FeedPaper) -> FeedPaper:
    """The paper with every character XML cannot carry dropped; one scan when there is none, as almost always."""
    texts = [paper.title, paper.abstract, *paper.authors, *paper.categories, *(url for _, url in paper.links)]
    if not _NOT_XML.search("".join(texts)):
        return paper
    return FeedPaper(
        id=paper.id,
        title=_NOT_XML.sub("", paper.title),
        authors=[_NOT_XML.sub("", name) for name in paper.authors],
        abstract=_NOT_XML.sub("", paper.abstract),
        categories=[_NOT_XML.sub("", category) for category in paper.categories],
        links=[(kind, _NOT_XML.sub("", url)) for kind, url in paper.links],
    )
