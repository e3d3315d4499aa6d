"""The data contract: one topic's digest of one date as JSON, `<Topic>/<date>.json` beside its markdown.

Scripts, agents, the feeds and the site read these files instead of parsing the markdown, which stays the
source's format byte for byte. The models below are the contract: `docs/day-record.schema.json` is
generated from them (`day_schema`) and a test keeps the two equal. Pure: records in, text out, and back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import to_json

from digest.core.calendar import announcement_time
from digest.core.errors import InputError, validation_problem
from digest.core.links import LinkKind
from digest.core.models import AnnounceType, Decision, Paper, made_once_per_record

__all__ = [
    "DAY_FORMAT",
    "DayRecord",
    "ListedPaper",
    "Source",
    "Status",
    "day_record",
    "day_record_path",
    "day_records_json",
    "day_schema",
    "listed_paper",
    "paper_status",
    "parse_day_record",
    "parse_listings",
    "read_day_record",
    "read_day_record_text",
    "record_json",
]

DAY_FORMAT: Literal[1] = 1
"""Raised only when a field changes meaning or goes away; a new optional field keeps it."""

Status = Literal["new", "updated"]
Source = Literal["rss", "oai", "api", "records"]
"""Where the date's batch came from: arXiv's RSS feed, OAI-PMH, the search API, or `digest render --input`."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Links(_Frozen):
    """arXiv's pages of the paper: the abstract page, the PDF and the HTML rendering of the listed version."""

    abs: str
    pdf: str
    html: str


class CodeLinkRecord(_Frozen):
    """A repository (`code`) or project page (`project`) named in the abstract or comment."""

    kind: LinkKind
    url: str


class ListedPaper(_Frozen):
    """One paper as the digest lists it, with why the topic kept it."""

    id: str = Field(description="arXiv id without its version, as the digest links it")
    version: int | None = Field(description="the version announced that day; null when the source gave none")
    status: Status = Field(description="new: first announced (or cross-listed) that day; updated: a new version")
    announce_type: AnnounceType | None = Field(description="arXiv's own word for the listing, when the source has it")
    title: str
    authors: list[str] = Field(description="every author, not only the six the markdown shows")
    abstract: str
    categories: list[str] = Field(description="the primary category first, then the others")
    links: Links
    code_links: list[CodeLinkRecord]
    why: str = Field(description="why the topic kept it, as `digest explain` says it")
    similarity: float | None = Field(description="its similarity to the topic, for a topic with `similar_to`")
    summary: str | None = Field(
        default=None,
        description="the language model's summary (a TL;DR line, then key points), with `llm.summaries`; "
        "absent until it is made",
    )


class DayRecord(_Frozen):
    """A topic's digest of a date: the announcement it shows and its papers in the digest's order."""

    format: Literal[1] = Field(description="the contract's version: raised only when a field changes meaning")
    topic: str
    date: date
    announcement: dt.date = Field(description="the date of arXiv's announcement in force on `date`")
    announced: dt.datetime = Field(description="when that announcement went public (20:00 US Eastern)")
    source: Source | None = Field(
        description="where the batch came from: rss, oai, api, or records (digest render); null for an empty batch"
    )
    papers: list[ListedPaper]


def paper_status(paper: Paper) -> Status:
    """`updated` for a replacement (a new version), `new` otherwise; a source without announce types
    (a records file) says it by the version."""
    if paper.announce_type is not None:
        return "updated" if paper.announce_type in ("replace", "replace-cross") else "new"
    return "updated" if (paper.version or 1) > 1 else "new"


def listed_paper(decision: Decision, summary: str | None = None) -> ListedPaper:
    """A kept paper as the contract lists it, with its summary when the model made one."""
    own = {"why": decision.why, "similarity": decision.similarity, "summary": summary}
    return ListedPaper.model_validate(_shared_fields(decision.paper) | own)


def _shared_fields(paper: Paper) -> dict[str, Any]:
    """A listed paper's fields that do not depend on the topic, as JSON values in `ListedPaper`'s order:
    what `ListedPaper.model_dump(mode="json")` would give of them, without building the model (a re-render
    lists hundreds of thousands of papers)."""
    versioned = f"{paper.id}v{paper.version}" if paper.version else paper.id
    return {
        "id": paper.id,
        "version": paper.version,
        "status": paper_status(paper),
        "announce_type": paper.announce_type,
        "title": paper.title,
        "authors": paper.authors,
        "abstract": paper.abstract,
        "categories": paper.categories,
        "links": {
            "abs": f"https://arxiv.org/abs/{paper.id}",
            "pdf": f"https://arxiv.org/pdf/{versioned}",
            "html": f"https://arxiv.org/html/{versioned}",
        },
        "code_links": [{"kind": link.kind, "url": link.url} for link in paper.code_links],
    }


def day_record(
    topic: str,
    day: date,
    announcement: date,
    source: Source | None,
    decisions: Sequence[Decision],
    summaries: Mapping[str, str] | None = None,
) -> DayRecord:
    """A topic's record of a date from the verdicts on the papers it kept, in digest order, and the
    summaries made of them (by id); `announcement` went public at its `announcement_time`."""
    return DayRecord(
        format=DAY_FORMAT,
        topic=topic,
        date=day,
        announcement=announcement,
        announced=announcement_time(announcement),
        source=source,
        papers=[listed_paper(decision, (summaries or {}).get(decision.paper.id)) for decision in decisions],
    )


_OWN = ("why", "similarity", "summary")
"""A listed paper's fields that differ from topic to topic (the last ones of `ListedPaper`)."""
_ENTRY = b"\n  "
"""Where a listed paper's object starts in a record: an item of the `papers` list, two deep."""
_OWN_FIELD = "\n   "
"""Where each of its fields starts."""
_encode = json.JSONEncoder(ensure_ascii=False).encode
_encode_text = json.encoder.encode_basestring  # the C encoder of a string, as `ensure_ascii=False` uses it


def record_json(record: DayRecord) -> bytes:
    """The file's bytes: the same record gives the same bytes (a re-run changes nothing git sees). A paper
    without a summary has no `summary` key, so records stay as they were while summaries are off."""
    shared = (paper.model_dump(mode="json", exclude=set(_OWN)) for paper in record.papers)
    own = (_own_text(paper.why, paper.similarity, paper.summary) for paper in record.papers)
    return _record_text(record, [(_shared_text(fields), text) for fields, text in zip(shared, own, strict=True)])


def day_records_json(
    day: date,
    provenance: tuple[date, Source | None],
    kept: Mapping[str, Sequence[Decision]],
    summaries: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """Every topic's record of one date (topic -> the verdicts it kept; `provenance`: the announcement and
    where its batch came from), each as `record_json(day_record(...))` gives it: what a paper's entry
    shares between topics (all but why it was kept) is encoded once for every topic keeping it, and from
    the record itself rather than a `ListedPaper`."""
    announcement, source = provenance
    summaries = summaries or {}
    shared = made_once_per_record(lambda paper: _shared_text(_shared_fields(paper)))
    texts = {}
    for topic, decisions in kept.items():
        entries = []
        for decision in decisions:
            summary = summaries.get(decision.paper.id)
            entries.append((shared(decision.paper), _own_text(decision.why, decision.similarity, summary)))
        texts[topic] = _record_text(day_record(topic, day, announcement, source, []), entries)
    return texts


def _record_text(record: DayRecord, entries: Sequence[tuple[bytes, bytes]]) -> bytes:
    """The record around its papers' entries (each its shared part and its topic's own), joined in one
    pass: a date's record is megabytes when a topic keeps hundreds of papers."""
    head = to_json(record.model_dump(mode="json", exclude={"papers"}), indent=1)[:-2] + b',\n "papers": '
    if not entries:
        return head + b"[]\n}\n"
    pieces = [head, b"["]
    for shared, own in entries:
        pieces += (_ENTRY, shared, own, b",")
    pieces[-1] = b"\n ]\n}\n"
    return b"".join(pieces)


def _shared_text(fields: Mapping[str, Any]) -> bytes:
    """A listed paper's object in a record (its shared fields as JSON values), open after the last of them.

    pydantic's serializer gives strings, integers, null, lists and objects the very bytes of
    `json.dumps(..., ensure_ascii=False, indent=1)`, several times faster than `json` with an indent,
    which encodes in Python one token at a time (not floats: those are among a topic's own fields). The
    object is indented two deeper at each line break, which in JSON is never inside a string."""
    return to_json(fields, indent=1).replace(b"\n", _ENTRY)[: -len(_ENTRY) - 1]


def _own_text(why: str, similarity: float | None, summary: str | None) -> bytes:
    """The rest of a listed paper's object: its topic's fields, and `summary` only once made; then closed."""
    score = "null" if similarity is None else _encode(similarity)
    text = f',{_OWN_FIELD}"why": {_encode_text(why)},{_OWN_FIELD}"similarity": {score}'
    if summary is not None:
        text += f',{_OWN_FIELD}"summary": {_encode_text(summary)}'
    return text.encode() + _ENTRY + b"}"


def day_record_path(output_dir: Path, topic: str, day: date) -> Path:
    """Where a topic's record for a date lives: beside its digest."""
    return output_dir / topic / f"{day.isoformat()}.json"


def read_day_record(path: Path) -> DayRecord | None:
    """The record in `path`; None when there is none (a digest written before the contract existed)."""
    text = read_day_record_text(path)
    return None if text is None else parse_day_record(path, text)


def read_day_record_text(path: Path) -> str | None:
    """The text of the record in `path`, unparsed; None when there is none."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read {path}: {getattr(err, 'strerror', None) or err}") from err


def parse_day_record(path: Path, text: str | bytes) -> DayRecord:
    """The record in `text`, read from `path`; a damaged one is an InputError naming the file."""
    return _validated(DayRecord, path, text)


_Model = TypeVar("_Model", bound=BaseModel)


class _Listing(BaseModel):
    id: str
    version: int | None
    status: Status


class _Listings(BaseModel):
    papers: list[_Listing]


def parse_listings(path: Path, text: str | bytes) -> list[tuple[str, int | None, Status]]:
    """Each paper's id, version and status in the record, in order: all the feeds read, at a third of the cost."""
    return [(paper.id, paper.version, paper.status) for paper in _validated(_Listings, path, text).papers]


def _validated(model: type[_Model], path: Path, text: str | bytes) -> _Model:
    try:
        return model.model_validate_json(text)
    except ValidationError as err:
        raise InputError(
            f"{path} is not a digest record ({validation_problem(err)}): delete it and write its date again"
            " (`digest run --date`)"
        ) from err


def day_schema() -> dict[str, Any]:
    """The JSON Schema of `<Topic>/<date>.json`, as published in docs/day-record.schema.json."""
    schema = DayRecord.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": "arxiv-digest day record"}
