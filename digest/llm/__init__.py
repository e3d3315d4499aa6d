"""A language model's summaries and relevance verdicts: opt-in (`llm:`), cached in the store, capped per run.

`settings` is the configuration (pure pydantic, read by `core.config`); `client` the one object that talks
to an OpenAI-compatible server; `summaries` and `judge` what is asked of it. docs/design.md, "Summaries
and judging".
"""
