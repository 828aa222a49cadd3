"""Pairwise precision, recall and F1 of a clustering against ground truth."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PairwiseScores:
    true_positives: int
    predicted_pairs: int
    true_pairs: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (
            f"precision {self.precision:.4f}  recall {self.recall:.4f}  F1 {self.f1:.4f}"
            f"  (pairs: predicted {self.predicted_pairs}, true {self.true_pairs},"
            f" correct {self.true_positives})"
        )


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(cluster_of: Mapping[str, str], truth_of: Mapping[str, str]) -> PairwiseScores:
    """Every pair of records put in one cluster is a predicted link; compare with truth.

    Counting by cluster/entity cells keeps this linear in records, not pairs.
    """
    ids = [i for i in cluster_of if i in truth_of]
    cells = Counter((cluster_of[i], truth_of[i]) for i in ids)
    clusters = Counter(cluster_of[i] for i in ids)
    entities = Counter(truth_of[i] for i in ids)
    return PairwiseScores(
        true_positives=sum(_pairs(n) for n in cells.values()),
        predicted_pairs=sum(_pairs(n) for n in clusters.values()),
        true_pairs=sum(_pairs(n) for n in entities.values()),
    )
