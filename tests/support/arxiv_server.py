"""A real local arXiv on 127.0.0.1: RSS, the Atom API and OAI-PMH, with faults to switch on.

    with ArxivServer(golden_world(["2025-10-13"])) as server:
        server.current_mailing = date(2025, 10, 14)
        server.inject("api", "503", times=1)
        ...                                  # point DIGEST_ARXIV_*_URL at server.*_url
        server.requests                      # [Request(kind, path, status), ...]

It serves what arXiv serves, as far as the client relies on it: the RSS feed of the current mailing for
`cs.AI+cs.CL+…` (capped at `rss_item_cap` items), API `search_query` (cat:, submittedDate and
lastUpdatedDate ranges, AND/OR/ANDNOT, parentheses) and `id_list` with opensearch totals and only each
paper's latest version, and ListRecords in arXivRaw with resumption tokens.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import time as clock_time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from digest.core.calendar import ARXIV_TIMEZONE
from tests.support.local_server import LocalServer
from tests.support.world import ServedPaper, World

FAULTS = {
    "503", "always-503", "429", "empty-first-page", "missing-records", "truncated", "hang", "broken-page",
    "expired-token", "wrong-size", "gzip-bomb", "huge", "drip", "not-utf8",
}  # fmt: skip
HOSTILE_SIZE = 32 * 1024 * 1024
"""Bytes of the `gzip-bomb` (inflated) and `huge` answers: far past a test's 1 MB `max_response_mb`."""


@dataclass(frozen=True)
class Request:
    kind: str
    path: str
    status: int  # 0: no answer (a hang)


class ArxivServer(LocalServer):
    """The server and its switches; a context manager that starts and stops it."""

    def __init__(self, world: World, *, oai_page_size: int = 500, rss_item_cap: int = 2000) -> None:
        self.world = world
        self.oai_page_size = oai_page_size
        self.rss_item_cap = rss_item_cap
        self.current_mailing: date | None = max(world.mailings) if world.mailings else None
        self.hang_seconds = 2.0
        self.requests: list[Request] = []
        self._faults: dict[str, list[str | None]] = {}
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[list[ServedPaper], int]] = {}
        super().__init__(_handler_for(self))
        base = f"http://127.0.0.1:{self.port}"
        self.api_url = f"{base}/api/query"
        self.rss_url = f"{base}/rss/"
        self.oai_url = f"{base}/oai"

    def environment(self) -> dict[str, str]:
        """The settings that point arxiv-digest here, with the politeness waits shrunk for tests."""
        return {
            "DIGEST_ARXIV_API_URL": self.api_url,
            "DIGEST_ARXIV_RSS_URL": self.rss_url,
            "DIGEST_ARXIV_OAI_URL": self.oai_url,
            "DIGEST_REQUEST_INTERVAL": "0",
            "DIGEST_RETRY_BACKOFF": "0.01",
            "DIGEST_REQUEST_TIMEOUT": "1",
            "DIGEST_RSS_ITEM_CAP": str(self.rss_item_cap),
            # The plan estimates real arXiv's harvest sizes; this world holds a few hundred papers.
            "DIGEST_BACKFILL_CONFIRM_REQUESTS": "1000000",
        }

    def inject(self, kind: str, fault: str, times: int = 1, *, after: int = 0) -> None:
        """Answer `times` requests of `kind` (rss, api, oai) with `fault`, once `after` more have passed."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}")
        with self._lock:
            self._faults.setdefault(kind, []).extend([None] * after + [fault] * times)

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def count(self, kind: str | None = None) -> int:
        return sum(1 for request in self.requests if kind is None or request.kind == kind)

    def _next_fault(self, kind: str) -> str | None:
        with self._lock:
            queue = self._faults.get(kind, [])
            if queue and queue[0] == "always-503":
                return "503"
            return queue.pop(0) if queue else None

    def _log(self, kind: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append(Request(kind, path, status))

    # RSS

    def rss(self, categories: list[str]) -> bytes:
        items = []
        mailing = self.current_mailing
        for paper_id, announce_type in self.world.mailings.get(mailing, []) if mailing else []:
            paper = self.world.papers[paper_id]
            if any(category in categories for category in paper.categories):
                items.append(_rss_item(paper, announce_type))
        published = datetime.combine(mailing or date(2025, 1, 1), clock_time(), ARXIV_TIMEZONE)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'version="2.0"><channel>'
            f"<title>{'+'.join(categories)} updates on arXiv.org</title><link>http://rss.arxiv.org/rss/</link>"
            "<description>New papers</description><docs>http://www.rssboard.org/rss-specification</docs>"
            f"<language>en-us</language><lastBuildDate>{format_datetime(published)}</lastBuildDate>"
            "<managingEditor>rss-help@arxiv.org</managingEditor>"
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f"{''.join(items[: self.rss_item_cap])}</channel></rss>"
        ).encode()

    # API

    def api(self, query: dict[str, list[str]], fault: str | None) -> bytes:
        start = int(query.get("start", ["0"])[0])
        size = int(query.get("max_results", ["10"])[0])
        if query.get("id_list", [""])[0]:
            wanted = query["id_list"][0].split(",")
            found = [self.world.papers[paper_id.split("v")[0]] for paper_id in wanted]
        else:
            matches = _parse_query(query.get("search_query", [""])[0])
            found = [paper for paper in self.world.papers.values() if matches(paper)]
            key: Callable[[ServedPaper], object] = (
                (lambda paper: paper.versions[-1])
                if query.get("sortBy", [""])[0] == "lastUpdatedDate"
                else (lambda paper: (paper.versions[0], paper.id))
            )
            found.sort(key=key, reverse=query.get("sortOrder", ["descending"])[0] == "descending")
        page = found[start : start + size]
        if fault == "empty-first-page" and start == 0:
            page = []
        if fault == "missing-records" and len(page) > 1:
            page = page[: len(page) // 2]
        entries = "".join(_atom_entry(paper) for paper in page)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom">'
            "<id>https://arxiv.org/api/query</id><title>arXiv Query</title>"
            f"<updated>{datetime.now(UTC).isoformat()}</updated>"
            f"<opensearch:itemsPerPage>{size}</opensearch:itemsPerPage>"
            f"<opensearch:totalResults>{len(found)}</opensearch:totalResults>"
            f"<opensearch:startIndex>{start}</opensearch:startIndex>{entries}</feed>"
        ).encode()

    # OAI-PMH

    def oai(self, query: dict[str, list[str]], fault: str | None) -> bytes:
        token = query.get("resumptionToken", [""])[0]
        if token:
            if fault == "expired-token" or token not in self._tokens:
                return _oai_error("badResumptionToken", "The value of the resumptionToken argument is invalid")
            records, offset = self._tokens[token]
        else:
            spec = query.get("set", [""])[0]
            since = date.fromisoformat(query.get("from", ["0001-01-01"])[0])
            until = date.fromisoformat(query["until"][0]) if "until" in query else date.max
            records = sorted(
                (
                    paper
                    for paper in self.world.papers.values()
                    if since <= paper.datestamp <= until and any(_in_set(c, spec) for c in paper.categories)
                ),
                key=lambda paper: (paper.datestamp, paper.id),
            )
            offset = 0
            if not records:
                return _oai_error("noRecordsMatch", "The combination of the values results in an empty list.")
        page = records[offset : offset + self.oai_page_size]
        following = offset + len(page)
        size = len(records) + (1 if fault == "wrong-size" else 0)
        attributes = f'cursor="{offset}" completeListSize="{size}"'
        if following < len(records):
            next_token = f"t{len(self._tokens)}x{following}"
            with self._lock:
                self._tokens[next_token] = (records, following)
            resumption = f"<resumptionToken {attributes}>{next_token}</resumptionToken>"
        else:
            resumption = f"<resumptionToken {attributes}/>"
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
            f"<responseDate>{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}</responseDate>"
            '<request verb="ListRecords">http://export.arxiv.org/oai2</request><ListRecords>'
            f"{''.join(oai_record(paper) for paper in page)}{resumption}</ListRecords></OAI-PMH>"
        ).encode()


def _handler_for(server: ArxivServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            kind = "rss" if parts.path.startswith("/rss/") else "oai" if parts.path == "/oai" else "api"
            fault = server._next_fault(kind)
            if fault == "hang":
                server._log(kind, self.path, 0)  # logged now: the client gives up before any answer
                time.sleep(server.hang_seconds)
                self.close_connection = True
                return
            if fault in ("503", "429"):
                status = int(fault)
                server._log(kind, self.path, status)
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if kind == "rss":
                body = server.rss(parts.path.removeprefix("/rss/").split("+"))
            elif kind == "oai":
                body = server.oai(query, fault)
            else:
                body = server.api(query, fault)
            if fault in ("truncated", "broken-page"):
                body = body[: len(body) // 2]
            body, headers = _hostile(body, fault)
            server._log(kind, self.path, 200)
            self.send_response(200)
            self.send_header("Content-Type", "application/xml; charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                if fault != "drip":
                    self.wfile.write(body)
                    return
                for start in range(0, len(body), 64):  # 64 bytes every 0.2 s: each read well within the timeout
                    self.wfile.write(body[start : start + 64])
                    self.wfile.flush()
                    time.sleep(0.2)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the request log is `server.requests`."""

    return Handler


@functools.cache
def _gzip_bomb() -> bytes:
    return gzip.compress(b" " * HOSTILE_SIZE, compresslevel=9)


def _hostile(body: bytes, fault: str | None) -> tuple[bytes, dict[str, str]]:
    """The body and extra headers of a hostile answer: a gzip bomb, a huge body, text that is not UTF-8."""
    if fault == "gzip-bomb":
        return _gzip_bomb(), {"Content-Encoding": "gzip"}
    if fault == "huge":
        return body + b" " * HOSTILE_SIZE, {}
    if fault == "not-utf8":
        return body.replace(b"<title>", b"<title>\xe9", 1), {}  # "é" in Latin-1: one byte no UTF-8 text has
    return body, {}


def _in_set(category: str, spec: str) -> bool:
    archive = category.split(".", 1)[0]
    return spec in (archive, f"physics:{archive}")


def _rss_item(paper: ServedPaper, announce_type: str) -> str:
    version = len(paper.versions)
    categories = "".join(f"<category>{escape(category)}</category>" for category in paper.categories)
    description = f"arXiv:{paper.id}v{version} Announce Type: {announce_type} \nAbstract: {paper.abstract}"
    return (
        f"<item><title>{escape(paper.title)}</title><link>https://arxiv.org/abs/{paper.id}</link>"
        f"<description>{escape(description)}</description>"
        f'<guid isPermaLink="false">oai:arXiv.org:{paper.id}v{version}</guid>{categories}'
        f"<pubDate>{format_datetime(paper.versions[-1])}</pubDate>"
        f"<arxiv:announce_type>{announce_type}</arxiv:announce_type>"
        "<dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>"
        f"<dc:creator>{escape(', '.join(paper.authors))}</dc:creator></item>"
    )


def _wrapped(text: str) -> str:
    """Text broken over lines with indentation, as arXiv serves titles and abstracts."""
    words = text.split(" ")
    return "\n  ".join(" ".join(words[i : i + 12]) for i in range(0, len(words), 12))


def _atom_entry(paper: ServedPaper) -> str:
    version = len(paper.versions)
    authors = "".join(f"<author><name>{escape(name)}</name></author>" for name in paper.authors)
    categories = "".join(
        f'<category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>' for c in paper.categories
    )
    comment = f"<arxiv:comment>{escape(paper.comment)}</arxiv:comment>" if paper.comment else ""
    return (
        f"<entry><id>http://arxiv.org/abs/{paper.id}v{version}</id>"
        f"<updated>{paper.versions[-1]:%Y-%m-%dT%H:%M:%SZ}</updated>"
        f"<published>{paper.versions[0]:%Y-%m-%dT%H:%M:%SZ}</published>"
        f"<title>{escape(_wrapped(paper.title))}</title><summary>{escape(_wrapped(paper.abstract))}\n</summary>"
        f"{authors}{comment}"
        f'<link href="http://arxiv.org/abs/{paper.id}v{version}" rel="alternate" type="text/html"/>'
        f'<link title="pdf" href="http://arxiv.org/pdf/{paper.id}v{version}" rel="related" type="application/pdf"/>'
        f'<arxiv:primary_category term={quoteattr(paper.categories[0])} scheme="http://arxiv.org/schemas/atom"/>'
        f"{categories}</entry>"
    )


def oai_record(paper: ServedPaper) -> str:
    versions = "".join(
        f'<version version="v{n}"><date>{format_datetime(moment, usegmt=True)}</date><size>100kb</size>'
        "<source_type>D</source_type></version>"
        for n, moment in enumerate(paper.versions, start=1)
    )
    authors = (
        ", ".join(paper.authors[:-1]) + " and " + paper.authors[-1] if len(paper.authors) > 1 else paper.authors[0]
    )
    comments = f"<comments>{escape(paper.comment)}</comments>" if paper.comment else ""
    return (
        f"<record><header><identifier>oai:arXiv.org:{paper.id}</identifier>"
        f"<datestamp>{paper.datestamp.isoformat()}</datestamp><setSpec>cs</setSpec></header><metadata>"
        '<arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/">'
        f"<id>{paper.id}</id><submitter>{escape(paper.authors[0])}</submitter>{versions}"
        f"<title>{escape(_wrapped(paper.title))}</title><authors>{escape(authors)}</authors>"
        f"<categories>{' '.join(paper.categories)}</categories>{comments}"
        "<license>http://creativecommons.org/licenses/by/4.0/</license>"
        f"<abstract>  {escape(_wrapped(paper.abstract))}\n</abstract></arXivRaw></metadata></record>"
    )


def _oai_error(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        f'<error code="{code}">{escape(message)}</error></OAI-PMH>'
    ).encode()


# The API's search_query: a small recursive-descent parser over the terms arXiv documents.

_TOKEN = re.compile(r"\(|\)|\bAND\b|\bOR\b|\bANDNOT\b|\w+:\[\d+ TO \d+\]|\w+:\S+?(?=\)|\s|$)")


def _parse_query(text: str) -> Callable[[ServedPaper], bool]:
    tokens = _TOKEN.findall(text)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def expression() -> Callable[[ServedPaper], bool]:
        left = term()
        while peek() in ("AND", "OR", "ANDNOT"):
            operator, right, previous = take(), term(), left
            if operator == "AND":
                left = lambda p, a=previous, b=right: a(p) and b(p)  # noqa: E731
            elif operator == "OR":
                left = lambda p, a=previous, b=right: a(p) or b(p)  # noqa: E731
            else:
                left = lambda p, a=previous, b=right: a(p) and not b(p)  # noqa: E731
        return left

    def term() -> Callable[[ServedPaper], bool]:
        token = take()
        if token == "(":
            inner = expression()
            take()
            return inner
        field, _, value = token.partition(":")
        if field == "cat":
            return lambda paper: value in paper.categories
        if field in ("submittedDate", "lastUpdatedDate"):
            low, high = (datetime.strptime(v, "%Y%m%d%H%M").replace(tzinfo=UTC) for v in value[1:-1].split(" TO "))
            # Since arXiv's November 2025 change, lastUpdatedDate acts like submittedDate (v1).
            return lambda paper: low <= paper.versions[0] <= high
        raise ValueError(f"unsupported search term {token!r}")

    return expression() if tokens else (lambda paper: True)


def paper_ids(requests: list[Request]) -> Iterator[str]:
    """The ids asked through id_list in a request log, in order."""
    for request in requests:
        asked = parse_qs(urlsplit(request.path).query).get("id_list")
        if asked:
            yield from asked[0].split(",")
