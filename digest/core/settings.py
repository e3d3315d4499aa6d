"""The `settings:` mapping of the configuration: our own knobs, each with a default and a `DIGEST_<NAME>`
environment override, and the kinds of value they share with the topics (`config`)."""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from digest.core.calendar import holiday_problem
from digest.core.crontab import crontab_trigger, time_zone
from digest.core.links import web_address
from digest.core.targets import target_problem

__all__ = [
    "CategoryRule",
    "MatchMode",
    "ReplacementPolicy",
    "Settings",
    "Source",
    "StrictModel",
    "Targets",
    "output_dir_problem",
]


class StrictModel(BaseModel):
    """A mapping of the file: unknown keys are errors, and a loaded value never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Source = Literal["auto", "rss", "oai", "api"]
"""Where batches come from: `auto` is RSS for the latest announcement and OAI-PMH for the past."""
MatchMode = Literal["substring", "words"]
CategoryRule = Literal["all", "primary", "any"]
ReplacementPolicy = Literal["include", "exclude"]


def _listed(value: object) -> object:
    """One notification target written alone (`notify: ntfy://…`) is a list of one."""
    return [value] if isinstance(value, str) else value


def _checked(urls: list[str]) -> list[str]:
    """Every notification target must be an Apprise URL; the error shows it masked, never its secrets."""
    for position, url in enumerate(urls, start=1):
        problem = target_problem(url)
        if problem:
            raise ValueError(f"target {position} of the list: {problem}")
    return urls


Targets = Annotated[list[str], BeforeValidator(_listed), AfterValidator(_checked)]
"""Notification targets, in the settings and in a topic: Apprise URLs, a list or one alone."""


class Settings(StrictModel):
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
    notify: Targets = Field(default_factory=list)
    notify_max_papers: int = Field(default=10, ge=0)
    notify_skip_empty: bool = False
    digest_url: str | None = None
    feed_url: str | None = None
    site_url: str | None = None
    site: bool = False
    site_dir: Path | None = None
    verify_days: int = Field(default=7, ge=0)
    labels_dir: Path = Path("labels")

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

    @field_validator("output_dir", "cache_dir", "labels_dir", "site_dir", mode="before")
    @classmethod
    def _path_is_given(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            raise ValueError("must not be empty (an empty path would be the current directory)")
        return value

    @field_validator("output_dir", "cache_dir", "labels_dir", "site_dir")
    @classmethod
    def _path_is_a_directory(cls, path: Path | None) -> Path | None:
        if path is not None and path.exists() and not path.is_dir():
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
