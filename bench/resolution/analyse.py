"""Where Haven's matcher goes wrong on a file with truth: missed pairs and false links, by cause.

    .venv/bin/python bench/resolution/analyse.py --records r.csv --truth t.csv [--examples 15]
    .venv/bin/python bench/resolution/analyse.py --seed-records 10000
    .venv/bin/python bench/resolution/analyse.py --heldout 10000

True pairs (same person) are put in one of: linked automatically; best weight in the
review band; scored below review; never a candidate. Each is broken down by what the
two records had in common, and examples print the rows as written and their weights
per comparison, so the cause of a miss can be read off.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

import django

csv.field_size_limit(10_000_000)

_SHOW = (
    "full_name",
    "given_name",
    "family_name",
    "father_name",
    "sex",
    "date_of_birth",
    "phone",
    "passport_number",
    "tazkira_number",
)


def _profile(a: dict[str, Any], b: dict[str, Any]) -> str:
    """What two prepared records share, as a short tag: n=name f=father d=date y=year..."""

    def agree(column: str) -> str:
        if not a[column] or not b[column]:
            return "-"
        return "=" if a[column] == b[column] else "x"

    parts = [
        f"name{agree('name_cons')}",
        f"fa{agree('father_cons')}",
        f"yr{agree('dob_year')}",
        f"doc{'=' if any(a[c] and a[c] == b[c] for c in ('passport', 'tazkira', 'siv')) else '-'}",
        f"ph{agree('phone')}",
    ]
    return " ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--records", type=Path)
    source.add_argument("--seed-records", type=int)
    source.add_argument("--heldout", type=int)
    parser.add_argument("--truth", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--examples", type=int, default=12)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")
    django.setup()
    sys.path.insert(0, str(Path(__file__).parent))
    import compare

    with tempfile.TemporaryDirectory() as tmp:
        if args.seed_records:
            records_path, truth_path = compare._seed(args.seed_records, Path(tmp), args.seed)
        elif args.heldout:
            records_path, truth_path = compare._heldout(args.heldout, Path(tmp), args.seed)
        else:
            records_path, truth_path = args.records, args.truth
        rows = compare._read_rows(records_path)
        truth = compare._read_truth(truth_path)
    _analyse(rows, truth, args.examples)


def _analyse(rows: list[dict[str, str]], truth: dict[str, str], n_examples: int) -> None:
    from haven.resolution.evaluation import pairwise_scores
    from haven.resolution.records import record_prepare
    from haven.resolution.resolve_file import rows_resolve

    by_id = {r["record_id"]: r for r in rows}
    prepared = {r["record_id"]: record_prepare(r) for r in rows}
    resolution = rows_resolve([dict(r) for r in rows])
    scores = pairwise_scores(resolution.cluster_of, truth)
    review = sum(d == "review" for d in resolution.decision.values()) / len(rows)
    print(scores.line(), f"review {review:.1%}")
    weight: dict[tuple[str, str], float] = {}
    for a, b, w in resolution.pairs[["unique_id_l", "unique_id_r", "match_weight"]].itertuples(
        index=False
    ):
        weight[tuple(sorted((str(a), str(b))))] = float(w)  # type: ignore[assignment]
    members: dict[str, list[str]] = defaultdict(list)
    for record_id, person in truth.items():
        if record_id in by_id:
            members[person].append(record_id)
    outcome: Counter[str] = Counter()
    by_profile: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for ids in members.values():
        for a, b in combinations(sorted(ids), 2):
            pair = (a, b)
            if resolution.cluster_of[a] == resolution.cluster_of[b]:
                kind = "auto"
            elif pair in weight:
                kind = "review band"
            elif _insufficient(prepared[a]) or _insufficient(prepared[b]):
                kind = "insufficient data"
            else:
                kind = "not a candidate / below review"
            outcome[kind] += 1
            profile = _profile(prepared[a], prepared[b])
            by_profile[kind][profile] += 1
            examples[kind].append(pair)
    total = sum(outcome.values())
    print(f"\ntrue pairs: {total}")
    for kind, count in outcome.most_common():
        print(f"  {kind:32} {count:7} {count / total:6.1%}")
        for profile, c in by_profile[kind].most_common(8):
            print(f"      {profile:40} {c:6}")
    # False links: pairs in one cluster that truth separates.
    clusters: dict[str, list[str]] = defaultdict(list)
    for record_id, cluster in resolution.cluster_of.items():
        clusters[cluster].append(record_id)
    false_profiles: Counter[str] = Counter()
    false_examples: list[tuple[str, str]] = []
    same_household = 0
    for ids in clusters.values():
        for a, b in combinations(sorted(ids), 2):
            if truth.get(a) != truth.get(b):
                false_profiles[_profile(prepared[a], prepared[b])] += 1
                false_examples.append((a, b))
                same_household += (
                    truth.get(a, "").rsplit("-", 1)[0] == truth.get(b, "").rsplit("-", 1)[0]
                )
    print(f"\nfalse links: {len(false_examples)} (same household: {same_household})")
    for profile, c in false_profiles.most_common(8):
        print(f"      {profile:40} {c:6}")

    def show(pair: tuple[str, str]) -> None:
        a, b = pair
        w = weight.get(pair)
        print(
            f"  -- {a} / {b}  weight {w if w is None else round(w, 2)}  truth {truth[a]} {truth[b]}"
        )
        for record_id in pair:
            row = by_id[record_id]
            print("     ", " | ".join(f"{row.get(c, '')}" for c in _SHOW))
        pa, pb = prepared[a], prepared[b]
        print(
            f"      keys: {pa['name_key']!r} / {pb['name_key']!r}; father {pa['father_key']!r} / {pb['father_key']!r}"
        )

    for kind in ("review band", "not a candidate / below review"):
        print(f"\nexamples: {kind}")
        for pair in examples[kind][:: max(1, len(examples[kind]) // n_examples)][:n_examples]:
            show(pair)
    print("\nexamples: false links")
    for pair in false_examples[:: max(1, len(false_examples) // n_examples)][:n_examples]:
        show(pair)


def _insufficient(record: dict[str, Any]) -> bool:
    from haven.resolution.records import INSUFFICIENT

    return INSUFFICIENT in record["flags"]


if __name__ == "__main__":
    main()
