"""Atom feeds: every golden day's digest as feed entries, read back with feedparser as a feed reader would."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from pathlib import Path

import feedparser
import pytest

from digest.core.calendar import announcement_in_force, announcement_time, load_holidays
from digest.core.models import FeedPaper, Paper
from digest.outputs.feed import FeedDay, FeedHead, assemble_feed, entry_id, feed_dates, render_entries
from digest.store.database import Store
from tests.support.golden import DAYS, golden_papers
from tests.support.recipes import render_golden_day as render
from tests.support.recipes import save_records

HEAD = FeedHead("urn:uuid:00000000-0000-4000-8000-000000000000", "arXiv digest · MLLM", "New papers", None, None)


@pytest.fixture
def rendered(golden_archive: Path) -> Path:
    return golden_archive


def listed_ids(digest: Path) -> list[str]:
    return [
        line.split("(https://arxiv.org/abs/")[1].split(")")[0]
        for line in digest.read_text(encoding="utf-8").splitlines()
        if line.startswith("- **[")
    ]


def announced(day: str) -> datetime:
    return announcement_time(announcement_in_force(date.fromisoformat(day), load_holidays()))


@functools.cache
def parsed(feed: Path) -> feedparser.FeedParserDict:
    return feedparser.parse(feed.read_bytes())


@pytest.mark.parametrize("day", DAYS)
def test_each_golden_days_feed_entries_are_its_digests_papers_in_order(rendered: Path, day: str) -> None:
    for digest in sorted(rendered.glob(f"*/{day}.md")):
        feed = parsed(digest.parent / "feed.xml")
        assert not feed.bozo, feed.bozo_exception
        of_the_date = [entry.id for entry in feed.entries if entry.updated == announced(day).isoformat()]
        listed = [entry_id(paper_id) for paper_id in listed_ids(digest)]
        assert of_the_date == [identifier for identifier in listed if identifier in of_the_date]
        assert set(listed) <= {entry.id for entry in feed.entries}


def test_feed_entries_are_ordered_newest_date_first(rendered: Path) -> None:
    feed = parsed(rendered / "MLLM" / "feed.xml")
    times = [entry.updated_parsed for entry in feed.entries]
    assert times == sorted(times, reverse=True)
    assert feed.feed.updated == announced(DAYS[-1]).isoformat()


def test_an_entry_carries_the_whole_record_not_the_markdown(rendered: Path) -> None:
    day = "2025-10-13"
    paper = next(
        p for p in golden_papers(day) if len(p.authors) > 6 and p.id in listed_ids(rendered / "MLLM" / f"{day}.md")
    )
    feed = parsed(rendered / "MLLM" / "feed.xml")
    entry = next(e for e in feed.entries if e.id == entry_id(paper.id))
    assert entry.title == paper.title
    assert entry.link == f"https://arxiv.org/abs/{paper.id}"
    assert [author.name for author in entry.authors] == paper.authors
    assert entry.summary == paper.abstract
    assert [tag.term for tag in entry.tags] == paper.categories
    assert entry.updated == "2025-10-14T00:00:00+00:00"


def test_the_feed_carries_text_as_it_is_xml_escaped_without_the_markdown_neutralisation() -> None:
    paper = FeedPaper("2510.00001", "Tokens <ACT> & `code`", ["A <B>"], "x < y and <ACT> tokens", ["cs.CL"])
    day = FeedDay(date(2025, 10, 13), datetime(2025, 10, 14, tzinfo=UTC), [paper])
    xml = b"".join(assemble_feed(HEAD, day.announced, [render_entries(day)]))
    assert b"Tokens &lt;ACT&gt; &amp; `code`" in xml
    entry = feedparser.parse(xml).entries[0]
    assert entry.title == "Tokens <ACT> & `code`"
    assert entry.summary == "x < y and <ACT> tokens"


def test_code_links_are_related_links_of_the_entry() -> None:
    paper = FeedPaper("2510.00001", "T", ["A"], "abstract", ["cs.CV"], [("code", "https://github.com/a/b")])
    day = FeedDay(date(2025, 10, 13), datetime(2025, 10, 14, tzinfo=UTC), [paper])
    xml = b"".join(assemble_feed(HEAD, day.announced, [render_entries(day)]))
    links = feedparser.parse(xml).entries[0].links
    assert {"href": "https://github.com/a/b", "rel": "related", "title": "code"} in [
        {key: link[key] for key in ("href", "rel", "title") if key in link} for link in links
    ]


def test_rendering_again_gives_identical_feed_bytes(tmp_path: Path) -> None:
    output = tmp_path / "output"
    env = {"DIGEST_CACHE_DIR": str(tmp_path / "cache")}
    render(output, "2025-10-13", env)
    first = (output / "MLLM" / "feed.xml").read_bytes()
    render(output, "2025-10-13", env)
    assert (output / "MLLM" / "feed.xml").read_bytes() == first


def test_feed_days_keeps_only_the_digests_near_the_newest(tmp_path: Path) -> None:
    output = tmp_path / "output"
    env = {"DIGEST_CACHE_DIR": str(tmp_path / "cache"), "DIGEST_FEED_DAYS": "2"}
    for day in ("2025-07-23", "2025-07-24", "2025-08-18"):
        render(output, day, env)
    feed = feedparser.parse((output / "MLLM" / "feed.xml").read_bytes())
    assert {entry.updated for entry in feed.entries} == {announced("2025-08-18").isoformat()}


def test_feed_dates_are_within_feed_days_of_the_newest_newest_first() -> None:
    dates = [date(2025, 10, 1), date(2025, 10, 30), date(2025, 10, 31), date(2025, 10, 2)]
    assert feed_dates(dates, 30) == [date(2025, 10, 31), date(2025, 10, 30), date(2025, 10, 2)]
    assert feed_dates(dates, 1) == [date(2025, 10, 31)]


def test_feeds_off_writes_no_feed_and_the_overview_links_none(tmp_path: Path) -> None:
    output = tmp_path / "output"
    render(output, "2025-10-13", {"DIGEST_CACHE_DIR": str(tmp_path / "cache"), "DIGEST_FEEDS": "false"})
    assert not list(output.rglob("feed.xml"))
    assert "feed.xml" not in (output / "README.md").read_text()


def test_the_overview_links_each_topics_feed(rendered: Path) -> None:
    overview = (rendered / "README.md").read_text()
    assert "| [Atom](MLLM/feed.xml) |" in overview


def test_a_paper_the_store_lost_is_read_back_from_the_digest(tmp_path: Path) -> None:
    output, cache = tmp_path / "output", tmp_path / "cache"
    render(output, "2025-10-13", {"DIGEST_CACHE_DIR": str(cache)})
    before = feedparser.parse((output / "MLLM" / "feed.xml").read_bytes()).entries
    (cache / "digest.sqlite3").unlink()
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    render(output, "2025-10-12", {"DIGEST_CACHE_DIR": str(cache)}, records=empty)
    after = feedparser.parse((output / "MLLM" / "feed.xml").read_bytes()).entries
    assert [entry.id for entry in after] == [entry.id for entry in before]
    assert [entry.title for entry in after] == [entry.title for entry in before]


def test_digest_code_links_appear_only_when_asked(tmp_path: Path) -> None:
    paper = Paper(
        id="2510.99999",
        title="A Vision Language Model",
        authors=["A. Author"],
        abstract="We build a VLM. Code: https://github.com/lab/vlm.",
        categories=["cs.CV"],
    )
    records = tmp_path / "one.jsonl"
    save_records([paper], records)
    plain, linked = tmp_path / "plain", tmp_path / "linked"
    render(plain, "2025-10-13", {"DIGEST_CACHE_DIR": str(tmp_path / "c1")}, records=records)
    render(linked, "2025-10-13", {"DIGEST_CACHE_DIR": str(tmp_path / "c2"), "DIGEST_CODE_LINKS": "true"}, records)
    assert "[`code`]" not in (plain / "MLLM" / "2025-10-13.md").read_text()
    line = (linked / "MLLM" / "2025-10-13.md").read_text().splitlines()[15]
    assert line.startswith(
        "- **[A Vision Language Model](https://arxiv.org/abs/2510.99999)**  `arXiv:2510.99999` "
        "[`code`](https://github.com/lab/vlm)  `cs.CV`"
    )


def test_a_record_saved_again_rebuilds_its_dates_entries_and_only_that(tmp_path: Path) -> None:
    output, cache = tmp_path / "output", tmp_path / "cache"
    env = {"DIGEST_CACHE_DIR": str(cache), "DIGEST_FEED_DAYS": "100"}
    render(output, "2025-10-13", env)
    render(output, "2025-11-11", env)
    listed = listed_ids(output / "MLLM" / "2025-10-13.md")[0]
    with Store.open(cache / "digest.sqlite3") as store:
        (record,) = store.load_papers([listed])
        store.save_papers([record.model_copy(update={"title": "A Title Corrected by the API"})])
    render(output, "2025-11-11", env)
    entries = {entry.id: entry.title for entry in feedparser.parse((output / "MLLM" / "feed.xml").read_bytes()).entries}
    assert entries[entry_id(listed)] == "A Title Corrected by the API"
