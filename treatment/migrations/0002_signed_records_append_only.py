"""Signed treatment records refuse UPDATE and DELETE in the database (DESIGN.md: clinical records
are not overwritten; a change is a new version or an amendment row). Same pattern as
painclinic/migrations/0003_auditevent_append_only.py; SQLite (quick-start mode) gets equivalents.
"""

from django.db import migrations

TABLES = (
    "treatment_treatmentplan",
    "treatment_planintervention",
    "treatment_suggestionrecord",
    "treatment_goalreview",
    "treatment_goalreviewamendment",
    "treatment_flareupplan",
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION treatment_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is a signed record: % refused (write a new version or an amendment)',
        TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_signed BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION treatment_refuse_change();",
                params=None,
            )
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is a signed record: {op} refused'); END;",
                    params=None,
                )


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_signed ON {table};", params=None)
        schema_editor.execute("DROP FUNCTION IF EXISTS treatment_refuse_change();", params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op};", params=None)


class Migration(migrations.Migration):
    dependencies = [("treatment", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
