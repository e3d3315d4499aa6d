"""The RSS listing: parsing arXiv's feed, and fetching it (combined, capped, empty, truncated)."""

from __future__ import annotations

from datetime import date

import pytest

from digest.core.config import Settings, Topic
from digest.core.errors import FetchError, IncompleteResponse
from digest.core.plan import Rules
from digest.selection.select import select_topic
from digest.sources.http import ArxivHttp
from digest.sources.rss import ListedItem, Listing, fetch_latest_listing, parse_listing, split_creators
from tests.support.arxiv_server import ArxivServer
from tests.support.scripted_server import Scripted, ScriptedServer
from tests.support.world import World, golden_world

CHANNEL = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:atom="http://www.w3.org/2005/Atom" version="2.0">
  <channel>
    <title>cs.AI, cs.CL updates on arXiv.org</title>
    <link>http://rss.arxiv.org/rss/cs.AI+cs.CL</link>
    <description>cs.AI, cs.CL updates on the arXiv.org e-print archive.</description>
    <language>en-us</language>
    <lastBuildDate>Tue, 14 Oct 2025 04:31:02 +0000</lastBuildDate>
    <pubDate>{pub_date}</pubDate>
    {items}
  </channel>
</rss>
"""

ITEM = """<item>
      <title>{title}</title>
      <link>https://arxiv.org/abs/{id}</link>
      <description>arXiv:{id}v{version} Announce Type: {announce}
Abstract: {abstract}</description>
      <guid isPermaLink="false">oai:arXiv.org:{id}v{version}</guid>
      {categories}
      <pubDate>Tue, 14 Oct 2025 00:00:00 -0400</pubDate>
      <arxiv:announce_type>{announce}</arxiv:announce_type>
      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>
      <dc:creator>{creator}</dc:creator>
    </item>"""


def item(
    paper_id: str = "2510.09595",
    *,
    version: int = 1,
    announce: str = "new",
    categories: tuple[str, ...] = ("cs.CL", "cs.AI"),
    title: str = "LiveOIBench: Can Large\n   Language Models Outperform Human Contestants?",
    abstract: str = "Competitive programming problems\nincreasingly serve as benchmarks.",
    creator: str = "Kaijian Zou, Aaron Xiong, Yunxiang Zhang",
) -> str:
    tags = "\n      ".join(f"<category>{category}</category>" for category in categories)
    return ITEM.format(
        id=paper_id,
        version=version,
        announce=announce,
        categories=tags,
        title=title,
        abstract=abstract,
        creator=creator,
    )


def feed(*items: str, pub_date: str = "Tue, 14 Oct 2025 00:00:00 -0400") -> bytes:
    return CHANNEL.format(pub_date=pub_date, items="\n    ".join(items)).encode()


def only_item(body: bytes) -> ListedItem:
    listing = parse_listing(body)
    assert len(listing.items) == 1
    return listing.items[0]


def test_item_fields_are_parsed_and_normalised() -> None:
    assert only_item(feed(item())) == ListedItem(
        id="2510.09595",
        version=1,
        announce_type="new",
        categories=["cs.CL", "cs.AI"],
        title="LiveOIBench: Can Large Language Models Outperform Human Contestants?",
        authors=["Kaijian Zou", "Aaron Xiong", "Yunxiang Zhang"],
        abstract="Competitive programming problems increasingly serve as benchmarks.",
    )


@pytest.mark.parametrize("announce", ["new", "replace", "cross", "replace-cross"])
def test_announce_types_are_kept(announce: str) -> None:
    assert only_item(feed(item(announce=announce))).announce_type == announce


def test_an_unknown_announce_type_fails_naming_it() -> None:
    with pytest.raises(FetchError) as failed:
        parse_listing(feed(item(), item("2510.09596", announce="withdrawn")))
    assert str(failed.value) == (
        "arXiv RSS item 2510.09596 has announce type 'withdrawn'; arxiv-digest knows new, cross, replace and "
        "replace-cross (and skips absonly): use --source oai for this batch"
    )


def test_an_item_without_an_announce_type_fails_naming_it() -> None:
    body = feed(item()).replace(b"<arxiv:announce_type>new</arxiv:announce_type>", b"")
    with pytest.raises(FetchError, match=r"^arXiv RSS item 2510.09595 has no announce type; "):
        parse_listing(body)


def test_a_metadata_only_update_is_no_announcement_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    listing = parse_listing(feed(item(), item("2510.09596", version=2, announce="absonly")))
    assert [listed.id for listed in listing.items] == ["2510.09595"]
    assert "RSS item 2510.09596v2 is a metadata-only update (absonly), not an announcement: skipped" in caplog.text


def test_version_comes_from_the_guid() -> None:
    parsed = only_item(feed(item(version=3, announce="replace")))
    assert (parsed.id, parsed.version) == ("2510.09595", 3)


def test_categories_keep_the_listed_order_primary_first() -> None:
    parsed = only_item(feed(item(categories=("cs.LG", "cs.CL", "cs.AI"))))
    assert parsed.categories == ["cs.LG", "cs.CL", "cs.AI"]


def test_paper_record_has_primary_first_then_alphabetical() -> None:
    paper = only_item(feed(item(categories=("cs.LG", "cs.CL", "cs.AI")))).to_paper()
    assert paper.categories == ["cs.LG", "cs.AI", "cs.CL"]
    assert paper.primary_category == "cs.LG"
    assert (paper.id, paper.version, paper.announce_type) == ("2510.09595", 1, "new")


def test_abstract_is_the_text_after_the_abstract_marker() -> None:
    parsed = only_item(feed(item(abstract="We study   things.\n  Abstract: nested marker stays.")))
    assert parsed.abstract == "We study things. Abstract: nested marker stays."


def test_text_that_looks_like_markup_is_kept_as_written() -> None:
    parsed = only_item(
        feed(item(title="The &lt;ACT&gt; Token &amp; x &amp;lt; y", abstract="if a &lt;b and c&gt; d then &lt;/s&gt;"))
    )
    assert parsed.title == "The <ACT> Token & x &lt; y"
    assert parsed.abstract == "if a <b and c> d then </s>"


def test_authors_drop_parenthesised_affiliations() -> None:
    creators = "Ana Ruiz (MIT, USA), Bo Li (Dept. of CS (AI Lab), Tsinghua), Chen Wu"
    assert split_creators(creators) == ["Ana Ruiz", "Bo Li", "Chen Wu"]


def test_authors_split_on_a_final_and() -> None:
    assert split_creators("Ana Ruiz, Bo Li, and Chen Wu") == ["Ana Ruiz", "Bo Li", "Chen Wu"]
    assert split_creators("Ana Ruiz and Bo Li") == ["Ana Ruiz", "Bo Li"]


def test_authors_decode_latex_accents_to_the_unicode_the_api_prints() -> None:
    creators = 'Joonas J\\"alk\\"o, Aur\\\'elie Joseph and Rub\\`en Tito, {\\O}yvind M{\\"u}ller'
    assert split_creators(creators) == ["Joonas Jälkö", "Aurélie Joseph", "Rubèn Tito", "Øyvind Müller"]


def test_authors_keep_as_written_what_latex_decoding_cannot_read() -> None:
    creators = "Ana \\unknownmacro Ruiz, 100% Team, Bo $^{1}$ Li"
    assert split_creators(creators) == ["Ana \\unknownmacro Ruiz", "100% Team", "Bo $^{1}$ Li"]


def test_an_authors_rule_matches_a_latex_name_from_the_feed() -> None:
    listed = only_item(feed(item(creator='Joonas J\\"alk\\"o, Bo Li'))).to_paper()
    topic = Topic(authors=["Joonas Jälkö"])
    assert [paper.id for paper in select_topic([listed], topic, {"cs.CL", "cs.AI"}, Rules())] == ["2510.09595"]


def test_mailing_date_is_the_pub_date_in_new_york() -> None:
    assert parse_listing(feed(item())).mailing_date == date(2025, 10, 14)
    assert parse_listing(feed(item(), pub_date="Tue, 14 Oct 2025 04:00:00 +0000")).mailing_date == date(2025, 10, 14)
    assert parse_listing(feed(item(), pub_date="Tue, 14 Oct 2025 03:59:00 +0000")).mailing_date == date(2025, 10, 13)


def test_a_feed_without_items_is_an_empty_listing() -> None:
    assert parse_listing(feed(pub_date="Sat, 18 Oct 2025 00:00:00 -0400")) == Listing(date(2025, 10, 18), [])


def test_a_truncated_feed_is_incomplete() -> None:
    body = feed(item("2510.00001"), item("2510.00002"))
    with pytest.raises(IncompleteResponse, match="unparsable feed"):
        parse_listing(body[: len(body) // 2])


def test_an_empty_body_is_incomplete() -> None:
    with pytest.raises(IncompleteResponse, match="empty body"):
        parse_listing(b"  \n")


def test_an_html_error_page_is_incomplete() -> None:
    with pytest.raises(IncompleteResponse, match=r"unparsable feed|not an RSS feed"):
        parse_listing(b"<html><body><h1>Service Unavailable</h1></body></html>")


def make_settings(**overrides: float) -> Settings:
    values: dict[str, float] = {"request_interval": 0.01, "retry_backoff": 0.01, "max_tries": 3, "request_timeout": 10}
    values.update(overrides)
    return Settings.model_validate(values)


def make_http(**overrides: float) -> ArxivHttp:
    return ArxivHttp(make_settings(**overrides))


def test_one_request_covers_every_category() -> None:
    with ScriptedServer([Scripted(body=feed(item()))]) as server, make_http() as http:
        listing = fetch_latest_listing(http, server.url + "rss/", ["cs.AI", "cs.CL", "cs.CV"], item_cap=2000)
    assert server.paths == ["/rss/cs.AI+cs.CL+cs.CV"]
    assert [paper.id for paper in listing.items] == ["2510.09595"]
    assert http.stats == {"rss": 1, "total": 1}


def test_weekend_feed_without_items_is_an_empty_listing() -> None:
    weekend = feed(pub_date="Sat, 18 Oct 2025 00:00:00 -0400")
    with ScriptedServer([Scripted(body=weekend)]) as server, make_http() as http:
        listing = fetch_latest_listing(http, server.url + "rss/", ["cs.AI"], item_cap=2000)
    assert listing == Listing(date(2025, 10, 18), [])


def test_truncated_feed_is_retried() -> None:
    body = feed(item("2510.00001"), item("2510.00002"))
    with (
        ScriptedServer([Scripted(body=body[:900]), Scripted(body=body)]) as server,
        make_http() as http,
    ):
        listing = fetch_latest_listing(http, server.url + "rss/", ["cs.AI"], item_cap=2000)
    assert [paper.id for paper in listing.items] == ["2510.00001", "2510.00002"]
    assert len(server.paths) == 2


def test_truncated_feed_every_time_fails_after_max_tries() -> None:
    body = feed(item("2510.00001"), item("2510.00002"))
    with (
        ScriptedServer([Scripted(body=body[:900])]) as server,
        make_http(max_tries=3) as http,
        pytest.raises(FetchError, match=r"^arXiv RSS did not answer after 3 tries \(incomplete response: unparsable"),
    ):
        fetch_latest_listing(http, server.url + "rss/", ["cs.AI"], item_cap=2000)
    assert len(server.paths) == 3


def capped_world(path: str) -> Scripted:
    """Three papers: the combined feed hits a cap of 3; per-category feeds list cross-lists as `cross`."""
    shared_new = item("2510.00001", categories=("cs.AI", "cs.CL"))
    shared_cross = item("2510.00001", categories=("cs.AI", "cs.CL"), announce="cross")
    only_ai = item("2510.00002", categories=("cs.AI",), announce="replace", version=2)
    only_cl = item("2510.00003", categories=("cs.CL",))
    feeds = {
        "/rss/cs.AI+cs.CL": feed(shared_new, only_ai, only_cl),
        "/rss/cs.CL+cs.AI": feed(shared_new, only_cl, only_ai),
        "/rss/cs.AI": feed(shared_new, only_ai),
        "/rss/cs.CL": feed(shared_cross, only_cl),
    }
    return Scripted(body=feeds[path]) if path in feeds else Scripted(404)


def test_capped_feed_is_replaced_by_per_category_feeds_merged_by_id() -> None:
    with ScriptedServer(capped_world) as server, make_http() as http:
        listing = fetch_latest_listing(http, server.url + "rss/", ["cs.AI", "cs.CL"], item_cap=3)
    assert server.paths == ["/rss/cs.AI+cs.CL", "/rss/cs.AI", "/rss/cs.CL"]
    assert [(paper.id, paper.announce_type) for paper in listing.items] == [
        ("2510.00001", "new"),
        ("2510.00002", "replace"),
        ("2510.00003", "new"),
    ]
    assert listing.mailing_date == date(2025, 10, 14)


def test_cross_listing_seen_first_is_upgraded_to_new_when_merging() -> None:
    with ScriptedServer(capped_world) as server, make_http() as http:
        listing = fetch_latest_listing(http, server.url + "rss/", ["cs.CL", "cs.AI"], item_cap=3)
    assert server.paths == ["/rss/cs.CL+cs.AI", "/rss/cs.CL", "/rss/cs.AI"]
    shared = next(paper for paper in listing.items if paper.id == "2510.00001")
    assert shared.announce_type == "new"


def test_a_single_category_feed_at_the_cap_fails() -> None:
    with (
        ScriptedServer(capped_world) as server,
        make_http() as http,
        pytest.raises(FetchError, match=r"feed for cs.AI reached its 2-item cap"),
    ):
        fetch_latest_listing(http, server.url + "rss/", ["cs.AI"], item_cap=2)


# Against the local arXiv server (tests/support/arxiv_server.py) and the golden world.

SUBSCRIBED = ["cs.AI", "cs.CL", "cs.CV", "cs.LG", "cs.MA", "cs.RO"]


@pytest.fixture(scope="module")
def world() -> World:
    return golden_world(["2025-10-13"])


def test_latest_listing_is_the_current_mailing(world: World) -> None:
    with ArxivServer(world) as server, make_http() as http:
        listing = fetch_latest_listing(http, server.rss_url, SUBSCRIBED, item_cap=2000)
    mailed = world.mailings[date(2025, 10, 14)]
    assert listing.mailing_date == date(2025, 10, 14)
    assert [(item.id, item.announce_type) for item in listing.items] == mailed
    assert server.count("rss") == 1


def test_listing_keeps_the_served_categories_and_text(world: World) -> None:
    with ArxivServer(world) as server, make_http() as http:
        listing = fetch_latest_listing(http, server.rss_url, SUBSCRIBED, item_cap=2000)
    for item in listing.items:
        served = world.papers[item.id]
        assert item.categories == served.categories
        assert item.title == served.title
        assert item.abstract == served.abstract
        assert item.version == len(served.versions)


def test_server_capped_feed_falls_back_to_per_category_feeds(world: World) -> None:
    with ArxivServer(world, rss_item_cap=300) as server, make_http() as http:
        listing = fetch_latest_listing(http, server.rss_url, ["cs.AI", "cs.CL", "cs.LG"], item_cap=300)
    assert [request.path for request in server.requests] == [
        "/rss/cs.AI+cs.CL+cs.LG",
        "/rss/cs.AI",
        "/rss/cs.CL",
        "/rss/cs.LG",
    ]
    expected = {
        paper_id
        for paper_id, _ in world.mailings[date(2025, 10, 14)]
        if {"cs.AI", "cs.CL", "cs.LG"} & set(world.papers[paper_id].categories)
    }
    assert len(expected) > 300
    assert {item.id for item in listing.items} == expected
    assert len(listing.items) == len(expected)


def test_server_weekend_mailing_is_an_empty_listing(world: World) -> None:
    with ArxivServer(world) as server, make_http() as http:
        server.current_mailing = date(2025, 10, 18)
        listing = fetch_latest_listing(http, server.rss_url, SUBSCRIBED, item_cap=2000)
    assert listing == Listing(date(2025, 10, 18), [])


def test_server_truncated_feed_is_retried(world: World) -> None:
    with ArxivServer(world) as server, make_http() as http:
        server.inject("rss", "truncated")
        listing = fetch_latest_listing(http, server.rss_url, SUBSCRIBED, item_cap=2000)
    assert len(listing.items) == len(world.mailings[date(2025, 10, 14)])
    assert server.count("rss") == 2


def test_server_hang_is_timed_out_and_retried(world: World) -> None:
    with ArxivServer(world) as server, make_http(request_timeout=0.2) as http:
        server.hang_seconds = 0.6
        server.inject("rss", "hang")
        listing = fetch_latest_listing(http, server.rss_url, SUBSCRIBED, item_cap=2000)
    assert len(listing.items) == len(world.mailings[date(2025, 10, 14)])
    assert http.stats["rss"] == 2


def test_server_429_waits_as_retry_after_says(world: World) -> None:
    waits: list[float] = []
    with ArxivServer(world) as server:
        server.inject("rss", "429")
        http = ArxivHttp(make_settings(), sleep=waits.append)
        with http:
            fetch_latest_listing(http, server.rss_url, SUBSCRIBED, item_cap=2000)
    assert 1.0 in waits
    assert [request.status for request in server.requests] == [429, 200]


def test_server_always_503_fails_after_max_tries(world: World) -> None:
    with (
        ArxivServer(world) as server,
        make_http(max_tries=4) as http,
        pytest.raises(FetchError, match=r"^arXiv RSS did not answer after 4 tries \(HTTP 503\): http://127\.0\.0\.1"),
    ):
        server.inject("rss", "always-503")
        fetch_latest_listing(http, server.rss_url, SUBSCRIBED, item_cap=2000)
    assert server.count("rss") == 4
