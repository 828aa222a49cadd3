"""Request bodies for bench/intake_api, from Haven's synthetic households (as `haven seed`).

    DJANGO_SETTINGS_MODULE=haven.config.settings .venv/bin/python bench/intake_api/bodies.py \
        --requests 40000 --out bench/out/intake_api/bodies.jsonl

One JSON body per line, in the partner API's shape: the same families come again under other
spellings and dates, as they did in 2021, so the background worker matches as it would on
real traffic (not six names shared by everyone). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def body(data: Any) -> dict[str, Any]:
    from haven.intake.models import IdentifierKind

    kinds = {k.value for k in IdentifierKind}
    people = [
        {
            "relationship": p.relationship,
            "full_name": p.full_name,
            "given_name": p.given_name,
            "family_name": p.family_name,
            "father_name": p.father_name,
            "sex": p.sex,
            "date_of_birth": p.date_of_birth,
            "province": p.province,
            "identifiers": [{"kind": k, "value": v} for k, v in p.identifiers if k in kinds and v],
        }
        for p in data.people
    ]
    return {
        "people": people or [{"full_name": ""}],
        "location": {"country": data.current_country, "place": data.current_location[:200]},
        "help_requested": data.help_requested,
        "language": data.language,
        "consent_version": data.consent_version,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from haven.intake.synthetic.generator import generate

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for request in generate(requests=args.requests, seed=args.seed):
            out.write(json.dumps(body(request.data), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
