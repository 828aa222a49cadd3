"""Shared decision outcomes (rendered texts stored once) and re-triage shards.

Step 1 of 3: new tables and a nullable TriageDecision.outcome; 0003 fills it
from the texts stored on each decision, 0004 drops those texts.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_cases_members_notes_history"),
        ("triage", "0001_guidance_facts_decisions"),
    ]

    operations = [
        migrations.CreateModel(
            name="DecisionOutcome",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=64, unique=True)),
                ("rule", models.CharField(max_length=100)),
                ("pathway", models.CharField(max_length=64)),
                ("next_action", models.TextField(blank=True)),
                ("evidence_missing", models.JSONField(blank=True, default=list)),
                ("requires_third_country", models.BooleanField(default=False)),
                ("explanation", models.TextField(blank=True)),
                (
                    "guidance",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="outcomes",
                        to="triage.guidanceversion",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="RetriageShard",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField()),
                ("after_case_id", models.BigIntegerField(default=0)),
                ("up_to_case_id", models.BigIntegerField(blank=True, null=True)),
                ("last_case_id", models.BigIntegerField(default=0)),
                ("done", models.PositiveIntegerField(default=0)),
                ("finished", models.BooleanField(default=False)),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="shards",
                        to="triage.retriagerun",
                    ),
                ),
            ],
            options={
                "ordering": ["run", "number"],
                "constraints": [
                    models.UniqueConstraint(fields=("run", "number"), name="retriage_shard_once")
                ],
            },
        ),
        migrations.AddField(
            model_name="triagedecision",
            name="outcome",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="triage.decisionoutcome",
            ),
        ),
        # Lookups by case use the (case, -id) index; a second one only slows inserts.
        migrations.AlterField(
            model_name="triagedecision",
            name="case",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="triage_decisions",
                to="cases.case",
            ),
        ),
    ]
