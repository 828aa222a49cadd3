"""Where recall is lost, by comparison level: every missed true pair scored field by field.

    .venv/bin/python bench/resolution/losses.py --records r.csv --truth t.csv [--as-of 2022-03-01]

Runs resolve-file's pipeline (training on the input as it does), keeps the trained model,
then scores each true pair that did not end in one cluster with the plain-Python scorer
(term frequencies as the batch uses them), and counts: whether any blocking rule makes it
a candidate; which level each field reached; the total weight band. Prints the commonest
level combinations among the misses, and per field how often each level occurs in missed
pairs versus linked ones.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import sys
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import django

csv.field_size_limit(10_000_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--as-of", default="")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--examples", default="", help="name levels whose missed pairs to print, comma-separated"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")
    django.setup()
    sys.path.insert(0, str(Path(__file__).parent))
    import compare

    from haven.resolution import guards, model
    from haven.resolution.realtime import Scorer, TermFrequencies, frozen
    from haven.resolution.records import INSUFFICIENT, MATCH_COLUMNS, record_prepare
    from haven.resolution.resolve import Thresholds, rare_values_mark, records_resolve

    today = dt.date.fromisoformat(args.as_of) if args.as_of else None
    rows = compare._read_rows(args.records)
    truth = compare._read_truth(args.truth)
    records = [record_prepare(r, today=today) for r in rows]
    trained: dict = {}
    original = model.model_train

    def keep(frame, spec, **kw):  # type: ignore[no-untyped-def]
        trained.update(original(frame, spec, **kw))
        return trained

    model.model_train = keep  # type: ignore[assignment]
    resolution = records_resolve(records)
    eligible = [r for r in records if INSUFFICIENT not in r["flags"]]
    rare_values_mark(eligible)
    by_id = {r["unique_id"]: frozen(r) for r in records}
    frame = model.frame_build(eligible, MATCH_COLUMNS)
    tf = TermFrequencies.from_frame(frame, trained)
    scorer = Scorer(trained, term_frequencies=tf)
    thresholds = Thresholds().for_records(len(eligible))
    rules = [
        _rule(r["blocking_rule"] if isinstance(r, dict) else r)
        for r in trained["blocking_rules_to_generate_predictions"]
    ]
    members: dict[str, list[str]] = defaultdict(list)
    for rid, person in truth.items():
        members[person].append(rid)
    outcome: Counter[str] = Counter()
    combos: Counter[tuple[str, ...]] = Counter()
    unblocked: Counter[str] = Counter()
    wanted = {w for w in args.examples.split(",") if w}
    shown: Counter[str] = Counter()
    raw = {r["record_id"]: r for r in rows}
    levels_missed: dict[str, Counter[str]] = defaultdict(Counter)
    levels_linked: dict[str, Counter[str]] = defaultdict(Counter)
    for ids in members.values():
        for a, b in combinations(sorted(ids), 2):
            ra, rb = by_id[a], by_id[b]
            linked = resolution.cluster_of[a] == resolution.cluster_of[b]
            score = scorer.score(ra, rb)
            target = levels_linked if linked else levels_missed
            for f in score.fields:
                target[f.field][f.label] += 1
            if linked:
                outcome["linked"] += 1
                continue
            if INSUFFICIENT in ra["flags"] or INSUFFICIENT in rb["flags"]:
                outcome["insufficient"] += 1
                continue
            candidate = any(rule(ra, rb) for rule in rules)
            if not candidate:
                kind = "not a candidate" + (
                    " (weight >= auto)"
                    if score.weight >= thresholds.auto
                    else " (review band)"
                    if score.weight >= thresholds.review
                    else ""
                )
            elif score.weight >= thresholds.auto:
                kind = "candidate, auto weight, refused by guard/cluster"
            elif score.weight >= thresholds.review:
                kind = "candidate, review band"
            else:
                kind = "candidate, below review"
            outcome[kind] += 1
            if kind == "not a candidate (weight >= auto)":
                agree = [
                    c
                    for c in (
                        "name_first",
                        "name_cons",
                        "father_cons",
                        "dob_year",
                        "dob_exact",
                        "phone",
                        "tazkira",
                        "passport",
                        "province",
                    )
                    if ra.get(c) is not None and ra.get(c) == rb.get(c)
                ]
                unblocked[" ".join(agree)] += 1
            name_level = next(f.label for f in score.fields if f.field == "name")
            if name_level in wanted and shown[name_level] < 15:
                shown[name_level] += 1
                print(f"[{name_level}] {kind} w={score.weight:.1f}")
                for r in (raw[a], raw[b]):
                    print(
                        "    ",
                        " | ".join(
                            r.get(c, "")
                            for c in (
                                "full_name",
                                "given_name",
                                "family_name",
                                "father_name",
                                "date_of_birth",
                                "phone",
                            )
                        ),
                    )
                print(
                    f"     keys {ra['name_key']!r} / {rb['name_key']!r}  father "
                    f"{ra['father_key']!r} / {rb['father_key']!r}"
                )
            combos[
                (
                    kind[:14],
                    *(
                        f"{f.field}:{f.label}"
                        for f in score.fields
                        if f.field in ("name", "father", "dob", "phone")
                    ),
                )
            ] += 1
    total = sum(outcome.values())
    print(
        f"true pairs {total}; thresholds auto {thresholds.auto:.2f} review {thresholds.review:.2f}"
    )
    for kind, n in outcome.most_common():
        print(f"  {kind:50} {n:7} {n / total:6.1%}")
    print("\nnot candidates at auto weight: the columns they agree on")
    for agree, n in unblocked.most_common(15):
        print(f"  {n:6}  {agree}")
    print("\nmissed pairs, commonest level combinations (name, father, dob, phone):")
    for combo, n in combos.most_common(args.top):
        print(f"  {n:6}  {' | '.join(combo)}")
    print("\nper field: level -> missed / linked")
    for field_name in levels_missed:
        print(f"  {field_name}")
        for label, n in levels_missed[field_name].most_common(8):
            print(f"      {label:45} {n:7} {levels_linked[field_name][label]:7}")
    del guards


def _rule(text: str):  # type: ignore[no-untyped-def]
    """A blocking rule (equality parts joined by AND) as a predicate on two records."""
    import re

    parts = []
    for part in text.split(" AND "):
        m = re.match(r"\s*l\.(\w+)\s*=\s*r\.\1\s*$", part)
        if m:
            col = m.group(1)
            parts.append(lambda a, b, c=col: a.get(c) is not None and a.get(c) == b.get(c))
            continue
        m = re.match(r"\s*substr\(l\.(\w+), 1, (\d)\) = substr\(r\.\1, 1, \2\)\s*$", part)
        assert m, part
        col, k = m.group(1), int(m.group(2))
        parts.append(
            lambda a, b, c=col, k=k: (
                a.get(c) is not None and b.get(c) is not None and a[c][:k] == b[c][:k]
            )
        )
    return lambda a, b: all(p(a, b) for p in parts)


if __name__ == "__main__":
    main()
