"""Measured quality: FEBRL3 (public) and the held-out generator (made differently from `haven seed`)."""

from __future__ import annotations

import pytest

from haven.resolution.evaluation import pairwise_scores
from haven.resolution.febrl import febrl_benchmark
from haven.resolution.heldout import heldout_records
from haven.resolution.resolve_file import rows_resolve


@pytest.mark.slow
def test_it_scores_f1_of_at_least_0_99_on_febrl3() -> None:
    scores, _ = febrl_benchmark("febrl3")
    assert scores.f1 >= 0.99


def test_its_automatic_links_are_precise_on_held_out_data() -> None:
    rows = list(heldout_records(3000, seed=21))
    resolution = rows_resolve(rows)
    truth = {r["record_id"]: r["person_id"] for r in rows}
    scores = pairwise_scores(resolution.cluster_of, truth)
    assert scores.precision >= 0.99
    assert scores.recall >= 0.75
    review_share = sum(d == "review" for d in resolution.decision.values()) / len(rows)
    assert review_share < 0.08


def test_it_scores_small_inputs_with_the_packaged_model() -> None:
    rows = list(heldout_records(600, seed=5))
    resolution = rows_resolve(rows)
    assert not resolution.trained_on_input
    truth = {r["record_id"]: r["person_id"] for r in rows}
    assert pairwise_scores(resolution.cluster_of, truth).precision >= 0.98
