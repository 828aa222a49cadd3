"""The shipped texts (texts.DEFAULTS) as the desk's first templates, in three languages."""

from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from haven.communications.texts import DEFAULTS

    MessageTemplate = apps.get_model("communications", "MessageTemplate")
    for purpose, languages in DEFAULTS.items():
        for language, (subject, body, sms_body) in languages.items():
            MessageTemplate.objects.get_or_create(
                purpose=purpose,
                language=language,
                defaults={"subject": subject, "body": body, "sms_body": sms_body},
            )


def unload(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("communications", "MessageTemplate").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("communications", "0001_messages_outbox_optouts")]
    operations = [migrations.RunPython(load, unload)]
