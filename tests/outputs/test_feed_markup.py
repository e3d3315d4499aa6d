"""Feed entries are formatted as text: the very bytes lxml serialises for the same element tree, whatever
the text holds (the golden days' papers, and every character XML can carry or must escape)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from lxml import etree

from digest.core.links import find_code_links
from digest.core.models import FeedPaper
from digest.outputs.feed import TOPIC_SCHEME, FeedDay, entry_id, render_entries, update_mark
from tests.support.golden import DAYS, golden_papers

ANNOUNCED = datetime(2025, 10, 14, tzinfo=UTC)


def lxml_entry(paper: FeedPaper, updated: str) -> bytes:
    """An entry built as an lxml element tree and serialised by lxml: what the feeds wrote before."""
    entry = etree.Element("entry")
    etree.SubElement(entry, "id").text = entry_id(paper.id)
    etree.SubElement(entry, "title").text = (
        f"{paper.title} ({update_mark(paper.version)})" if paper.updated else paper.title
    )
    etree.SubElement(entry, "updated").text = updated
    for name in paper.authors:
        etree.SubElement(etree.SubElement(entry, "author"), "name").text = name
    etree.SubElement(entry, "link", href=f"https://arxiv.org/abs/{paper.id}", rel="alternate")
    for kind, url in paper.links:
        etree.SubElement(entry, "link", href=url, rel="related", title=kind)
    if paper.summary:
        etree.SubElement(entry, "summary").text = paper.summary
        etree.SubElement(entry, "content", type="text").text = paper.abstract
    else:
        etree.SubElement(entry, "summary").text = paper.abstract
    for category in paper.categories:
        etree.SubElement(entry, "category", term=category)
    for topic in paper.topics:
        etree.SubElement(entry, "category", term=topic, scheme=TOPIC_SCHEME, label=f"topic {topic}")
    return b"\n" + bytes(etree.tostring(entry, encoding="UTF-8"))


def lxml_entries(papers: list[FeedPaper]) -> bytes:
    return b"".join(lxml_entry(paper, ANNOUNCED.isoformat()) for paper in papers)


def entries(papers: list[FeedPaper]) -> bytes:
    return render_entries(FeedDay(date(2025, 10, 13), ANNOUNCED, papers))


XML_CHARACTERS = "".join(
    chr(code) for code in [0x9, 0xA, 0xD, *range(0x20, 0xD800), *range(0xE000, 0xFFFE), *range(0x10000, 0x110000, 97)]
)
"""Every character XML 1.0 can carry below the surrogates and in the private and special planes after
them, and one in 97 of the astral planes (with the last, U+10FFFF)."""
HOSTILE = [
    '"quoted" & \'single\' <tag attr="x"> </entry>',
    "]]> <![CDATA[ x ]]>",
    "&amp; &lt; &#13; &#x1F600; &unknown;",
    "line\nbreak\r\ncarriage\rtab\tend",
    "  leading and trailing spaces  ",
    "astral 𝔸𝕓𝕔 😀 \U0010ffff",
    "bidi \u202e override \u200b zero width \ufeff bom",
    "",
]


def feed_paper(text: str, **changes: object) -> FeedPaper:
    paper = FeedPaper("2510.00001", text, [text, "B. Author"], text, ["cs.CL", text], [("code", text)])
    return replace(paper, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("day", DAYS)
def test_the_golden_days_entries_are_the_bytes_lxml_writes(day: str) -> None:
    papers = [
        FeedPaper(
            paper.id,
            paper.title,
            paper.authors,
            paper.abstract,
            paper.categories,
            [(link.kind, link.url) for link in find_code_links(paper.abstract, paper.comment)],
        )
        for paper in golden_papers(day)
    ]
    assert entries(papers) == lxml_entries(papers)


def test_an_updated_summarised_entry_of_the_combined_feed_is_the_bytes_lxml_writes() -> None:
    paper = FeedPaper(
        "2510.00001", "T & <T>", ["A"], "x < y", ["cs.CL"], [("project", "https://a.b/?x=1&y=2")],
        version=3, updated=True, topics=["LLM", "3D & <More>"], summary='A "summary" & <more>',
    )  # fmt: skip
    assert entries([paper]) == lxml_entries([paper])


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_escaped_as_lxml_escapes_it(text: str) -> None:
    paper = feed_paper(text, summary=text, topics=[text or "T"])
    assert entries([paper]) == lxml_entries([paper])


def test_every_character_xml_can_carry_is_escaped_as_lxml_escapes_it() -> None:
    paper = feed_paper(XML_CHARACTERS, summary=XML_CHARACTERS, topics=[XML_CHARACTERS])
    assert entries([paper]) == lxml_entries([paper])


@pytest.mark.parametrize("code", [*range(0x20), 0x7F, 0xD800, 0xDFFF, 0xFFFE, 0xFFFF])
def test_a_control_character_is_dropped_if_xml_cannot_carry_it_and_the_rest_is_as_lxml_writes_it(code: int) -> None:
    text = f"before{chr(code)}after & <more>"
    carried = text if code in (0x9, 0xA, 0xD, 0x7F) else text.replace(chr(code), "")
    assert entries([feed_paper(text)]) == lxml_entries([feed_paper(carried)])
