from django.db import migrations

from lib.migrations import drop_foreign_keys


def drop_decision_keys(apps, schema_editor):
    """An assignment keeps the ids of the decisions that made and ended it, without the foreign
    keys to documents that a database made before the apps were put in layers still has."""
    model = apps.get_model("personnel", "Assignment")
    drop_foreign_keys(schema_editor, model, ["decision_id", "end_decision_id"])


class Migration(migrations.Migration):

    dependencies = [
        ("personnel", "0002_assignment_decisions"),
    ]

    operations = [
        migrations.RunPython(drop_decision_keys, migrations.RunPython.noop),
    ]
