"""What the store holds of the model's answers, read without the `openai` package: for the digests,
records, feeds and messages, which show a summary once it is made and never wait for one."""

from __future__ import annotations

from collections.abc import Sequence

from digest.core.llm_settings import Judge, LlmSettings, prompt_hash
from digest.store.answers import Asked
from digest.store.database import Store

__all__ = ["judge_asked", "load_summaries", "summaries_asked"]


def summaries_asked(settings: LlmSettings) -> Asked:
    """The cache key's model and prompt part: the template and the language, not a paper's text."""
    return Asked(settings.model, prompt_hash(settings.summary_prompt, settings.language))


def judge_asked(settings: LlmSettings, judge: Judge) -> Asked:
    """The judge's cache key for one topic: a changed description asks again."""
    return Asked(settings.model, prompt_hash("judge", judge.prompt))


def load_summaries(store: Store, settings: LlmSettings | None, ids: Sequence[str]) -> dict[str, str]:
    """The summaries made of these papers (id -> text, of the newest version summarised) by the configured
    model and prompt; none while summaries are off."""
    if settings is None or not settings.summaries or not ids:
        return {}
    return store.load_summaries(ids, summaries_asked(settings))
