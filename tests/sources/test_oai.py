"""OAI-PMH page parsing: arXivRaw records, tokens and OAI errors (harvests end to end: test_backfill_e2e)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from digest.core.errors import ExpiredToken, IncompleteResponse
from digest.sources.oai import parse_list_records

_HEAD = b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>'
_RECORD = b"""<record><metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">
<id>2510.01711</id><version version="v1"><date>Mon, 29 Sep 2025 17:59:59 GMT</date></version>
<version version="v2"><date>Wed, 1 Oct 2025 09:00:00 GMT</date></version>
<title>A  title
  on two lines</title><authors>Ana B\\'ez, Bo Li and Cy Do</authors>
<categories>cs.CV cs.LG cs.AI</categories><comments>12 pages</comments>
<abstract>  An
 abstract. </abstract></arXivRaw></metadata></record>"""


def test_a_record_gives_every_version_and_normalised_metadata() -> None:
    page = parse_list_records(_HEAD + _RECORD + b'<resumptionToken completeListSize="1"/></ListRecords></OAI-PMH>')
    (record,) = page.records
    assert [(v[1], v[2]) for v in record.versions] == [
        (1, datetime(2025, 9, 29, 17, 59, 59, tzinfo=UTC)),
        (2, datetime(2025, 10, 1, 9, tzinfo=UTC)),
    ]
    paper = record.paper
    assert (paper.title, paper.abstract) == ("A title on two lines", "An abstract.")
    assert paper.authors == ["Ana Béz", "Bo Li", "Cy Do"]  # LaTeX accents decoded, as the API prints them
    assert paper.categories == ["cs.CV", "cs.AI", "cs.LG"]
    assert (page.token, page.complete_list_size) == (None, 1)


def test_a_page_with_a_token_is_not_the_last() -> None:
    page = parse_list_records(
        _HEAD + b'<resumptionToken cursor="0" completeListSize="9">t1</resumptionToken></ListRecords></OAI-PMH>'
    )
    assert (page.token, page.complete_list_size) == ("t1", 9)


def test_no_records_match_is_an_empty_complete_harvest() -> None:
    page = parse_list_records(
        b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="noRecordsMatch"/></OAI-PMH>'
    )
    assert (page.records, page.token, page.complete_list_size) == ([], None, 0)


def test_a_bad_resumption_token_is_an_expired_token() -> None:
    with pytest.raises(ExpiredToken, match="badResumptionToken"):
        parse_list_records(
            b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="badResumptionToken"/></OAI-PMH>'
        )


def test_malformed_xml_is_incomplete_so_the_http_layer_asks_again() -> None:
    with pytest.raises(IncompleteResponse, match=r"^malformed OAI-PMH page: "):
        parse_list_records(_HEAD + _RECORD[:100])
