"""Step 3 of 3: the texts now live in DecisionOutcome only.

The defaults set first only matter backwards, where the columns come back
on a filled table before 0003 copies the texts into them.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("triage", "0003_decision_outcomes_from_texts")]

    operations = [
        migrations.AlterField(
            model_name="triagedecision",
            name="rule",
            field=models.CharField(default="", max_length=100),
        ),
        migrations.AlterField(
            model_name="triagedecision",
            name="pathway",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.RemoveField(model_name="triagedecision", name="rule"),
        migrations.RemoveField(model_name="triagedecision", name="pathway"),
        migrations.RemoveField(model_name="triagedecision", name="next_action"),
        migrations.RemoveField(model_name="triagedecision", name="evidence_missing"),
        migrations.RemoveField(model_name="triagedecision", name="requires_third_country"),
        migrations.RemoveField(model_name="triagedecision", name="explanation"),
        migrations.AlterField(
            model_name="triagedecision",
            name="outcome",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="triage.decisionoutcome",
            ),
        ),
    ]
