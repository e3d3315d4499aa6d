"""The site's pages as text: a day record in, its HTML out; the home page and each topic's list of dates.

Pure, like `render`: no disk but the package's own templates. Every href is relative, so the site works
from any folder of any static host (GitHub Pages serves a project under `/<repo>/`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from urllib.parse import quote

import jinja2

from digest.core.words import plural
from digest.outputs.day_record import DayRecord
from digest.outputs.feed import FEED_NAME, OPML_NAME, update_mark

__all__ = [
    "EARLIER_DAYS",
    "STATIC_FILES",
    "DayLink",
    "TopicDates",
    "day_page_name",
    "render_day_page",
    "render_home_page",
    "render_topic_page",
    "static_files",
    "templates_fingerprint",
]

_TEMPLATES = "templates/site"
STATIC_FILES = ("style.css", "site.js")
"""Copied to the site's root as they are."""
EARLIER_DAYS = 3
"""The dates before the latest that the home page links for each topic; its archive page has them all."""

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("digest.outputs", "templates"),
    autoescape=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
_ENVIRONMENT.filters["update_mark"] = update_mark


@dataclass(frozen=True)
class DayLink:
    """One date of a topic: its count, and whether it has a page (a digest without a JSON record has not)."""

    date: date
    count: int
    has_page: bool


@dataclass(frozen=True)
class TopicDates:
    """A topic's dates, newest first."""

    topic: str
    days: Sequence[DayLink]


def day_page_name(day: date) -> str:
    return f"{day.isoformat()}.html"


def static_files() -> dict[str, str]:
    """The stylesheet and the script, by their name in the site."""
    folder = files("digest.outputs").joinpath(_TEMPLATES)
    return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in STATIC_FILES}


def templates_fingerprint() -> str:
    """A hash of every template and static file: a new release that changes one rebuilds every page."""
    folder = files("digest.outputs").joinpath(_TEMPLATES)
    digest = hashlib.sha256()
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


def _head(root: str, topic: str | None, feeds: bool) -> dict[str, object]:
    """What the base template needs on every page: the way back to the root and the feed to offer."""
    feed_href = (FEED_NAME if topic else f"{root}{FEED_NAME}") if feeds else None
    return {
        "root": root,
        "topic": topic,
        "topic_href": "index.html" if topic else None,
        "feed_href": feed_href,
        "feed_title": f"arXiv digest · {topic}" if topic else "arXiv digest · all topics",
    }


def render_day_page(record: DayRecord, previous: DayLink | None, following: DayLink | None, *, feeds: bool) -> str:
    """A topic's page of a date: every paper with its links, abstract and label buttons."""
    stem = record.date.isoformat()
    return _ENVIRONMENT.get_template("site/day.html.j2").render(
        **_head("../", record.topic, feeds),
        title=f"{record.topic} · {stem} · arXiv digest",
        record=record,
        count=plural(len(record.papers), "paper"),
        announced=record.announced.strftime("%Y-%m-%d %H:%M UTC"),
        markdown_href=f"{stem}.md",
        json_href=f"{stem}.json",
        previous=_link(previous),
        next=_link(following),
    )


def render_topic_page(dates: TopicDates, *, feeds: bool) -> str:
    """A topic's archive: every date, newest first, with its count and markdown digest."""
    days = [
        {
            "date": day.date.isoformat(),
            "count": plural(day.count, "paper"),
            "href": day_page_name(day.date) if day.has_page else None,
            "markdown_href": f"{day.date.isoformat()}.md",
        }
        for day in dates.days
    ]
    return _ENVIRONMENT.get_template("site/topic.html.j2").render(
        **_head("../", dates.topic, feeds), title=f"{dates.topic} · arXiv digest", days=days
    )


def render_home_page(archive: Mapping[str, TopicDates], *, feeds: bool) -> str:
    """Each topic's latest date and count, and the way to its earlier dates."""
    rows = []
    for topic in sorted(archive):
        latest = archive[topic].days[0]
        folder = quote(topic)
        rows.append(
            {
                "topic": topic,
                "href": f"{folder}/index.html",
                "latest": latest.date.isoformat(),
                "latest_href": f"{folder}/{day_page_name(latest.date)}" if latest.has_page else None,
                "count": latest.count,
                "dates": plural(len(archive[topic].days), "date"),
                "before": [
                    {"date": day.date.isoformat(), "href": f"{folder}/{day_page_name(day.date)}"}
                    for day in [day for day in archive[topic].days[1:] if day.has_page][:EARLIER_DAYS]
                ],
                "feed_href": f"{folder}/{FEED_NAME}" if feeds else None,
            }
        )
    return _ENVIRONMENT.get_template("site/home.html.j2").render(
        **_head("", None, feeds), title="arXiv digest", topics=rows, opml_href=OPML_NAME
    )


def _link(day: DayLink | None) -> dict[str, str] | None:
    return {"date": day.date.isoformat(), "href": day_page_name(day.date)} if day else None
