"""The audit chain becomes keyed (HMAC-SHA256 with AUDIT_KEY) and its tables refuse TRUNCATE.

Events written before the key existed are re-keyed here, once: the old chain (plain SHA-256) is
verified first, and the migration stops if it is broken, so a rewrite made before the key cannot
be laundered into a keyed chain (run `verify_audit` on the old release to find the break). After
this there is one kind of event, so nobody can pass a rewritten event off as an old unkeyed one.

TRUNCATE fires no row trigger, so statement-level BEFORE TRUNCATE triggers refuse it. A superuser
may set `audit.allow_truncate = on` for the session (the tests do, to flush their database):
that grants nothing a superuser could not do by disabling the trigger, and the anchors kept with
issued decisions reveal a truncated chain whichever way it was done.
"""

import hashlib
import hmac

from django.db import migrations

from audit.services import GENESIS, audit_key, event_fields, payload

TABLES = ("workflow_auditevent", "workflow_auditchainhead")

CREATE_TRIGGERS = """
CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('is_superuser') = 'on'
            AND current_setting('audit.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
"""
    for table in TABLES
)

DROP_TRIGGERS = "".join(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t};" for t in TABLES) + (
    "DROP FUNCTION IF EXISTS audit_refuse_truncate();"
)


class BrokenChain(Exception):
    pass


def rekey(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    db = schema_editor.connection.alias
    events = AuditEvent.objects.using(db).order_by("id")
    if not events.exists():
        return
    key = audit_key()
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(
            "ALTER TABLE workflow_auditevent DISABLE TRIGGER workflow_auditevent_append_only"
        )
    old_prev = new_prev = GENESIS
    for event in events.iterator(chunk_size=2000):
        fields = event_fields(event)
        if event.prev_hash != old_prev or hashlib.sha256(payload(**fields)).hexdigest() != event.hash:
            raise BrokenChain(
                f"The audit chain is broken at event {event.id}; it is not re-keyed. "
                "Find the break with verify_audit on the previous release."
            )
        old_prev = event.hash
        fields["prev_hash"] = new_prev
        new_prev = hmac.new(key, payload(**fields), hashlib.sha256).hexdigest()
        AuditEvent.objects.using(db).filter(pk=event.pk).update(
            prev_hash=fields["prev_hash"], hash=new_prev
        )
    AuditChainHead.objects.using(db).filter(pk=1).update(last_hash=new_prev)
    if postgres:
        schema_editor.execute(
            "ALTER TABLE workflow_auditevent ENABLE TRIGGER workflow_auditevent_append_only"
        )


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the "%" in RAISE is PL/pgSQL's, not a placeholder.
        schema_editor.execute(CREATE_TRIGGERS, params=None)


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGERS, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(rekey, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
