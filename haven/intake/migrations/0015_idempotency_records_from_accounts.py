"""IdempotencyRecord, moved from accounts (0009_idempotency_records_move_to_intake renamed
its table, keeping the rows): here intake takes the model over, writing nothing to the
table, and the content type follows, so nothing refers to a model accounts no longer has."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def content_type_move(apps, schema_editor, source="accounts", target="intake"):
    content_types = apps.get_model("contenttypes", "ContentType")
    # Only when the target has none yet (a database migrated afresh creates it after).
    if not content_types.objects.filter(app_label=target, model="idempotencyrecord").exists():
        content_types.objects.filter(app_label=source, model="idempotencyrecord").update(
            app_label=target
        )


def content_type_move_back(apps, schema_editor):
    content_type_move(apps, schema_editor, source="intake", target="accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_idempotency_records_move_to_intake"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("intake", "0014_requester_contact_hash_and_name_trigram_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("key", models.CharField(max_length=255)),
                        ("request_fingerprint", models.CharField(max_length=64)),
                        ("response_status", models.PositiveSmallIntegerField()),
                        ("response_body_encrypted", models.TextField()),
                        (
                            "created_at",
                            models.DateTimeField(db_index=True, default=django.utils.timezone.now),
                        ),
                        (
                            "token",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.apitoken",
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("token", "key"), name="idempotency_token_key"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_move, content_type_move_back),
    ]
