from django.db import migrations, models

_TRIGRAM_INDEX = "intake_personrecord_search_text_trgm"


def contact_hashes_fill(apps, schema_editor):
    """Requesters stored before: their contact's keyed hash, from the decrypted contact."""
    from haven.intake.normalize import contact_hash

    requesters = apps.get_model("intake", "Requester")
    # The contact is encrypted: the database cannot tell an empty one, Python can.
    for requester in requesters.objects.only("pk", "contact").iterator():
        hashed = contact_hash(requester.contact or "")
        if hashed:
            requesters.objects.filter(pk=requester.pk).update(contact_hash=hashed)


def trigram_index_create(apps, schema_editor):
    """On PostgreSQL with pg_trgm available: a trigram index, so the name search's
    "contains" over names as written reads an index instead of every record. SQLite (the
    demo, a few thousand records) scans."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {_TRIGRAM_INDEX} ON intake_personrecord "
            "USING gin (search_text gin_trgm_ops)"
        )


def trigram_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {_TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0013_mailbox_cursor_for_imap_polling"),
    ]

    operations = [
        migrations.AddField(
            model_name="requester",
            name="contact_hash",
            field=models.CharField(blank=True, db_index=True, max_length=64),
        ),
        migrations.RunPython(contact_hashes_fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index_create, trigram_index_drop),
    ]
