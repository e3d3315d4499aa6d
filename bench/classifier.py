"""The learned candidate of `digest tune`, measured: is a classifier worth shipping as a setting?

    pip install scikit-learn && python bench/classifier.py

Logistic regression on word 1-2-gram tf-idf of title + abstract (liblinear, balanced classes: the same
model every run), trained on the labelled papers of three golden days and scored on the fourth, for each
day in turn: the same leave-one-date-out figures `digest tune` reports for its keyword settings, which it
prints beside them (`tune`'s own folds, on the same labels). Scored on the labelled papers alone it looks
good, but it also keeps papers the labels never saw (text-only LLM reasoning papers): every paper a
multimodal phrase could catch is labelled and none of the random ones were relevant, so those count as
wrongly kept here (keywords keep none). It is also scored as a veto on the configured keywords in words
mode (kept = a keyword matched and the probability is at least 0.5). `tune` would ship it only if it beat
the best keyword setting's F1 by 0.02 or more: see README, "Is my topic any good?".
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from digest.core.calendar import announcement_in_force, load_holidays  # noqa: E402
from digest.core.config_file import load_config  # noqa: E402
from digest.core.models import Paper  # noqa: E402
from digest.core.plan import TopicPlan, make_plan  # noqa: E402
from digest.ops.labels import Confusion, load_labels  # noqa: E402
from digest.ops.tune import LabelledDay, description_of, evaluate, one_date_each, tune  # noqa: E402
from tests.support.golden import golden_config_path, golden_papers  # noqa: E402

DAYS = ["2025-08-18", "2025-10-13", "2026-01-07", "2026-06-17"]
LABELS = ROOT / "tests" / "fixtures" / "labels" / "MLLM.csv"


def text_of(paper: Paper) -> str:
    return f"{paper.title} {paper.abstract}"


def main() -> None:
    labels = {paper_id: label.relevant for paper_id, label in load_labels(LABELS).labels.items()}
    plan = make_plan(load_config(golden_config_path(DAYS[0])), ("MLLM",))
    holidays = load_holidays()
    days = one_date_each(
        [LabelledDay(announcement_in_force(date.fromisoformat(day), holidays), golden_papers(day)) for day in DAYS],
        labels,
    )
    planned = plan.topics["MLLM"]
    words = TopicPlan(planned.topic, replace(planned.rules, match="words"))
    report = tune("MLLM", planned, days, plan.subscribed, labels, description=description_of(planned.topic))
    best = report.best
    print(f"best keyword setting (tune): {best.name}: {best.confusion.describe()}")

    alone, veto, unlabelled = Confusion(), Confusion(), 0
    for held in days:
        model = fitted([day for day in days if day is not held], labels)
        scores = model.predict_proba([text_of(p) for p in held.papers])[:, 1]
        probability = {p.id: float(score) for p, score in zip(held.papers, scores, strict=True)}
        ids = [p.id for p in held.papers if p.id in labels]
        alone += Confusion.count((i for i in ids if probability[i] >= 0.5), {i: labels[i] for i in ids})
        unlabelled += sum(1 for p in held.papers if p.id not in labels and probability[p.id] >= 0.5)
        verdicts = evaluate([held], words, plan.subscribed, labels, semantic=False).verdicts
        kept = (i for i, d in verdicts.items() if d.kept and probability[i] >= 0.5)
        veto += Confusion.count(kept, {i: labels[i] for i in verdicts})
    every = Confusion(alone.tp, alone.fp + unlabelled, alone.fn, alone.tn)
    print(f"tf-idf logistic regression, labelled papers: {alone.describe()}")
    print(f"the same, unlabelled papers it keeps ({unlabelled}) counted as wrongly kept: {every.describe()}")
    print(f"words-mode keywords, vetoed by p < 0.5:      {veto.describe()}")
    margin = max(every.f1, veto.f1) - best.confusion.f1
    print(f"classifier minus best keyword F1: {margin:+.3f} ({'ship it' if margin >= 0.02 else 'leave it out'})")


def fitted(train: Sequence[LabelledDay], labels: dict[str, bool]):  # type: ignore[no-untyped-def]
    papers = [p for day in train for p in day.papers if p.id in labels]
    model = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(class_weight="balanced", solver="liblinear", C=4.0),
    )
    return model.fit([text_of(p) for p in papers], [labels[p.id] for p in papers])


if __name__ == "__main__":
    main()
