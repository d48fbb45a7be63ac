import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The audit log moved here from the workflow app with its tables. A database made before the
# move already has the tables, the trigger and the chain head (workflow 0001 and 0002 made them
# then): this migration only takes the models into its state there, and creates what is missing
# on a fresh database.

# On PostgreSQL the audit table refuses UPDATE and DELETE: the log is append-only even for the
# application's own database user. (TRUNCATE is left alone so test databases can be flushed; a
# superuser can still disable the trigger, which is what the hash chain and verify_audit catch.)
CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION workflow_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workflow_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS workflow_auditevent_append_only ON workflow_auditevent;
CREATE TRIGGER workflow_auditevent_append_only
    BEFORE UPDATE OR DELETE ON workflow_auditevent
    FOR EACH ROW EXECUTE FUNCTION workflow_auditevent_refuse_change();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS workflow_auditevent_append_only ON workflow_auditevent;
DROP FUNCTION IF EXISTS workflow_auditevent_refuse_change();
"""


def create_missing_tables(apps, schema_editor):
    existing = schema_editor.connection.introspection.table_names()
    for name in ("AuditEvent", "AuditChainHead"):
        model = apps.get_model("audit", name)
        if model._meta.db_table not in existing:
            schema_editor.create_model(model)


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the "%" in RAISE is PL/pgSQL's, not a placeholder.
        schema_editor.execute(CREATE_TRIGGER, params=None)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


def create_chain_head(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditChainHead.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"last_hash": "0" * 64, "count": 0}
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditChainHead",
                    fields=[
                        ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                        ("last_hash", models.CharField(max_length=64)),
                        ("count", models.PositiveBigIntegerField(default=0)),
                    ],
                    options={"db_table": "workflow_auditchainhead"},
                ),
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("proposal_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ("at", models.DateTimeField()),
                        ("action", models.CharField(max_length=64)),
                        ("from_state", models.CharField(blank=True, max_length=16)),
                        ("to_state", models.CharField(blank=True, max_length=16)),
                        ("comment", models.TextField(blank=True)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        ("prev_hash", models.CharField(max_length=64)),
                        ("hash", models.CharField(max_length=64, unique=True)),
                        ("actor", models.ForeignKey(blank=True, help_text="Empty when the system acted.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "audit event",
                        "verbose_name_plural": "audit events",
                        "db_table": "workflow_auditevent",
                        "ordering": ["id"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(create_missing_tables, migrations.RunPython.noop),
        migrations.RunPython(install_trigger, remove_trigger),
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
    ]
