"""What one run asked of the language model: read by reports and the runs table without the `openai`
package, which the client alone imports."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Usage"]


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
