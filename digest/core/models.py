"""The units that flow between stages: the paper record (and its JSON-lines form), an archive's index entry."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pylatexenc.latex2text import LatexNodes2Text

from digest.core.errors import InputError, validation_problem
from digest.core.links import CodeLink, find_code_links

__all__ = [
    "ARXIV_ID",
    "INDEX_MARKER",
    "AnnounceType",
    "Decision",
    "FeedPaper",
    "IndexEntry",
    "Paper",
    "Usage",
    "author_name",
    "load_papers",
    "made_once_per_record",
    "normalise_id",
    "normalise_text",
]

AnnounceType = Literal["new", "replace", "cross", "replace-cross"]


def normalise_text(text: str) -> str:
    """Collapse every whitespace run (newlines included) to one space and strip: once, at parse time.

    `str.split()` splits on exactly what the regex `\\s` matches, several times faster (a harvest page is
    thousands of fields).
    """
    return " ".join(text.split())


class _LatexNames(LatexNodes2Text):  # type: ignore[misc]  # pylatexenc ships no type hints
    """LaTeX to text that loses nothing it cannot decode: comments (`%`), math and unknown macros stay as written."""

    def __init__(self) -> None:
        super().__init__(keep_comments=True, math_mode="verbatim")

    def macro_node_to_text(self, node: Any) -> str:
        if self.latex_context.get_macro_spec(node.macroname) is None:
            return str(node.latex_verbatim())
        return str(super().macro_node_to_text(node))


_LATEX = _LatexNames()


def author_name(text: str) -> str:
    """An author as the API prints it: whitespace collapsed, LaTeX accents (`J\\"alk\\"o`, as RSS and OAI-PMH
    print them) decoded to composed Unicode (`Jälkö`), so an `authors:` rule matches whatever the source.

    Only a name with LaTeX markup (a backslash or a brace) goes through the decoder: harvests hold millions.
    """
    if "\\" not in text and "{" not in text:
        return normalise_text(text)
    return normalise_text(unicodedata.normalize("NFC", _LATEX.latex_to_text(text)))


class Paper(BaseModel):
    """One paper as announced: metadata plus how it was announced (docs/design.md, "The paper record")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    version: int | None = None
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    primary_category: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    announce_type: AnnounceType | None = None
    comment: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _primary_first(cls, data: Any) -> Any:
        """Categories as arXiv's listing prints them: the primary first, then the others alphabetical, once each."""
        categories = data.get("categories") if isinstance(data, dict) else None
        if not isinstance(categories, list) or (len(categories) < 2 and not data.get("primary_category")):
            return data
        primary = data.get("primary_category") or categories[0]
        others = categories[1:]
        if categories[0] == primary and primary not in others and all(a < b for a, b in pairwise(others)):
            return data  # already in order, as every stored record is
        return {**data, "categories": [primary, *sorted(set(categories) - {primary})]}

    @model_validator(mode="after")
    def _has_a_category(self) -> Paper:
        if not self.categories:
            raise ValueError("categories must not be empty")
        return self

    @property
    def primary(self) -> str:
        """The primary category: as given, or else the first listed."""
        return self.primary_category or self.categories[0]

    @cached_property
    def code_links(self) -> list[CodeLink]:
        """The repositories and project pages its abstract and comment point to (`digest.core.links`).

        Derived from the stored text, never stored apart from it: a better extractor improves old records too.
        """
        return find_code_links(self.abstract, self.comment)


_Made = TypeVar("_Made")


def made_once_per_record(make: Callable[[Paper], _Made]) -> Callable[[Paper], _Made]:
    """`make`, remembered for each record: a paper several topics keep is rendered or encoded once.

    Remembered by the record's id and checked to be the very same record (`is`), not by `id()`: a library
    may install an audit hook (filelock does), which `id()` calls, and a re-render asks millions of times."""
    made: dict[str, tuple[Paper, _Made]] = {}

    def once(paper: Paper) -> _Made:
        found = made.get(paper.id)
        if found is not None and found[0] is paper:
            return found[1]
        value = make(paper)
        made[paper.id] = (paper, value)
        return value

    return once


def load_papers(path: Path) -> list[Paper]:
    """Read a JSON-lines records file; any bad line is an InputError naming the file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(f"{path}: cannot read records: {err.strerror or err}") from err
    papers = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            paper = Paper.model_validate_json(line)
        except ValidationError as err:
            raise InputError(f"{path}: line {number}: {validation_problem(err)}") from err
        if not ARXIV_ID.fullmatch(paper.id):
            raise InputError(
                f"{path}: line {number}: id: {paper.id!r} is not an arXiv id (such as 2507.07685 or hep-th/9901001)"
            )
        papers.append(paper)
    return papers


ARXIV_ID = re.compile(
    r"(?:(?:0[7-9]|1[0-4])(?:0[1-9]|1[0-2])\.\d{4}|(?:1[5-9]|[2-9]\d)(?:0[1-9]|1[0-2])\.\d{5}"
    r"|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(?:v[1-9]\d*)?"
)
"""An arXiv identifier: new style, a year and month and a number (`2507.07685`; four digits after the point
until 1412, five from 1501 on, so a digit left out is no id), or old style (`hep-th/9901001`,
`math.GT/0309136`), with an optional version. The digest links it and prints it."""


@dataclass(frozen=True)
class IndexEntry:
    """One dated digest of a topic, as listed in its archive."""

    date: date
    count: int


INDEX_MARKER = "<!-- arxiv-digest index: rebuilt from the digests beside it on every run; edits are lost -->"
"""The first line of every index page: the writer replaces only pages that carry it (or an older version's heading)."""


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
    version: int | None = None
    updated: bool = False
    """Listed as a new version: the entry's title says which."""
    topics: Sequence[str] = ()
    """The topics that kept it, in the combined feed."""
    summary: str | None = None
    """The language model's summary, once made (`llm.summaries`): the entry's summary, the abstract its content."""


@dataclass(frozen=True)
class Decision:
    """A paper kept or dropped, and why: the keyword and the text around it, or the rule that dropped it."""

    paper: Paper
    kept: bool
    reason: str
    keyword: str | None = None
    span: str | None = None
    similarity: float | None = None
    judged: str | None = None
    """The judge's verdict and reason (`yes: …`), for a topic with `judge:`."""

    @property
    def why(self) -> str:
        """The reason as `digest explain` prints it: the rule, the text the keyword matched, the similarity,
        the judge's verdict."""
        span = f': "{self.span}"' if self.span else ""
        if self.similarity is not None and "similarity" not in self.reason:
            span += f" (similarity {self.similarity:.3f})"
        judged = f"; judge: {self.judged}" if self.judged else ""
        return f"{self.reason}{span}{judged}"


@dataclass
class Usage:
    """What one run has asked of the model so far."""

    calls: int = 0
    summaries: int = 0
    """Summaries made: `llm.max_papers` caps them per run (a judged topic's verdicts are never capped)."""
    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out


_VERSION = re.compile(r"v\d+$")
_PREFIX = re.compile(r"^arxiv:", re.IGNORECASE)
_SCHEMELESS_URL = re.compile(r"^(?:[\w-]+\.)*arxiv\.org/", re.IGNORECASE)
_URL_PATH = re.compile(r"^/(?:abs|pdf|html)/(.+?)(?:\.pdf)?/?$")


def normalise_id(text: str) -> str | None:
    """An arXiv id without its version (`2510.01234`, `hep-th/9901001`), or None when `text` is not one.

    Accepts what a reader copies: `arXiv:2507.07685v2`, `2507.07685v2`, and arxiv.org abs, pdf and html
    URLs, with or without `https://`.
    """
    candidate = text.strip()
    parts = urlsplit(f"https://{candidate}" if _SCHEMELESS_URL.match(candidate) else candidate)
    if parts.scheme in ("http", "https"):
        host = parts.hostname or ""
        found = _URL_PATH.match(parts.path)
        if not (host == "arxiv.org" or host.endswith(".arxiv.org")) or found is None:
            return None
        candidate = found.group(1)
    paper_id = _VERSION.sub("", _PREFIX.sub("", candidate))
    return paper_id if ARXIV_ID.fullmatch(paper_id) else None
