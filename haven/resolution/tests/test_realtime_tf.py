"""Real-time scoring applies term frequencies as the batch does: a common name counts less."""

from __future__ import annotations

import random

import pytest

from haven.resolution import heldout, model, records, resolve
from haven.resolution.realtime import Scorer, TermFrequencies, frozen, packaged_scorer


def _prepared(name: str, father: str) -> dict[str, object]:
    row = {"record_id": name, "full_name": name, "father_name": father, "date_of_birth": "1990"}
    return frozen(records.record_prepare(row))


def _common_and_rare_first_names() -> tuple[str, str]:
    table = TermFrequencies.from_json(model.packaged_term_frequencies()).tables["name_key"]
    listed = sorted(table.items(), key=lambda item: item[1])
    single = [(k, f) for k, f in listed if " " not in str(k)]
    return str(single[-1][0]), str(single[0][0])


def test_a_rare_name_agreeing_counts_for_more_than_a_common_one() -> None:
    scorer = packaged_scorer()
    common, rare = _common_and_rare_first_names()
    assert scorer.term_frequencies is not None
    common_tf = scorer.term_frequencies.of("name_key", common)
    rare_tf = scorer.term_frequencies.of("name_key", rare)
    assert common_tf is not None and rare_tf is not None and common_tf > rare_tf
    common_pair = scorer.weight(_prepared(common, "Karim"), _prepared(common, "Karim"))
    rare_pair = scorer.weight(_prepared(rare, "Karim"), _prepared(rare, "Karim"))
    assert rare_pair > common_pair + 1


def test_mohammad_counts_for_less_than_the_average_name() -> None:
    with_tf = packaged_scorer()
    without_tf = Scorer(model.packaged_model())
    left, right = _prepared("Mohammad", "Karim"), _prepared("Muhammad", "Karim")
    assert with_tf.weight(left, right) < without_tf.weight(left, right)


def test_a_name_the_table_does_not_list_counts_with_the_average_weight() -> None:
    with_tf = packaged_scorer()
    without_tf = Scorer(model.packaged_model())
    left, right = _prepared("Xqzwvor", "Karim"), _prepared("Xqzwvor", "Karim")
    assert with_tf.score(left, right).fields[0].weight == pytest.approx(
        without_tf.score(left, right).fields[0].weight
    )
    assert with_tf.weight(left, right) != without_tf.weight(left, right)  # the father's is listed


def test_the_real_time_and_batch_scorers_agree_with_term_frequencies() -> None:
    rows = list(heldout.heldout_records(2600, seed=5))
    prepared = records.records_prepare(rows)
    resolve.rare_values_mark(prepared)
    by_id = {r["unique_id"]: frozen(r) for r in prepared}
    frame = model.frame_build(prepared, records.MATCH_COLUMNS)
    trained = model.packaged_model()
    assert len(frame) >= model.MIN_RECORDS_TO_TRAIN  # so the batch applies term frequencies
    pairs = model.pairs_score(frame, trained, min_weight=-80)
    scorer = Scorer(trained, term_frequencies=TermFrequencies.from_frame(frame, trained))
    sample = random.Random(3).sample(list(pairs.itertuples(index=False)), 1500)
    differs = 0
    for pair in sample:
        left, right = by_id[str(pair.unique_id_l)], by_id[str(pair.unique_id_r)]
        if scorer.weight(left, right) != pytest.approx(pair.match_weight, abs=1e-6):
            differs += 1
    assert differs == 0
    # Term frequencies did move some weights: the comparison above is not the TF-free one.
    plain = Scorer(trained)
    moved = sum(
        abs(plain.weight(by_id[str(p.unique_id_l)], by_id[str(p.unique_id_r)]) - p.match_weight)
        > 0.5
        for p in sample
    )
    assert moved > 100


def test_term_frequencies_survive_their_json_form() -> None:
    tf = TermFrequencies({"dob_year": {1990: 0.02}, "name_key": {"ahmad": 0.1}})
    again = TermFrequencies.from_json(tf.as_json())
    assert again.of("dob_year", 1990.0) == 0.02
    assert again.of("name_key", "ahmad") == 0.1
    assert again.of("name_key", "zzz") is None
