"""Re-triage throughput: the engine over N synthetic cases (default 1,000,000).

    .venv/bin/python bench/triage/retriage.py [--cases N] [--processes P] [--uniform]
                                              [--db-cases M]

Prints the figures the issue asks for. Facts are drawn from a seeded,
skewed distribution like a real caseload (most people Afghan, in Afghanistan
or Pakistan, no US employer); --uniform draws every fact independently and
uniformly instead, the worst case for memoisation. --db-cases also times the
database part (bulk writes of decisions and cases) on a throw-away SQLite
database and extrapolates it to N.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")

SKEW: dict[str, list[tuple[Any, float]]] = {
    "nationality": [("AF", 0.93), ("PK", 0.03), ("US", 0.02), (None, 0.02)],
    "current_country": [("AF", 0.55), ("PK", 0.35), ("IR", 0.05), ("QA", 0.03), (None, 0.02)],
    "is_us_citizen": [(False, 0.9), (True, 0.02), (None, 0.08)],
    "is_us_lpr": [(False, 0.88), (True, 0.02), (None, 0.1)],
    "employer_type": [
        ("none", 0.45), ("other", 0.15), ("us_government", 0.08),
        ("us_government_contractor", 0.1), ("us_government_subcontractor", 0.04),
        ("isaf_or_resolute_support", 0.04), ("us_funded_program", 0.04),
        ("us_based_media", 0.02), ("us_based_ngo", 0.03), (None, 0.05),
    ],
    "has_recommendation_letter": [(False, 0.6), (True, 0.2), (None, 0.2)],
    "siv_stage": [
        ("none", 0.7), ("com_application_submitted", 0.12), ("com_approved", 0.04),
        ("com_denied", 0.03), ("i360_approved", 0.02), ("interview_scheduled", 0.01),
        ("visa_issued", 0.01), (None, 0.07),
    ],
    "referral_source": [
        ("none", 0.6), ("self", 0.15), ("unhcr", 0.05), ("us_embassy", 0.02),
        ("designated_ngo", 0.03), ("us_government_agency", 0.03),
        ("us_media_or_ngo_senior_us_citizen", 0.02), (None, 0.1),
    ],
    "us_relative": [("none", 0.8), ("us_citizen", 0.05), ("us_lpr", 0.03), (None, 0.12)],
    "claims_eligibility": [(False, 0.5), (True, 0.4), (None, 0.1)],
}  # fmt: skip
VULNERABILITIES = [
    "urgent_medical", "imminent_threat", "unaccompanied_child",
    "woman_at_risk", "disability", "elderly",
]  # fmt: skip


def skewed_facts(rng: random.Random) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for name, options in SKEW.items():
        values, weights = zip(*options, strict=True)
        value = rng.choices(values, weights)[0]
        if value is not None:
            facts[name] = value
    facts["employment_months"] = rng.choice([0, 0, 0, 3, 8, 11, 12, 14, 24, 36, 60, 120])
    facts["vulnerabilities"] = rng.sample(VULNERABILITIES, rng.choice([0, 0, 0, 1, 1, 2]))
    facts["dependants"] = rng.randint(0, 9)
    facts["days_waiting"] = rng.randint(0, 400)
    return facts


def uniform_facts(rng: random.Random) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for name, options in SKEW.items():
        value = rng.choice([v for v, _ in options])
        if value is not None:
            facts[name] = value
    facts["employment_months"] = rng.randint(0, 240)
    facts["vulnerabilities"] = sorted(rng.sample(VULNERABILITIES, rng.randint(0, 3)))
    facts["dependants"] = rng.randint(0, 12)
    facts["days_waiting"] = rng.randint(0, 700)
    return facts


def _setup() -> None:
    import django

    django.setup()


def triage_share(args: tuple[int, int, bool]) -> dict[str, Any]:
    """Triage one process's share of the cases; returns its timings."""
    seed, count, uniform = args
    _setup()
    from haven.triage import library
    from haven.triage.engine import Engine

    started = time.perf_counter()
    engine = Engine(library.find("us-afghan-2021@1"))
    compiled = time.perf_counter() - started
    rng = random.Random(seed)
    make = uniform_facts if uniform else skewed_facts
    cases = [make(rng) for _ in range(count)]
    started = time.perf_counter()
    pathways: dict[str, int] = {}
    for facts in cases:
        decision = engine.decide(facts, language="en")
        pathways[decision.pathway] = pathways.get(decision.pathway, 0) + 1
    return {
        "seconds": time.perf_counter() - started,
        "compile": compiled,
        "evaluations": engine.evaluations,
        "pathways": pathways,
    }


def bench_engine(cases: int, processes: int, uniform: bool) -> float:
    shares = [cases // processes + (1 if i < cases % processes else 0) for i in range(processes)]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=processes) as pool:
        results = list(pool.map(triage_share, [(i, n, uniform) for i, n in enumerate(shares)]))
    wall = time.perf_counter() - started
    busiest = max(r["seconds"] for r in results)
    pathways: dict[str, int] = {}
    for r in results:
        for k, v in r["pathways"].items():
            pathways[k] = pathways.get(k, 0) + v
    print(f"distribution: {'uniform (worst case)' if uniform else 'skewed (caseload-like)'}")
    print(f"cases: {cases:,} in {processes} process(es)")
    print(f"rules compiled once per process: {results[0]['compile'] * 1000:.0f} ms")
    print(f"CEL evaluations (memo misses): {sum(r['evaluations'] for r in results):,}")
    print(f"engine time (slowest process): {busiest:.1f} s = {cases / busiest:,.0f} cases/s")
    print(f"wall time incl. generating facts: {wall:.1f} s")
    print("pathways:", ", ".join(f"{k} {v:,}" for k, v in sorted(pathways.items())))
    return busiest


def bench_database(db_cases: int, cases: int) -> float:
    """Time the write path (one re-triage task, in this process) on SQLite and
    extrapolate; bench/triage/retriage_db.py runs the whole path end to end."""
    folder = tempfile.mkdtemp(prefix="haven-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["HAVEN_VAR_DIR"] = folder
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from haven.cases.models import Case
    from haven.triage import library, services, tasks
    from haven.triage.models import CaseFacts, GuidanceVersion, RetriageRun, RetriageShard

    rng = random.Random(7)
    created = Case.objects.bulk_create([Case(display_name="x") for _ in range(db_cases)], 5000)
    CaseFacts.objects.bulk_create(
        [CaseFacts(case=c, facts=skewed_facts(rng)) for c in created], batch_size=5000
    )
    version = services.guidance_store(pack=library.find("us-afghan-2021@1"), actor=None)
    GuidanceVersion.objects.filter(pk=version.pk).update(status="active")
    run = RetriageRun.objects.create(guidance=version, total=db_cases)
    shard = RetriageShard.objects.create(run=run, number=0)
    started = time.perf_counter()
    tasks.retriage_shard.call(shard.pk)
    seconds = time.perf_counter() - started
    per_million = seconds * cases / db_cases
    print(f"database path (SQLite, one process): {db_cases:,} cases in {seconds:.1f} s "
          f"= {db_cases / seconds:,.0f} cases/s; extrapolated to {cases:,}: {per_million:.0f} s")  # fmt: skip
    return per_million


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--uniform", action="store_true")
    parser.add_argument("--db-cases", type=int, default=0)
    args = parser.parse_args()
    engine_seconds = bench_engine(args.cases, args.processes, args.uniform)
    print(f"target: {args.cases:,} cases in under 300 s -> "
          f"{'met' if engine_seconds < 300 else 'NOT met'} for the engine")  # fmt: skip
    if args.db_cases:
        bench_database(args.db_cases, args.cases)


if __name__ == "__main__":
    main()
