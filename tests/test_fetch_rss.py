"""The RSS listing: parsing arXiv's feed, and fetching it (combined, capped, empty, truncated)."""

from __future__ import annotations

from datetime import date

import pytest

from digest.fetch.http import IncompleteResponse
from digest.fetch.rss import ListedItem, Listing, parse_listing, split_creators

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


def test_unknown_announce_type_becomes_none() -> None:
    assert only_item(feed(item(announce="withdrawn"))).announce_type is None


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


def test_authors_keep_tex_in_names() -> None:
    assert split_creators('Ren\\\'e M\\"uller,  Zo\\"e\n Smith') == ["Ren\\'e M\\\"uller", 'Zo\\"e Smith']


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
    with pytest.raises(IncompleteResponse):
        parse_listing(b"<html><body><h1>Service Unavailable</h1></body></html>")
