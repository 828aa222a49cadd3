"""What the import made of the synthetic inbox, against the generator's truth.

Run with the benchmark's DATABASE_URL (run.py does):
    python bench/mail_backlog/evaluate.py /tmp/inbox.truth.jsonl

- share parsed: of the messages that name someone, those whose request has a named person;
- members found: named people the truth lists, found as person records (by given name);
- matching precision and recall: pairs of person records that resolution put in one Person,
  against pairs that are one true person;
- families: true households and the cases they became (one each is perfect).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path


def _pairs(counter: Counter[object]) -> int:
    return sum(n * (n - 1) // 2 for n in counter.values())


def main(truth_path: Path) -> dict[str, object]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.config.settings")
    import django

    django.setup()
    from haven.cases.models import CaseRequest
    from haven.intake.importing.mailpatterns import fold
    from haven.intake.models import MailMessage, PersonRecord
    from haven.resolution.models import PersonLink

    truth = {}
    with truth_path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            truth[row["message_id"]] = row
    request_of: dict[int, dict[str, object]] = {}
    for message_id, request_id in MailMessage.objects.values_list("message_id", "request_id"):
        if message_id in truth:
            request_of[request_id] = truth[message_id]
    records: dict[int, list[PersonRecord]] = defaultdict(list)
    for record in PersonRecord.objects.filter(request__channel="email").only(
        "id", "request_id", "full_name", "given_name"
    ):
        records[record.request_id].append(record)
    person_of = dict(
        PersonLink.objects.filter(ended_at__isnull=True).values_list(
            "person_record_id", "person_id"
        )
    )
    case_of = dict(CaseRequest.objects.values_list("request_id", "case_id"))

    naming = parsed = truth_people = found = 0
    assigned: list[tuple[int, int]] = []  # (true person, resolved person)
    family_cases: dict[int, set[int]] = defaultdict(set)
    for request_id, row in request_of.items():
        people = row["people"]
        if row["family"] and request_id in case_of:
            family_cases[int(row["family"])].add(case_of[request_id])
        if not people:
            continue
        naming += 1
        mine = records.get(request_id, [])
        if any(r.full_name or r.given_name for r in mine):
            parsed += 1
        truth_people += len(people)
        free = list(mine)
        for pid, latin, dari in people:
            for record in free:
                first = fold(
                    (record.full_name or record.given_name).split(" ")[0]
                    if (record.full_name or record.given_name)
                    else ""
                )
                if (first and first in (fold(latin), fold(dari.split(" ")[0]))) or (
                    first and fold(latin).startswith(first[:3]) and len(first) >= 3
                ):
                    found += 1
                    free.remove(record)
                    if record.pk in person_of:
                        assigned.append((pid, person_of[record.pk]))
                    break
    true_pairs = _pairs(Counter(t for t, _p in assigned))
    predicted = _pairs(Counter(p for _t, p in assigned))
    both = _pairs(Counter(assigned))
    families = len(family_cases)
    cases = sum(len(c) for c in family_cases.values())
    result = {
        "messages_known": len(request_of),
        "share_parsed": round(parsed / max(naming, 1), 4),
        "members_found": round(found / max(truth_people, 1), 4),
        "matching_precision": round(both / max(predicted, 1), 4),
        "matching_recall": round(both / max(true_pairs, 1), 4),
        "pairs": {"true": true_pairs, "predicted": predicted, "both": both},
        "families": families,
        "cases_for_those_families": cases,
        "cases_per_family": round(cases / max(families, 1), 3),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main(Path(sys.argv[1]))
