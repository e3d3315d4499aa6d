"""The model answers table group: summaries and judge verdicts, cached so a re-run asks the model nothing.

Tables `summaries` and `judgements`, both keyed by (paper id, version, model, prompt hash): a new version,
another model or a changed prompt is asked again; the same is never asked twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from digest.core.llm_settings import Asked, LlmSettings
from digest.store.deliveries import DeliveryTables
from digest.store.papers import PaperTables
from digest.store.tables import timestamp

__all__ = ["AnswerTables", "Verdict"]

PaperKey = tuple[str, int]
"""A paper's id and version."""


@dataclass(frozen=True)
class Verdict:
    """The judge's answer on one paper for one topic."""

    relevant: bool
    reason: str


class AnswerTables(DeliveryTables, PaperTables):
    """Summaries and verdicts (extends the groups of `listed` and `papers`, which say what is owed)."""

    def load_summaries(self, ids: Iterable[str], settings: LlmSettings | None) -> dict[str, str]:
        """The summaries made of these papers (id -> text, of the newest version summarised) by the configured
        model and prompt; none while summaries are off, when `ids` is not even read (a re-render lists half a
        million). The digests, records, feeds and messages read them here, without the `openai` package: they
        show a summary once it is made and never wait for one."""
        if settings is None or not settings.summaries:
            return {}
        asked = settings.summaries_asked
        query = "SELECT id, text FROM summaries WHERE model = ? AND prompt = ? AND id IN ({}) ORDER BY id, version"
        return dict(self._rows_for_ids(query, sorted(set(ids)), asked.model, asked.prompt))

    def save_summary(self, key: PaperKey, asked: Asked, text: str, tokens: tuple[int, int], at: datetime) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO summaries VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, asked.model, asked.prompt, text, *tokens, timestamp(at)),
            )

    def load_owed_summaries(self, asked: Asked) -> list[PaperKey]:
        """The papers some digest listed whose latest stored version has no summary from this model and
        prompt, the newest digest date first (then by id, descending, for a stable order)."""
        rows = self._db.execute(
            """
            SELECT listed.id, MAX(papers.version), MAX(listed.date) AS newest
            FROM listed JOIN papers ON papers.id = listed.id
            GROUP BY listed.id
            """
        ).fetchall()
        query = "SELECT id, version FROM summaries WHERE model = ? AND prompt = ? AND id IN ({})"
        done = set(self._rows_for_ids(query, [row[0] for row in rows], asked.model, asked.prompt))
        owed = [(newest, paper_id, version) for paper_id, version, newest in rows if (paper_id, version) not in done]
        return [(paper_id, version) for _, paper_id, version in sorted(owed, reverse=True)]

    def load_listing_dates(self, ids: Sequence[str]) -> list[tuple[str, date]]:
        """Every (topic, date) whose digest listed one of `ids`: the files a new summary of them reaches."""
        rows = self._rows_for_ids("SELECT DISTINCT topic, date FROM listed WHERE id IN ({})", ids)
        return sorted({(topic, date.fromisoformat(day)) for topic, day in rows})

    def load_judge_verdicts(self, keys: Sequence[PaperKey], asked: Asked) -> dict[PaperKey, Verdict]:
        """The judge's cached verdicts on these papers from this model and topic prompt."""
        wanted = set(keys)
        query = "SELECT id, version, relevant, reason FROM judgements WHERE model = ? AND prompt = ? AND id IN ({})"
        rows = self._rows_for_ids(query, sorted({key[0] for key in keys}), asked.model, asked.prompt)
        return {
            (paper_id, version): Verdict(bool(relevant), reason)
            for paper_id, version, relevant, reason in rows
            if (paper_id, version) in wanted
        }

    def save_judge_verdict(
        self, key: PaperKey, asked: Asked, verdict: Verdict, tokens: tuple[int, int], at: datetime
    ) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO judgements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*key, asked.model, asked.prompt, int(verdict.relevant), verdict.reason, *tokens, timestamp(at)),
            )
