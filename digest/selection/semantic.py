"""The semantic matcher: how close a paper is in meaning to what a topic is about, with no service and no
download.

A topic's `similar_to` (example papers from the store, a description) becomes one vector: the normalised
mean of their embeddings. A paper's similarity is the cosine between that vector and the embedding of its
title and abstract, rounded to three decimals before any comparison, so the same papers give the same
digest on every machine. Embeddings come from WordLlama, whose small model ships inside its wheel: it is
loaded from the package's own directory with downloads disabled (its default path looks for the tokenizer
in a cache it then fills from the network). They are cached in the store by paper id and version: a
re-render embeds nothing twice. See docs/design.md, "Semantic matching".
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest.core.config import SimilarTo
from digest.core.errors import InputError
from digest.core.models import Paper
from digest.core.plan import TopicPlan
from digest.store.database import Store

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Vector = NDArray[np.float32]
else:
    Vector = Any

__all__ = ["MODEL", "embed_papers", "paper_text", "score_topics", "similarity_scores"]

log = logging.getLogger(__name__)

MODEL = "wordllama-l2_supercat-256"
"""The name embeddings are cached under: a different model never reads another's vectors."""
DECIMALS = 3


@functools.cache
def _model() -> Any:
    import wordllama
    from wordllama import WordLlama

    package = Path(wordllama.__file__).parent  # holds weights/ and tokenizers/ as shipped in the wheel
    return WordLlama.load(config="l2_supercat", dim=256, cache_dir=package, disable_download=True)


def paper_text(paper: Paper) -> str:
    """What is embedded of a paper: its title and abstract."""
    return f"{paper.title}. {paper.abstract}"


def embed_texts(texts: Sequence[str]) -> Vector:
    """Unit vectors, one a text."""
    import numpy as np

    if not texts:
        return np.zeros((0, 256), dtype=np.float32)
    vectors = np.asarray(_model().embed(list(texts), norm=True), dtype=np.float32)
    return vectors


def embed_papers(papers: Sequence[Paper], store: Store) -> dict[str, Vector]:
    """Each paper's unit vector, from the store's cache or embedded now (and cached)."""
    import numpy as np

    keys = [(paper.id, paper.version or 0) for paper in papers]
    cached = store.load_embeddings(keys, MODEL)
    missing = [paper for paper, key in zip(papers, keys, strict=True) if key not in cached]
    if missing:
        vectors = embed_texts([paper_text(paper) for paper in missing])
        fresh = {(paper.id, paper.version or 0): vector for paper, vector in zip(missing, vectors, strict=True)}
        store.save_embeddings({key: vector.tobytes() for key, vector in fresh.items()}, MODEL)
        cached.update({key: vector.tobytes() for key, vector in fresh.items()})
    return {paper.id: np.frombuffer(cached[key], dtype=np.float32) for paper, key in zip(papers, keys, strict=True)}


def embed_description(text: str, store: Store) -> Vector:
    """A topic description's unit vector, cached in the store like a paper's: a run whose papers are all
    cached then never loads the model."""
    import numpy as np

    key = (f"description:{hashlib.sha256(text.encode('utf-8')).hexdigest()}", 0)
    cached = store.load_embeddings([key], MODEL)
    if key not in cached:
        cached[key] = embed_texts([text])[0].tobytes()
        store.save_embeddings(cached, MODEL)
    return np.frombuffer(cached[key], dtype=np.float32)


def topic_vector(similar_to: SimilarTo, store: Store, topic: str) -> Vector:
    """The normalised mean of the description's and the examples' embeddings."""
    import numpy as np

    examples = store.load_papers(similar_to.examples)
    absent = sorted(set(similar_to.examples) - {paper.id for paper in examples})
    if absent:
        raise InputError(
            f"topic {topic}: similar_to example {', '.join(absent)} is not in the store; fetch a date whose "
            "batch holds it first (digest run --date D), or describe the topic with similar_to.description"
        )
    parts = list(embed_papers(examples, store).values()) if examples else []
    if similar_to.description:
        parts.append(embed_description(similar_to.description, store))
    mean = np.mean(np.stack(parts), axis=0)
    return np.asarray(mean / (np.linalg.norm(mean) or 1.0), dtype=np.float32)


def similarity_scores(papers: Sequence[Paper], vectors: Mapping[str, Vector], topic: Vector) -> dict[str, float]:
    """Each paper's cosine with the topic, rounded: the one number selection compares with a threshold."""
    return {paper.id: round(float(vectors[paper.id] @ topic), DECIMALS) for paper in papers}


def score_topics(papers: Iterable[Paper], topics: Mapping[str, TopicPlan], store: Store) -> dict[str, dict[str, float]]:
    """Every semantic topic's similarity for every paper (topic -> id -> score); nothing, and no model
    loaded, when no topic has `similar_to`."""
    semantic = {name: planned.topic.similar_to for name, planned in topics.items() if planned.topic.similar_to}
    if not semantic:
        return {}
    batch = list(papers)
    vectors = embed_papers(batch, store)
    return {
        name: similarity_scores(batch, vectors, topic_vector(similar_to, store, name))
        for name, similar_to in semantic.items()
    }
