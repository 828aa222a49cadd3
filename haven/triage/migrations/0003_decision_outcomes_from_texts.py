"""Step 2 of 3: point every stored decision at a shared outcome made from its
own texts (and, backwards, copy the outcome's texts back onto the decision)."""

import hashlib
import json

from django.db import migrations

TEXT_FIELDS = (
    "rule",
    "pathway",
    "next_action",
    "evidence_missing",
    "requires_third_country",
    "explanation",
)


def _key(guidance_id, values):
    # Same content and encoding as haven.triage.services.outcome_key.
    content = [guidance_id, *(list(v) if isinstance(v, tuple) else v for v in values)]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def texts_to_outcomes(apps, schema_editor):
    TriageDecision = apps.get_model("triage", "TriageDecision")
    DecisionOutcome = apps.get_model("triage", "DecisionOutcome")
    ids = {}
    rows = TriageDecision.objects.filter(outcome__isnull=True).values_list(
        "pk", "guidance_id", *TEXT_FIELDS
    )
    by_outcome = {}
    for pk, guidance_id, *values in rows.iterator(chunk_size=5000):
        key = _key(guidance_id, values)
        if key not in ids:
            outcome, _ = DecisionOutcome.objects.get_or_create(
                key=key,
                defaults={
                    "guidance_id": guidance_id,
                    **dict(zip(TEXT_FIELDS, values, strict=True)),
                },
            )
            ids[key] = outcome.pk
        by_outcome.setdefault(ids[key], []).append(pk)
    for outcome_id, pks in by_outcome.items():
        for start in range(0, len(pks), 5000):
            TriageDecision.objects.filter(pk__in=pks[start : start + 5000]).update(
                outcome_id=outcome_id
            )


def outcomes_to_texts(apps, schema_editor):
    TriageDecision = apps.get_model("triage", "TriageDecision")
    DecisionOutcome = apps.get_model("triage", "DecisionOutcome")
    for outcome in DecisionOutcome.objects.all():
        TriageDecision.objects.filter(outcome_id=outcome.pk).update(
            **{name: getattr(outcome, name) for name in TEXT_FIELDS}
        )


class Migration(migrations.Migration):
    dependencies = [("triage", "0002_decision_outcomes_and_retriage_shards")]

    operations = [migrations.RunPython(texts_to_outcomes, outcomes_to_texts)]
