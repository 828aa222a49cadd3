"""Train the packaged model (haven/resolution/haven_model.json) on synthetic records.

The packaged model scores inputs too small to train on (under
model.MIN_RECORDS_TO_TRAIN rows) and, later, the real-time intake path.
Trained on the held-out generator so it owes nothing to `haven seed`.

    .venv/bin/python bench/resolution/train_model.py --records 30000
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
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")
    django.setup()
    from haven.resolution import guards, heldout, model
    from haven.resolution.records import INSUFFICIENT, MATCH_COLUMNS, record_prepare
    from haven.resolution.resolve import rare_values_mark

    records = [record_prepare(r) for r in heldout.heldout_records(args.records, seed=args.seed)]
    guards.placeholders_remove(records)
    records = [r for r in records if INSUFFICIENT not in r["flags"]]
    rare_values_mark(records)
    trained = model.model_train(model.frame_build(records, MATCH_COLUMNS), model.haven_spec())
    trained.pop("linker_uid", None)
    path = resources.files("haven.resolution").joinpath(model.PACKAGED_MODEL)
    with open(str(path), "w", encoding="utf-8") as stream:
        json.dump(trained, stream, indent=1, sort_keys=True)
        stream.write("\n")
    print(f"wrote {path} from {len(records)} records")


if __name__ == "__main__":
    main()
