from django.db import migrations, models

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


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the "%" in RAISE is PL/pgSQL's, not a placeholder.
        schema_editor.execute(CREATE_TRIGGER, params=None)


def remove_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


def create_chain_head(apps, schema_editor):
    AuditChainHead = apps.get_model("workflow", "AuditChainHead")
    AuditChainHead.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"last_hash": "0" * 64, "count": 0}
    )


class Migration(migrations.Migration):

    dependencies = [
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="voteround",
            name="quorum",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="rotationproposal",
            index=models.Index(fields=["-created_at", "-id"], name="proposal_newest_first"),
        ),
        migrations.RunPython(install_trigger, remove_trigger),
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
    ]
