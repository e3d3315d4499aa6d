"""A command's configuration resolved once into an immutable `Plan`: the chosen topics with their rules, the
holidays, the output and store paths. Every stage takes the parts it needs.

See docs/design.md, "The plan".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from digest.core.calendar import load_holidays
from digest.core.config import CategoryRule, Combine, Config, MatchMode, ReplacementPolicy, Settings, Topic
from digest.core.errors import InputError
from digest.core.llm_settings import LlmSettings
from digest.core.targets import mask_target

__all__ = ["DEFAULT_THRESHOLD", "Plan", "Rules", "TopicPlan", "make_plan", "resolved_config"]


DEFAULT_THRESHOLD = 0.5
"""The cosine a paper needs to be similar to a topic, unless the topic says: see README, "Is my topic any good?"."""


def _threshold(topic: Topic) -> float:
    own = topic.similar_to.threshold if topic.similar_to is not None else None
    chosen = own if own is not None else topic.threshold
    return DEFAULT_THRESHOLD if chosen is None else chosen


@dataclass(frozen=True)
class Rules:
    """A topic's options resolved against the global settings."""

    match: MatchMode = "substring"
    category_rule: CategoryRule = "all"
    replacements: ReplacementPolicy = "include"
    dedupe_days: int = 0
    notify: tuple[str, ...] = ()
    combine: Combine = "any"
    threshold: float = DEFAULT_THRESHOLD

    @classmethod
    def for_topic(cls, topic: Topic, settings: Settings) -> Rules:
        return cls(
            match=topic.match or settings.match,
            category_rule=topic.category_rule or settings.category_rule,
            replacements=topic.replacements or settings.replacements,
            dedupe_days=settings.dedupe_days if topic.dedupe_days is None else topic.dedupe_days,
            notify=tuple(settings.notify if topic.notify is None else topic.notify),
            combine=topic.combine or "any",
            threshold=_threshold(topic),
        )


@dataclass(frozen=True)
class TopicPlan:
    """One topic as a run applies it: its definition and its resolved rules."""

    topic: Topic
    rules: Rules

    @property
    def resolved(self) -> Topic:
        """The topic as written, with the options it leaves to the settings filled in as they apply."""
        return self.topic.model_copy(update={**asdict(self.rules), "notify": list(self.rules.notify)})


@dataclass(frozen=True)
class Plan:
    """What one command works with, resolved once.

    `topics` are the ones the command writes; `every_topic` all configured ones, since a batch is stored
    (and its kept papers described) for every topic, whichever a command writes.
    """

    topics: Mapping[str, TopicPlan]
    every_topic: Mapping[str, TopicPlan]
    subscribed: Mapping[str, str]
    holidays: frozenset[date]
    output_dir: Path
    store_path: Path
    settings: Settings
    llm: LlmSettings | None = None
    """The language model's settings (`llm:`), when one is configured."""


def make_plan(config: Config, topics: Sequence[str] = ()) -> Plan:
    """The plan of a command that writes `topics` (all when empty); an unknown name is an input error."""
    unknown = [name for name in topics if name not in config.topic]
    if unknown:
        raise InputError(f"unknown topic {unknown[0]!r}; the configuration has: {', '.join(config.topic)}")
    settings = config.settings
    every_topic = {name: TopicPlan(topic, Rules.for_topic(topic, settings)) for name, topic in config.topic.items()}
    return Plan(
        topics={name: planned for name, planned in every_topic.items() if not topics or name in topics},
        every_topic=every_topic,
        subscribed=config.category,
        holidays=load_holidays(settings.holidays),
        output_dir=settings.output_dir,
        store_path=settings.store_path,
        settings=settings,
        llm=_resolved_llm(config.llm, settings),
    )


def _resolved_llm(llm: LlmSettings | None, settings: Settings) -> LlmSettings | None:
    """The `llm:` section with what it leaves to the settings filled in (`max_retry_wait`)."""
    if llm is None or llm.max_retry_wait is not None:
        return llm
    return llm.model_copy(update={"max_retry_wait": settings.max_retry_wait})


def resolved_config(config: Config, plan: Plan) -> dict[str, Any]:
    """The configuration as `check-config` shows it: every topic's options resolved against the settings,
    notification targets masked, the `llm:` section as the plan resolved it, and the keys a topic does not
    use (similarity, judge) or an absent `llm:` section left out."""
    topics = {name: planned.resolved for name, planned in plan.every_topic.items()}
    resolved = config.model_copy(update={"topic": topics}).model_dump(mode="json")
    for section in [resolved["settings"], *resolved["topic"].values()]:
        if section.get("notify"):
            section["notify"] = [mask_target(url) for url in section["notify"]]
    for name, topic in resolved["topic"].items():
        semantic = topic.get("similar_to") is not None
        unused = {"similar_to", "threshold", "combine"} if not semantic else set()
        unused |= {"judge", "judge_candidates"} if topic.get("judge") is None else set()
        resolved["topic"][name] = {key: value for key, value in topic.items() if key not in unused}
    if plan.llm is None:
        del resolved["llm"]
    else:
        resolved["llm"] = plan.llm.model_dump(mode="json")
    return resolved
