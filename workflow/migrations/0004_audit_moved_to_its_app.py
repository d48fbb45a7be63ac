from django.db import migrations

from lib.migrations import drop_foreign_keys


def drop_proposal_key(apps, schema_editor):
    """The audit log moved below the workflow (audit 0001): its proposal column stays, without
    the foreign key an older database still has."""
    drop_foreign_keys(schema_editor, apps.get_model("audit", "AuditEvent"), ["proposal_id"])


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("workflow", "0003_term_reminders"),
    ]

    operations = [
        migrations.RunPython(drop_proposal_key, migrations.RunPython.noop),
    ]
