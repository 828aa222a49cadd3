"""Train the packaged model (haven/resolution/haven_model.json) on synthetic records.

The packaged model scores inputs too small to train on (under
model.MIN_RECORDS_TO_TRAIN rows) and, later, the real-time intake path.
Trained on the held-out generator so it owes nothing to `haven seed`.

    .venv/bin/python bench/resolution/train_model.py --records 30000

Also writes haven_tf.json: the term frequencies of the same records' people (as
model.people_term_frequencies counts them), which real-time scoring applies.
"""

from __future__ import annotations

import argparse
import json
import os
from importlib import resources

import django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--tf-only", action="store_true", help="write only haven_tf.json, for the model as it is"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")
    django.setup()
    from haven.resolution import guards, heldout, model
    from haven.resolution.realtime import TermFrequencies
    from haven.resolution.records import INSUFFICIENT, MATCH_COLUMNS, record_prepare
    from haven.resolution.resolve import rare_values_mark

    records = [record_prepare(r) for r in heldout.heldout_records(args.records, seed=args.seed)]
    guards.placeholders_remove(records)
    records = [r for r in records if INSUFFICIENT not in r["flags"]]
    rare_values_mark(records)
    frame = model.frame_build(records, MATCH_COLUMNS)
    if args.tf_only:
        trained = model.packaged_model()
    else:
        trained = model.model_train(frame, model.haven_spec())
        trained.pop("linker_uid", None)
        _keep_hand_fixed(trained, model.packaged_model())
        _write(model.PACKAGED_MODEL, trained)
    # Real-time scoring's term frequencies: the same people's, counted as the batch counts them.
    tf = TermFrequencies.from_frame(frame, trained).as_json()
    _write(model.PACKAGED_TERM_FREQUENCIES, tf, indent=None)
    print(f"wrote the model{' (tf only)' if args.tf_only else ''} from {len(records)} records")


# No training data has e-mail addresses: the e-mail comparison's weights were set by hand
# (see git log of haven_model.json) and are carried over from the model being replaced.
HAND_FIXED = ("email",)


def _keep_hand_fixed(trained: dict, previous: dict) -> None:  # type: ignore[type-arg]
    old = {c["output_column_name"]: c for c in previous["comparisons"]}
    for comparison in trained["comparisons"]:
        name = comparison["output_column_name"]
        if name in HAND_FIXED and name in old:
            comparison["comparison_levels"] = old[name]["comparison_levels"]


def _write(name: str, data: object, *, indent: int | None = 1) -> None:
    path = resources.files("haven.resolution").joinpath(name)
    with open(str(path), "w", encoding="utf-8") as stream:
        json.dump(data, stream, indent=indent, sort_keys=True, ensure_ascii=False)
        stream.write("\n")


if __name__ == "__main__":
    main()
