"""Medication versions, OME figures, naloxone offers, taper plans and steps refuse UPDATE and
DELETE in the database: a change is a new version (same pattern as treatment 0002)."""

from django.db import migrations

TABLES = (
    "medicines_medicationversion",
    "medicines_omefigure",
    "medicines_naloxoneoffer",
    "medicines_taperplan",
    "medicines_taperstep",
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION medicines_refuse_change() RETURNS trigger AS $$
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
                "FOR EACH ROW EXECUTE FUNCTION medicines_refuse_change();",
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
        schema_editor.execute("DROP FUNCTION IF EXISTS medicines_refuse_change();", params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op};", params=None)


class Migration(migrations.Migration):
    dependencies = [("medicines", "0001_medicines_record_and_taper")]

    operations = [migrations.RunPython(forward, backward)]
