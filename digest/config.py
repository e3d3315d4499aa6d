"""Configuration: one pydantic model, loaded by one function, every setting overridable by environment.

The file is a superset of awesome-daily-AI-arxiv's `config.yml` (`category`, `topic`); our own knobs live
under an optional `settings:` mapping, each also settable as `DIGEST_<NAME>` in the environment.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from collections.abc import Mapping
from datetime import UTC, date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from digest.calendar import holiday_problem
from digest.crontab import crontab_trigger, time_zone
from digest.errors import ConfigError
from digest.taxonomy import category_problem

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "CategoryRule",
    "Config",
    "Keyword",
    "KeywordSpec",
    "MatchMode",
    "ReplacementPolicy",
    "Settings",
    "TextField",
    "Topic",
    "load_config",
    "load_topic",
    "resolve_config_path",
    "unknown_variables",
]

log = logging.getLogger(__name__)

DEFAULT_CONFIG_PATH = Path("config/digest.yaml")

# A topic name becomes `output/<Topic>/` and `<Topic>.md`: letters, digits, space, `_ . + -`, no separators.
_TOPIC_NAME = re.compile(r"^\w[\w .+-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeywordSpec(_Strict):
    """A keyword with options: `{term: o1, case_sensitive: true}` or `{regex: "…"}`; `words` overrides the mode."""

    term: str | None = None
    regex: str | None = None
    case_sensitive: bool = False
    words: bool | None = None

    @model_validator(mode="after")
    def _one_pattern(self) -> KeywordSpec:
        if (self.term is None) == (self.regex is None):
            raise ValueError("a keyword mapping needs exactly one of `term` and `regex`")
        if self.term is not None and not self.term.strip():
            raise ValueError("a keyword or filter must not be empty")
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

MatchMode = Literal["substring", "words"]
CategoryRule = Literal["all", "primary", "any"]
ReplacementPolicy = Literal["include", "exclude"]
TextField = Literal["title", "abstract", "comment", "authors"]
SOURCE_FIELDS: tuple[TextField, ...] = ("title", "abstract")
"""What the source searched: title + " " + abstract."""


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
        if not self.keywords and not self.authors:
            raise ValueError("a topic needs keywords (or authors to follow)")
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
    rss_item_cap: int = Field(default=2000, ge=1)
    source: Literal["auto", "rss", "oai", "api"] = "auto"
    category_rule: CategoryRule = "all"
    match: MatchMode = "substring"
    replacements: ReplacementPolicy = "include"
    dedupe_days: int = Field(default=0, ge=0)
    holidays: list[date] = Field(default_factory=list)
    schedule: str = "30 6 * * *"
    schedule_timezone: str = "UTC"
    misfire_grace_time: int = Field(default=6 * 3600, ge=1)
    git_remote: str = "origin"
    git_branch: str | None = None
    git_author_name: str | None = None
    git_author_email: str | None = None
    push_retries: int = Field(default=3, ge=0)
    lock_timeout: float = Field(default=600.0, ge=0)
    backfill_confirm_requests: int = Field(default=1000, ge=0)
    log_format: Literal["text", "json"] = "text"

    @field_validator("arxiv_api_url", "arxiv_rss_url", "arxiv_oai_url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url

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


class Config(_Strict):
    """The whole configuration file."""

    category: dict[str, str] = Field(min_length=1)
    topic: dict[str, Topic] = Field(min_length=1)
    settings: Settings = Field(default_factory=Settings)

    def resolved(self) -> Config:
        """The configuration with every topic option a topic leaves unset taken from `settings`, as it applies."""
        defaults = {name: getattr(self.settings, name) for name in _TOPIC_DEFAULTS}
        topics = {
            name: topic.model_copy(
                update={key: value for key, value in defaults.items() if getattr(topic, key) is None}
            )
            for name, topic in self.topic.items()
        }
        return self.model_copy(update={"topic": topics})

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
        for name in topic:
            if not _TOPIC_NAME.match(name) or name.endswith((" ", ".")) or name.lower() == "readme.md":
                raise ValueError(f"{name!r} cannot be a file name (use letters, digits, space, _ . + -)")
        return topic


_TOPIC_DEFAULTS = ("match", "category_rule", "replacements", "dedupe_days")
"""The topic options whose default is the global setting of the same name."""

_OTHER_VARIABLES = ("DIGEST_CONFIG", "DIGEST_NOW")
"""The environment variables that are not settings."""


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """A warning for every `DIGEST_*` variable that sets nothing, naming the closest setting."""
    known = [f"DIGEST_{name.upper()}" for name in Settings.model_fields] + list(_OTHER_VARIABLES)
    warnings = []
    for name in sorted(variable for variable in environ if variable.startswith("DIGEST_")):
        if name in known:
            continue
        closest = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
        hint = f"did you mean {closest[0]}?" if closest else "`digest check-config` shows every setting"
        warnings.append(f"{name}: no such setting; {hint}")
    return warnings


def resolve_config_path(path: Path | None, environ: Mapping[str, str]) -> Path:
    """`--config`, else `DIGEST_CONFIG`, else `config/digest.yaml`."""
    if path is not None:
        return path
    if environ.get("DIGEST_CONFIG"):
        return Path(environ["DIGEST_CONFIG"])
    return DEFAULT_CONFIG_PATH


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Load, apply environment overrides, validate; any problem is one ConfigError naming file and key."""
    env = os.environ if environ is None else environ
    for warning in unknown_variables(env):
        log.warning("%s", warning)
    path = resolve_config_path(path, env)
    data = _read_yaml(path)
    overridden = _apply_environment(data, env)
    try:
        return Config.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_describe(path, err, overridden)) from err


def load_topic(path: Path) -> tuple[str, Topic]:
    """A topic definition file for `digest try`: the Topic fields, and an optional `name`."""
    data = _read_yaml(path, "a topic: `keywords`, `filters`, …")
    name = str(data.pop("name", path.stem))
    try:
        return name, Topic.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_describe(path, err, set())) from err


def _read_yaml(path: Path, expected: str = "`category` and `topic`") -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read config: {err.strerror or err}") from err
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise ConfigError(f"{path}: {where}invalid YAML: {problem}") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the file must be a mapping with {expected}")
    return data


def _apply_environment(data: dict[str, Any], environ: Mapping[str, str]) -> set[str]:
    """Copy `DIGEST_<NAME>` values over `settings.<name>`; return the names that came from the environment."""
    settings = data.get("settings")
    if settings is None:
        settings = data["settings"] = {}
    if not isinstance(settings, dict):
        return set()
    overridden = set()
    for name in Settings.model_fields:
        value = environ.get(f"DIGEST_{name.upper()}")
        if value is None:
            continue
        settings[name] = [part.strip() for part in value.split(",") if part.strip()] if name == "holidays" else value
        overridden.add(name)
    return overridden


_UNION_BRANCHES = {"str", "KeywordSpec"}


_KEYWORD_SHAPES = "a keyword is a string, a list of strings, or a mapping with `term` or `regex`"


def _is_branch(part: int | str) -> bool:
    return part in _UNION_BRANCHES or "[" in str(part)


def _key_path(loc: tuple[int | str, ...]) -> list[str]:
    """The keys of the file in a pydantic error location, without its names for union branches."""
    return [str(part) for part in loc if not _is_branch(part)]


def _wrong_branch(error: ErrorDetails) -> bool:
    """A union branch the value is not even shaped like (a mapping is not a string): noise beside the others."""
    return bool(error["loc"]) and _is_branch(error["loc"][-1]) and error["type"].endswith("_type")


def _describe(path: Path, err: ValidationError, overridden: set[str]) -> str:
    errors = [error for error in err.errors() if not _wrong_branch(error)] or [
        ErrorDetails(type="value_error", loc=err.errors()[0]["loc"], msg=_KEYWORD_SHAPES, input=None)
    ]
    # Of a union's branches (a keyword is a string, a list or a mapping), the value error is the one that
    # explains what is wrong; the branch names are pydantic's, not keys of the file.
    first = next((error for error in errors if error["type"] == "value_error"), errors[0])
    loc = _key_path(first["loc"])
    key = ".".join(loc) or "(top level)"
    problem = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    if first["type"] == "missing":
        problem = "required key is missing"
    if len(loc) >= 2 and loc[0] == "settings" and loc[1] in overridden:
        key = f"{key} (from DIGEST_{loc[1].upper()})"
    others = len({tuple(_key_path(error["loc"])) for error in errors} - {tuple(loc)})
    more = f" (and {others} more)" if others else ""
    return f"{path}: {key}: {problem}{more}"
