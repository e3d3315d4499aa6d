"""The labels table group: what is learned from papers and labels, kept so that it is computed once.

Table `embeddings`: the semantic matcher's vector of each paper version, per model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from digest.store.tables import Tables

__all__ = ["LabelTables"]


class LabelTables(Tables):
    """Embeddings by paper id, version and model."""

    def load_embeddings(self, keys: Sequence[tuple[str, int]], model: str) -> dict[tuple[str, int], bytes]:
        wanted = set(keys)
        query = "SELECT id, version, vector FROM embeddings WHERE model = ? AND id IN ({})"
        rows = self._rows_for_ids(query, sorted({paper_id for paper_id, _ in keys}), model)
        return {(i, version): vector for i, version, vector in rows if (i, version) in wanted}

    def save_embeddings(self, vectors: Mapping[tuple[str, int], bytes], model: str) -> None:
        with self._transaction():
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)",
                ((paper_id, version, model, vector) for (paper_id, version), vector in vectors.items()),
            )
