"""The SQLite store: records by id and version, batches as saved, harvest pages with their token."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from digest.core.config import CategoryRule
from digest.core.errors import DigestError
from digest.selection.match import in_subscribed_categories
from digest.store.database import Store
from digest.store.migrations import SCHEMA_VERSION
from digest.store.papers import CategoryTest, Clues
from tests.support.papers import paper

MONDAY = date(2025, 10, 13)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "cache" / "digest.sqlite3")


def test_a_paper_round_trips(store: Store) -> None:
    store.save_papers([paper(comment="10 pages")])
    assert store.load_papers(["2510.00001"]) == [paper(comment="10 pages")]


def test_the_latest_version_is_loaded(store: Store) -> None:
    store.save_papers([paper(version=1, title="Old"), paper(version=2, title="New")])
    assert [p.title for p in store.load_papers(["2510.00001"])] == ["New"]


def test_a_batch_loads_the_saved_records_in_order_with_announce_types(store: Store) -> None:
    store.save_papers([paper("2510.00002"), paper("2510.00001", version=2)])
    store.save_batch(MONDAY, "rss", [("2510.00002", 1, "new"), ("2510.00001", 2, "replace")])
    loaded = store.load_batch(MONDAY)
    assert loaded is not None
    assert [(p.id, p.version, p.announce_type) for p in loaded] == [
        ("2510.00002", 1, "new"),
        ("2510.00001", 2, "replace"),
    ]
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT source FROM batches").fetchall() == [("rss",)]


def test_a_batch_loads_only_the_papers_whose_categories_pass_only_in_saved_order(store: Store) -> None:
    store.save_papers(
        [
            paper(f"2510.0000{number}", categories=categories, primary_category=categories[0])
            for number, categories in enumerate([["cs.CV"], ["cs.CV", "eess.IV"], ["cs.AI"], ["cs.CV"]])
        ]
    )
    store.save_batch(MONDAY, "oai", [(f"2510.0000{number}", 1, "new") for number in (3, 2, 1, 0)])
    only = CategoryTest({"cs.AI", "cs.CV"}, {"all"})
    assert [p.id for p in store.load_batch(MONDAY, only) or []] == ["2510.00003", "2510.00002", "2510.00000"]


CROSS_LISTED = (["cs.CV", "eess.IV"], "cs.CV")
CROSS_IN = (["eess.IV", "cs.CV"], "eess.IV")
INSIDE = (["cs.AI", "cs.CV"], None)  # no primary stored: the first category stands for it


@pytest.mark.parametrize("rules", [["all"], ["primary"], ["any"], ["all", "primary"], []])
def test_the_category_test_keeps_the_papers_some_of_its_category_rules_passes(
    store: Store, rules: list[CategoryRule]
) -> None:
    listed = [CROSS_LISTED, CROSS_IN, INSIDE]
    store.save_papers([paper(f"2510.0000{n}", categories=c, primary_category=p) for n, (c, p) in enumerate(listed)])
    store.save_batch(MONDAY, "oai", [(f"2510.0000{number}", 1, "new") for number in range(3)])
    subscribed = {"cs.AI", "cs.CV"}
    expected = [
        f"2510.0000{n}"
        for n, (c, p) in enumerate(listed)
        if any(in_subscribed_categories(c, subscribed, rule, p) for rule in rules)
    ]
    assert [p.id for p in store.load_batch(MONDAY, CategoryTest(subscribed, rules)) or []] == expected


def test_a_batch_loads_only_the_papers_whose_texts_pass_holding(store: Store) -> None:
    store.save_papers([paper("2510.00001", title="A VLM"), paper("2510.00002"), paper("2510.00003", comment="VLM")])
    store.save_batch(MONDAY, "oai", [(f"2510.0000{number}", 1, "new") for number in (1, 2, 3)])

    def holding(title: str, abstract: str, comment: str | None) -> Clues:
        return {("title", "abstract", "comment"): {"vlm"} if "VLM" in f"{title} {abstract} {comment}" else set()}

    assert [p.id for p in store.load_batch(MONDAY, holding=holding) or []] == ["2510.00001", "2510.00003"]


def test_a_batch_comes_with_the_clues_holding_found_in_each_paper_it_loaded(store: Store) -> None:
    store.save_papers([paper("2510.00001", title="A VLM"), paper("2510.00002")])
    store.save_batch(MONDAY, "oai", [("2510.00001", 1, "new"), ("2510.00002", 1, "new")])

    def holding(title: str, abstract: str, comment: str | None) -> Clues:
        return {("title",): {"vlm"} if "VLM" in title else set()}

    loaded = store.load_batch(MONDAY, holding=holding)
    assert loaded is not None
    assert loaded.clues == {("2510.00001", 1): {("title",): {"vlm"}}}


def test_a_batch_is_replaced_whole(store: Store) -> None:
    store.save_papers([paper("2510.00001"), paper("2510.00002")])
    store.save_batch(MONDAY, "rss", [("2510.00001", 1, "new")])
    store.save_batch(MONDAY, "oai", [("2510.00002", 1, "new")])
    assert [p.id for p in store.load_batch(MONDAY) or []] == ["2510.00002"]


def test_no_stored_batch_is_none(store: Store) -> None:
    assert store.load_batch(MONDAY) is None
    assert not store.has_batch(MONDAY)


def test_an_empty_batch_is_not_kept_as_a_fact(store: Store) -> None:
    store.save_batch(MONDAY, "oai", [("2510.00001", 1, "new")])
    store.save_batch(MONDAY, "api", [])
    assert store.load_batch(MONDAY) is None
    assert not store.has_batch(MONDAY)


def test_an_empty_batch_saved_by_an_older_version_is_not_trusted(store: Store, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "cache" / "digest.sqlite3") as db:
        db.execute("INSERT INTO batches VALUES (?, ?)", (MONDAY.isoformat(), "rss"))
    assert store.load_batch(MONDAY) is None
    assert store.latest_batch_before(MONDAY + timedelta(days=1)) is None


def test_the_previous_batch_and_its_ids_are_found(store: Store) -> None:
    store.save_papers([paper()])
    store.save_batch(date(2025, 10, 9), "rss", [("2510.00001", 1, "new")])
    assert store.latest_batch_before(MONDAY) == (date(2025, 10, 9), {"2510.00001"})
    assert store.latest_batch_before(date(2025, 10, 9)) is None


def test_a_new_file_gets_the_current_schema_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "digest.sqlite3"
    Store.open(path).close()
    with Store.open(path) as store:
        store.save_papers([paper()])
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "digest.sqlite3"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(DigestError, match="newer than this arxiv-digest knows"):
        Store.open(path)


def test_a_harvest_page_and_its_token_are_saved_together(store: Store) -> None:
    harvest = store.load_harvest("cs", date(2025, 10, 1))
    assert not harvest.started
    harvest.token, harvest.records = "token-1", 500
    store.save_harvest_page(harvest, [paper()], [("2510.00001", 1, datetime(2025, 10, 10, 12, tzinfo=UTC))])
    assert store.load_harvest("cs", date(2025, 10, 1)) == harvest


def test_a_page_that_fails_to_save_leaves_the_token_where_it_was(store: Store) -> None:
    harvest = store.load_harvest("cs", date(2025, 10, 1))
    harvest.token = "token-1"
    with pytest.raises(ValueError, match="time-zone aware"):
        store.save_harvest_page(harvest, [paper()], [("2510.00001", 1, datetime(2025, 10, 10, 12))])
    assert store.load_harvest("cs", date(2025, 10, 1)).token is None
    assert store.load_papers(["2510.00001"]) == []


def test_versions_in_a_window_include_the_start_and_exclude_the_end(store: Store) -> None:
    start, end = datetime(2025, 10, 10, 18, tzinfo=UTC), datetime(2025, 10, 13, 18, tzinfo=UTC)
    harvest = store.load_harvest("cs", date(2025, 10, 1))
    store.save_harvest_page(
        harvest,
        [paper("a"), paper("b"), paper("c")],
        [("a", 1, start), ("b", 2, datetime(2025, 10, 13, 17, 59, tzinfo=UTC)), ("c", 1, end)],
    )
    assert [row[:2] for row in store.versions_submitted_between(start, end)] == [("a", 1), ("b", 2)]


def test_what_each_topics_digest_of_a_date_listed_is_in_id_order_and_empty_for_one_without(store: Store) -> None:
    store.save_listed(MONDAY, {"Vision": ["2510.00003", "2510.00001"], "Speech": ["2510.00002"]})
    store.save_listed(MONDAY + timedelta(days=1), {"Vision": ["2510.00004"]})
    listed = store.load_listed_on(MONDAY, ["Vision", "Robots"])
    assert listed == {"Vision": ["2510.00001", "2510.00003"], "Robots": []}
    assert listed["Vision"] == list(store.load_listed("Vision", MONDAY, MONDAY + timedelta(days=1)))
