"""Configuration: one pydantic model, loaded by one function, every setting overridable by environment.

The file is a superset of awesome-daily-AI-arxiv's `config.yml` (`category`, `topic`); our own knobs live
under an optional `settings:` mapping (`settings.Settings`), each also settable as `DIGEST_<NAME>` in the
environment. Reading the file and the environment is `config_file`'s; resolving it for one command is
`plan`'s.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from pydantic import Field, field_validator, model_validator

from digest.core.llm_settings import Judge, JudgeCandidates, LlmSettings
from digest.core.settings import (
    CategoryRule,
    MatchMode,
    ReplacementPolicy,
    Settings,
    Source,
    StrictModel,
    Targets,
    output_dir_problem,
)
from digest.core.taxonomy import category_problem

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


class KeywordSpec(StrictModel):
    """A keyword with options: `{term: o1, case_sensitive: true}` or `{regex: "…"}`; `words` overrides the mode;
    `unless: [CLIP]` keeps it from counting in a paper that holds one of those terms (another keyword still can);
    `mentions: 2` lets it count only in a paper whose searched text holds it at least twice (a passing
    mention is seldom a paper's subject)."""

    term: str | None = None
    regex: str | None = None
    case_sensitive: bool = False
    words: bool | None = None
    unless: list[str] = Field(default_factory=list)
    mentions: int = Field(default=1, ge=1, le=20, strict=True)

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


TextField = Literal["title", "abstract", "comment", "authors"]
SOURCE_FIELDS: tuple[TextField, ...] = ("title", "abstract")
"""What the source searched: title + " " + abstract."""


Combine = Literal["any", "all"]
"""How a topic's keywords and its similarity combine: `any` keeps either (recall), `all` needs both (precision)."""


class SimilarTo(StrictModel):
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


class Topic(StrictModel):
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
    notify: Targets | None = None
    similar_to: SimilarTo | None = None
    threshold: float | None = Field(default=None, ge=-1, le=1)
    combine: Combine | None = None
    judge: Judge | None = None
    judge_candidates: JudgeCandidates = "rules"

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


class Config(StrictModel):
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
