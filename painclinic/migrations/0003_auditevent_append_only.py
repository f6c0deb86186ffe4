"""The database itself refuses UPDATE and DELETE on the audit log (security.md D2).

A trigger, not a permission: the app's database role owns the table, so REVOKE would not bind
it. TRUNCATE is not trapped: Django's test flush uses it, and it needs table ownership; in
production run the app as a role that does not own the tables (README, "Deploying").
SQLite (quick-start mode) gets equivalent triggers.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION painclinic_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'painclinic_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER painclinic_audit_no_update_delete
    BEFORE UPDATE OR DELETE ON painclinic_auditevent
    FOR EACH ROW EXECUTE FUNCTION painclinic_audit_refuse_change();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS painclinic_audit_no_update_delete ON painclinic_auditevent;
DROP FUNCTION IF EXISTS painclinic_audit_refuse_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER painclinic_audit_no_update BEFORE UPDATE ON painclinic_auditevent
       BEGIN SELECT RAISE(ABORT, 'painclinic_auditevent is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER painclinic_audit_no_delete BEFORE DELETE ON painclinic_auditevent
       BEGIN SELECT RAISE(ABORT, 'painclinic_auditevent is append-only: DELETE refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS painclinic_audit_no_update;",
    "DROP TRIGGER IF EXISTS painclinic_audit_no_delete;",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("painclinic", "0002_initial")]

    operations = [migrations.RunPython(forward, backward)]
