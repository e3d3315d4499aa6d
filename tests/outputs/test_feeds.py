"""The archive's feeds: each paper once per feed at its newest listing, ids of the archive's own, a combined
feed of every topic and an OPML list of them all."""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import replace
from datetime import date
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from digest.core.config import Config, Settings, Topic
from digest.core.errors import OutputError
from digest.core.plan import make_plan
from digest.outputs.archive import write_archive
from digest.outputs.feed import entry_id
from digest.outputs.feeds import Listing, listings_of, newest_listings
from digest.recipe import run_for_date
from digest.store.database import Store
from tests.support.papers import listed
from tests.support.recipes import write_day

THURSDAY, FRIDAY, MONDAY, TUESDAY = date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 13), date(2025, 10, 14)


def config(output: Path, **settings: object) -> Config:
    topics = {"Vision": Topic(keywords=["vision"]), "Speech": Topic(keywords=["speech"])}
    return Config(
        category={"cs.CV": "Computer Vision"},
        topic=topics,
        settings=Settings(output_dir=output, cache_dir=output.parent / "cache", **settings),  # type: ignore[arg-type]
    )


def week(output: Path, **settings: object) -> Config:
    """A week's backfill: Friday re-lists Thursday's batch; Monday announces a second version of one paper."""
    made = config(output, **settings)
    thursday = [listed("2510.00001"), listed("2510.00002"), listed("2510.00003", "speech")]
    days = {
        THURSDAY: thursday,
        FRIDAY: thursday,
        MONDAY: [
            listed("2510.00001", version=2, announce_type="replace"),
            listed("2510.00004"),
            listed("2510.00005", "speech vision"),
        ],
        TUESDAY: [listed("2510.00006")],
    }
    for day, papers in days.items():
        write_day(made, day, papers, made.topic)
    return made


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("week") / "output"
    week(output)
    return output


def entries(feed: Path) -> list[feedparser.FeedParserDict]:
    parsed = feedparser.parse(feed.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    etree.fromstring(feed.read_bytes())  # well-formed XML, or this raises
    return list(parsed.entries)


@pytest.mark.parametrize("feed", ["Vision/feed.xml", "Speech/feed.xml", "feed.xml"])
def test_after_a_weeks_backfill_each_feed_validates_and_holds_each_paper_once(archive: Path, feed: str) -> None:
    ids = Counter(entry.id for entry in entries(archive / feed))
    assert ids and max(ids.values()) == 1


def test_a_friday_re_listing_of_the_same_version_adds_nothing(archive: Path) -> None:
    by_id = {entry.id: entry for entry in entries(archive / "Vision" / "feed.xml")}
    assert by_id[entry_id("2510.00002")].updated == "2025-10-10T00:00:00+00:00"  # Thursday's announcement
    assert by_id[entry_id("2510.00002")].title == "A vision paper 2510.00002"


def test_a_new_version_moves_its_entry_to_the_date_that_announced_it_and_says_so(archive: Path) -> None:
    by_id = {entry.id: entry for entry in entries(archive / "Vision" / "feed.xml")}
    updated = by_id[entry_id("2510.00001")]
    assert updated.updated == "2025-10-14T00:00:00+00:00"  # Monday's announcement
    assert updated.title == "A vision paper 2510.00001 (updated: v2)"


def test_the_combined_feed_holds_every_topics_papers_once_with_their_topics(archive: Path) -> None:
    by_id = {entry.id: entry for entry in entries(archive / "feed.xml")}
    assert set(by_id) == {entry_id(f"2510.0000{n}") for n in range(1, 7)}
    both = by_id[entry_id("2510.00005")]
    assert [tag.term for tag in both.tags if tag.scheme == "urn:arxiv-digest:topic"] == ["Speech", "Vision"]


def test_without_a_public_url_no_feed_links_itself_and_ids_are_the_archives_own(archive: Path, tmp_path: Path) -> None:
    other = tmp_path / "output"
    week(other)
    for feed in ["feed.xml", "Vision/feed.xml"]:
        ours, theirs = (feedparser.parse((out / feed).read_bytes()).feed for out in (archive, other))
        assert ours.id.startswith("urn:uuid:") and ours.id != theirs.id
        assert [link for link in ours.get("links", []) if link.rel == "self"] == []


def test_feed_ids_stay_the_same_from_run_to_run(tmp_path: Path) -> None:
    output = tmp_path / "output"
    made = week(output)
    before = (output / "Vision" / "feed.xml").read_bytes()
    write_day(made, TUESDAY, [listed("2510.00006")], made.topic)
    assert (output / "Vision" / "feed.xml").read_bytes() == before


def test_with_feed_url_each_feed_links_itself_there_and_the_opml_lists_them(tmp_path: Path) -> None:
    output = tmp_path / "output"
    week(output, feed_url="https://example.org/digests/")
    vision = feedparser.parse((output / "Vision" / "feed.xml").read_bytes()).feed
    assert vision.id == "https://example.org/digests/Vision/feed.xml"
    assert [link.href for link in vision.links if link.rel == "self"] == [vision.id]
    outlines = etree.fromstring((output / "feeds.opml").read_bytes()).findall("body/outline")
    assert [outline.get("xmlUrl") for outline in outlines] == [
        "https://example.org/digests/feed.xml",
        "https://example.org/digests/Speech/feed.xml",
        "https://example.org/digests/Vision/feed.xml",
    ]


def test_the_site_url_is_the_feeds_public_place_when_no_feed_url_is_set(tmp_path: Path) -> None:
    output = tmp_path / "output"
    week(output, site_url="https://me.github.io/papers")
    combined = feedparser.parse((output / "feed.xml").read_bytes()).feed
    assert [link.href for link in combined.links if link.rel == "self"] == ["https://me.github.io/papers/feed.xml"]


def test_newest_listing_is_the_first_date_of_the_highest_version() -> None:
    chosen = newest_listings(
        [
            (FRIDAY, [Listing("a", 1, False)]),
            (THURSDAY, [Listing("a", 1, False), Listing("b", 1, False)]),
            (MONDAY, [Listing("b", 2, True)]),
        ]
    )
    assert {paper_id: day for paper_id, (day, _) in chosen.items()} == {"a": THURSDAY, "b": MONDAY}


def feed_files(output: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted(output.rglob("feed.xml"))}


def cache_keys(store_path: Path) -> list[tuple[str, str, str]]:
    with closing(sqlite3.connect(store_path)) as store:
        return store.execute("SELECT topic, date, fingerprint FROM feed_entries ORDER BY topic, date").fetchall()


def test_a_paper_two_digests_list_has_one_listing_shared_by_both() -> None:
    shared, own = listed("2510.00001", version=2, announce_type="replace"), listed("2510.00002")
    listings = listings_of({"Vision": [shared, own], "Speech": [shared]})
    assert listings == {
        "Vision": [Listing("2510.00001", 2, True), Listing("2510.00002", 1, False)],
        "Speech": [Listing("2510.00001", 2, True)],
    }
    assert listings["Speech"][0] is listings["Vision"][0]


def test_the_feeds_of_a_runs_own_listings_are_those_its_records_read_back_give(tmp_path: Path) -> None:
    made = config(tmp_path / "output")
    carriage = Topic(keywords=["speech"], filters=["noise\r\nfloor"])  # shown in the digest as it is written
    plan = make_plan(made.model_copy(update={"topic": {**made.topic, "Speech": carriage}}))
    papers = [listed("2510.00001", version=2, announce_type="replace"), listed("2510.00002"), listed("2510.00003")]
    papers.append(listed("2510.00004", "speech"))
    with Store.open(plan.store_path) as store:
        result = run_for_date(MONDAY, papers, plan, store, (MONDAY, "oai"))
        write_archive(plan, store, [result])
        from_memory, keys = feed_files(plan.output_dir), cache_keys(plan.store_path)
        write_archive(plan, store)
    assert b"\r" in (plan.output_dir / "Speech" / f"{MONDAY}.md").read_bytes()
    assert result.listings["Vision"] == [
        Listing("2510.00003", 1, False), Listing("2510.00002", 1, False), Listing("2510.00001", 2, True)
    ]  # fmt: skip
    assert feed_files(plan.output_dir) == from_memory
    assert cache_keys(plan.store_path) == keys


def test_the_feeds_take_a_runs_own_listings_without_parsing_its_records(tmp_path: Path) -> None:
    plan = make_plan(config(tmp_path / "output"))
    with Store.open(plan.store_path) as store:
        result = run_for_date(MONDAY, [listed("2510.00001")], plan, store, (MONDAY, "oai"))
        write_archive(plan, store, [replace(result, listings={"Vision": []})])
    assert entries(plan.output_dir / "Vision" / "feed.xml") == []


def test_a_combined_feed_that_cannot_be_read_is_an_output_error_naming_it(tmp_path: Path) -> None:
    made = config(tmp_path / "output")
    write_day(made, TUESDAY, [listed("2510.00006")], made.topic)
    (tmp_path / "output" / "feed.xml").unlink()
    (tmp_path / "output" / "feed.xml").mkdir()
    plan = make_plan(made)
    with Store.open(plan.store_path) as store, pytest.raises(OutputError) as raised:
        write_archive(plan, store)
    assert str(raised.value) == f"cannot read {tmp_path / 'output' / 'feed.xml'}: Is a directory"
