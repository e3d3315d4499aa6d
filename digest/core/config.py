"""Configuration: one pydantic model, loaded by one function, every setting overridable by environment.

The file is a superset of awesome-daily-AI-arxiv's `config.yml` (`category`, `topic`); our own knobs live
under an optional `settings:` mapping, each also settable as `DIGEST_<NAME>` in the environment. Reading the
file and the environment is `config_file`'s; resolving it for one command is `plan`'s.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from digest.core.calendar import holiday_problem
from digest.core.crontab import crontab_trigger, time_zone
from digest.core.links import web_address
from digest.core.targets import target_problem
from digest.core.taxonomy import category_problem
from digest.llm.settings import Judge, JudgeCandidates, LlmSettings

__all__ = [
    "CategoryRule",
    "Combine",
    "Config",
    "Keyword",
    "KeywordSpec",
    "MatchMode",
    "ReplacementPolicy",
    "Settings",
    "SimilarTo",
    "Source",
    "TextField",
    "Topic",
    "keyword_text",
    "output_dir_problem",
]


# A topic name becomes `output/<Topic>/` and `<Topic>.md`: letters, digits, space, `_ . + -`, no separators.
_TOPIC_NAME = re.compile(r"\w[\w .+-]*")
MAX_TOPIC_NAME = 100
"""Characters of a topic name: far below a file name's 255 bytes, and still a readable table row."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeywordSpec(_Strict):
    """A keyword with options: `{term: o1, case_sensitive: true}` or `{regex: "…"}`; `words` overrides the mode;
    `unless: [CLIP]` keeps it from counting in a paper that holds one of those terms (another keyword still can)."""

    term: str | None = None
    regex: str | None = None
    case_sensitive: bool = False
    words: bool | None = None
    unless: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_pattern(self) -> KeywordSpec:
        if (self.term is None) == (self.regex is None):
            raise ValueError("a keyword mapping needs exactly one of `term` and `regex`")
        if self.term is not None and not self.term.strip():
            raise ValueError("a keyword or filter must not be empty")
        if any(not term.strip() for term in self.unless):
            raise ValueError("a term of `unless` must not be empty")
        if self.regex is not None:
            try:
                re.compile(self.regex)
            except re.error as err:
                raise ValueError(f"invalid regex {self.regex!r}: {err}") from None
        return self

    @property
    def shown(self) -> str:
        """How the digest's keyword line names it."""
        return self.term if self.term is not None else f"/{self.regex}/"


Keyword = str | list[str] | KeywordSpec
"""A plain string matches on its own; a list matches when every part matches; a mapping carries options."""


def keyword_text(term: Keyword) -> str:
    """A keyword as the digest and `explain` show it: list parts joined by `,`, a mapping by its term or /regex/."""
    if isinstance(term, KeywordSpec):
        return term.shown
    return ",".join(term) if isinstance(term, list) else term


Source = Literal["auto", "rss", "oai", "api"]
"""Where batches come from: `auto` is RSS for the latest announcement and OAI-PMH for the past."""
MatchMode = Literal["substring", "words"]
CategoryRule = Literal["all", "primary", "any"]
ReplacementPolicy = Literal["include", "exclude"]
TextField = Literal["title", "abstract", "comment", "authors"]
SOURCE_FIELDS: tuple[TextField, ...] = ("title", "abstract")
"""What the source searched: title + " " + abstract."""


def _check_targets(urls: list[str] | None) -> list[str] | None:
    """Every notification target must be an Apprise URL; the error shows it masked, never its secrets."""
    for position, url in enumerate(urls or [], start=1):
        problem = target_problem(url)
        if problem:
            raise ValueError(f"target {position} of the list: {problem}")
    return urls


Combine = Literal["any", "all"]
"""How a topic's keywords and its similarity combine: `any` keeps either (recall), `all` needs both (precision)."""


class SimilarTo(_Strict):
    """What a topic means, for the semantic matcher: papers that define it (arXiv ids, read from the store)
    and/or a sentence or two; a paper is similar when its cosine reaches `threshold`."""

    examples: list[str] = Field(default_factory=list)
    description: str | None = None
    threshold: float | None = Field(default=None, ge=-1, le=1)

    @model_validator(mode="after")
    def _something_to_compare(self) -> SimilarTo:
        if not self.examples and not (self.description and self.description.strip()):
            raise ValueError("similar_to needs examples (arXiv ids) or a description")
        return self


class Topic(_Strict):
    """One digest: papers matching any keyword (or by a followed author) and no filter.

    The options after `filters` are ours; unset, they take the global `settings` value.
    """

    keywords: list[Keyword] = Field(default_factory=list)
    filters: list[Keyword] | None = None
    authors: list[str] = Field(default_factory=list)
    fields: list[TextField] = Field(default_factory=lambda: list(SOURCE_FIELDS), min_length=1)
    match: MatchMode | None = None
    category_rule: CategoryRule | None = None
    replacements: ReplacementPolicy | None = None
    dedupe_days: int | None = Field(default=None, ge=0)
    notify: list[str] | None = None
    similar_to: SimilarTo | None = None
    threshold: float | None = Field(default=None, ge=-1, le=1)
    combine: Combine | None = None
    judge: Judge | None = None
    judge_candidates: JudgeCandidates = "rules"

    _targets = field_validator("notify")(lambda cls, urls: _check_targets(urls))

    @field_validator("keywords", "filters")
    @classmethod
    def _no_empty_terms(cls, terms: list[Keyword] | None) -> list[Keyword] | None:
        for term in terms or []:
            if isinstance(term, KeywordSpec):
                continue
            parts = term if isinstance(term, list) else [term]
            if not parts or any(not part.strip() for part in parts):
                raise ValueError("a keyword or filter must not be empty")
        return terms

    @model_validator(mode="after")
    def _something_to_match(self) -> Topic:
        if not self.keywords and not self.authors and self.similar_to is None:
            raise ValueError("a topic needs keywords (or authors to follow, or similar_to)")
        if self.combine == "all" and self.similar_to is None:
            raise ValueError("combine: all needs similar_to (keywords and similarity)")
        if self.combine == "all" and not self.keywords and not self.authors:
            raise ValueError("combine: all needs keywords as well as similar_to")
        if self.judge_candidates == "similar" and (self.judge is None or self.similar_to is None):
            raise ValueError("judge_candidates: similar needs judge and similar_to")
        return self


class Settings(_Strict):
    """Our own knobs; every one has a default and a `DIGEST_<NAME>` environment override."""

    output_dir: Path = Path("output")
    cache_dir: Path = Field(default_factory=lambda: platformdirs.user_cache_path("arxiv-digest"))
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_rss_url: str = "https://rss.arxiv.org/rss/"
    arxiv_oai_url: str = "https://oaipmh.arxiv.org/oai"
    request_interval: float = Field(default=3.0, ge=0)
    retry_backoff: float = Field(default=5.0, ge=0)
    max_tries: int = Field(default=5, ge=1)
    request_timeout: float = Field(default=60.0, gt=0)
    max_retry_wait: float = Field(default=300.0, ge=0)
    max_response_mb: int = Field(default=100, ge=1)
    rss_item_cap: int = Field(default=2000, ge=1)
    source: Source = "auto"
    category_rule: CategoryRule = "all"
    match: MatchMode = "substring"
    replacements: ReplacementPolicy = "include"
    dedupe_days: int = Field(default=0, ge=0)
    holidays: list[date] = Field(default_factory=list)
    schedule: str = "30 6 * * *"
    schedule_timezone: str = "UTC"
    misfire_grace_time: int = Field(default=6 * 3600, ge=1)
    retry_minutes: list[float] = Field(default_factory=lambda: [5.0, 15.0, 45.0])
    git_remote: str = "origin"
    git_branch: str | None = None
    git_author_name: str | None = None
    git_author_email: str | None = None
    push_retries: int = Field(default=3, ge=0)
    lock_timeout: float = Field(default=600.0, ge=0)
    backfill_confirm_requests: int = Field(default=1000, ge=0)
    log_format: Literal["text", "json"] = "text"
    feeds: bool = True
    feed_days: int = Field(default=30, ge=1)
    code_links: bool = False
    notify: list[str] = Field(default_factory=list)
    notify_max_papers: int = Field(default=10, ge=0)
    notify_skip_empty: bool = False
    digest_url: str | None = None
    feed_url: str | None = None
    site_url: str | None = None
    site: bool = False
    site_dir: Path | None = None
    verify_days: int = Field(default=7, ge=0)
    labels_dir: Path = Path("labels")

    _targets = field_validator("notify")(lambda cls, urls: _check_targets(urls))

    @field_validator("arxiv_api_url", "arxiv_rss_url", "arxiv_oai_url", "digest_url", "feed_url", "site_url")
    @classmethod
    def _web_address(cls, url: str | None) -> str | None:
        return None if url is None else web_address(url)

    @field_validator("schedule_timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        time_zone(name)
        return name

    @field_validator("schedule")
    @classmethod
    def _crontab_line(cls, expression: str) -> str:
        crontab_trigger(expression, UTC)
        return expression

    @field_validator("output_dir", "cache_dir", mode="before")
    @classmethod
    def _path_is_given(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must not be empty (an empty path would be the current directory)")
        return value

    @field_validator("output_dir", "cache_dir")
    @classmethod
    def _path_is_a_directory(cls, path: Path) -> Path:
        if path.exists() and not path.is_dir():
            raise ValueError(f"{path} is a file, not a directory")
        return path

    @field_validator("retry_minutes")
    @classmethod
    def _positive_waits(cls, minutes: list[float]) -> list[float]:
        if any(wait <= 0 for wait in minutes):
            raise ValueError("every wait must be more than 0 minutes")
        return minutes

    @field_validator("output_dir")
    @classmethod
    def _output_of_its_own(cls, path: Path) -> Path:
        problem = output_dir_problem(path)
        if problem:
            raise ValueError(problem)
        return path

    @field_validator("holidays")
    @classmethod
    def _holidays_are_announcement_evenings(cls, holidays: list[date]) -> list[date]:
        for day in holidays:
            problem = holiday_problem(day)
            if problem:
                raise ValueError(problem)
        return holidays

    @property
    def store_path(self) -> Path:
        """The SQLite store lives in the cache directory."""
        return self.cache_dir / "digest.sqlite3"


def output_dir_problem(path: Path) -> str | None:
    """Why `path` cannot hold the digests, or None: the root or the home directory (or an ancestor of it)
    would take every folder in it for a topic's and write index pages among the user's own files."""
    resolved = path.expanduser().resolve()
    home = Path.home().resolve()
    if resolved == Path(resolved.anchor):
        return f"{path} is the root directory: give the digests a folder of their own (e.g. ~/arxiv-digests)"
    if resolved == home or resolved in home.parents:
        return (
            f"{path} is the home directory or holds it: give the digests a folder of their own (e.g. ~/arxiv-digests)"
        )
    return None


class Config(_Strict):
    """The whole configuration file."""

    category: dict[str, str] = Field(min_length=1)
    topic: dict[str, Topic] = Field(min_length=1)
    settings: Settings = Field(default_factory=Settings)
    llm: LlmSettings | None = None

    @field_validator("category")
    @classmethod
    def _category_codes(cls, category: dict[str, str]) -> dict[str, str]:
        for code in category:
            problem = category_problem(code)
            if problem:
                raise ValueError(problem)
        return category

    @field_validator("topic")
    @classmethod
    def _topic_names(cls, topic: dict[str, Topic]) -> dict[str, Topic]:
        by_folded: dict[str, str] = {}
        for name in topic:
            problem = _topic_name_problem(name)
            if problem:
                raise ValueError(problem)
            other = by_folded.setdefault(name.casefold(), name)
            if other != name:
                raise ValueError(
                    f"topics {other!r} and {name!r} differ only by case: on a case-insensitive disk (macOS, "
                    "Windows) they would share one folder"
                )
        return topic

    @model_validator(mode="after")
    def _judges_have_a_model(self) -> Config:
        judged = [name for name, topic in self.topic.items() if topic.judge is not None]
        if judged and self.llm is None:
            raise ValueError(f"topic {judged[0]!r} has a judge: the `llm:` section must name the model to ask")
        return self


def _topic_name_problem(name: str) -> str | None:
    """Why `name` cannot name a topic's folder and files, or None."""
    if any(unicodedata.category(character) == "Cc" for character in name):
        return f"{name!r} cannot be a topic name: it holds a control character"
    if len(name) > MAX_TOPIC_NAME:
        return f"{name[:30]!r}… cannot be a topic name: {len(name)} characters, at most {MAX_TOPIC_NAME}"
    if not _TOPIC_NAME.fullmatch(name) or name.endswith((" ", ".")) or name.lower() == "readme.md":
        return f"{name!r} cannot be a file name (use letters, digits, space, _ . + -)"
    return None
