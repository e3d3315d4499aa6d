"""The `llm:` section and a topic's `judge:`: what model to ask, how much of it one run may use.

Pure pydantic and in `core`, so `core.config` can hold it without importing the `llm` stage above it.
The API key is never in the file: `api_key_env` names the environment variable that holds it (none for a
local server such as Ollama).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from digest.core.links import web_address

__all__ = [
    "DEFAULT_JUDGE_PROMPT",
    "DEFAULT_SUMMARY_PROMPT",
    "Asked",
    "Judge",
    "JudgeCandidates",
    "LlmSettings",
    "prompt_hash",
]

DEFAULT_SUMMARY_PROMPT = (
    "Summarise this arXiv paper for a researcher skimming a daily digest. Write in {language}.\n"
    "First line: a one-sentence TL;DR. Then up to three key points, one a line, each starting with '- '.\n"
    "No preamble, no markdown headings.\n\n"
    "Title: {title}\n\nAbstract: {abstract}"
)
"""The default summary prompt: `{language}`, `{title}` and `{abstract}` are filled in."""

DEFAULT_JUDGE_PROMPT = (
    "You decide whether an arXiv paper belongs in a daily digest on the topic described below.\n"
    "Topic: {topic}\n\n"
    "Title: {title}\n\nAbstract: {abstract}\n\n"
    'Answer with JSON only: {{"relevant": true or false, "reason": "one line"}}'
)
"""A topic's judge prompt frames its `prompt:` (the topic's description) as `{topic}`."""

_FIELDS = re.compile(r"\{(\w*)\}")
JudgeCandidates = Literal["rules", "similar"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _known_fields(template: str, allowed: frozenset[str]) -> str:
    """A template may name only the fields it is given (`{{` and `}}` are literal braces)."""
    unknown = sorted({name for name in _FIELDS.findall(template.replace("{{", "").replace("}}", ""))} - allowed)
    if unknown:
        raise ValueError(f"unknown field {{{unknown[0]}}} in the prompt; it may use {', '.join(sorted(allowed))}")
    return template


class LlmSettings(_Strict):
    """Which OpenAI-compatible server and model, and the limits that keep it out of the digest's way."""

    base_url: str = "https://api.openai.com/v1"
    model: str = Field(min_length=1)
    api_key_env: str | None = None
    timeout: float = Field(default=60.0, gt=0)
    concurrency: int = Field(default=2, ge=1, le=32)
    max_output_tokens: int = Field(default=300, ge=1)
    max_papers: int = Field(default=50, ge=0)
    max_tokens: int | None = Field(default=None, ge=0)
    max_tries: int = Field(default=3, ge=1)
    retry_backoff: float = Field(default=2.0, ge=0)
    max_retry_wait: float | None = Field(default=None, ge=0)
    """The longest Retry-After waited for; unset, the settings' `max_retry_wait` (300 s), as for arXiv."""
    time_budget: float = Field(default=300.0, gt=0)
    summaries: bool = False
    summary_prompt: str = DEFAULT_SUMMARY_PROMPT
    language: str = Field(default="English", min_length=1)
    summaries_in_digest: bool = False

    @model_validator(mode="before")
    @classmethod
    def _no_key_in_the_file(cls, data: object) -> object:
        if isinstance(data, dict) and any(name in data for name in ("api_key", "key", "token")):
            raise ValueError(
                "the API key never goes in the config: put it in an environment variable and name that "
                "variable in api_key_env"
            )
        return data

    @field_validator("base_url")
    @classmethod
    def _web_address(cls, url: str) -> str:
        return web_address(url)

    @field_validator("api_key_env")
    @classmethod
    def _variable_name(cls, name: str | None) -> str | None:
        if name is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(
                f"{name[:40]!r} is not an environment variable's name: name the variable that holds the key, "
                "never the key itself"
            )
        return name

    @field_validator("summary_prompt")
    @classmethod
    def _summary_fields(cls, template: str) -> str:
        return _known_fields(template, frozenset({"language", "title", "abstract"}))

    @property
    def summaries_asked(self) -> Asked:
        """The summaries' cache key, but for the paper: the model, the template and the language."""
        return Asked(self.model, prompt_hash(self.summary_prompt, self.language))


class Judge(_Strict):
    """A topic's judge: `prompt` says what the topic is about; the model answers yes or no, with a reason."""

    prompt: str = Field(min_length=1)
    similarity: float | None = Field(default=None, ge=-1, le=1)
    """With `judge_candidates: similar`: the lower similarity from which papers go to the judge (default 0.1
    under the topic's threshold)."""

    @field_validator("prompt")
    @classmethod
    def _something_said(cls, prompt: str) -> str:
        if not prompt.strip():
            raise ValueError("the judge's prompt must say what the topic is about")
        return prompt


def prompt_hash(*parts: str) -> str:
    """The cache key of a prompt: a change of template, language or topic description asks the model again."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Asked:
    """Which model and prompt an answer came from: the part of its cache key that is not the paper."""

    model: str
    prompt: str
