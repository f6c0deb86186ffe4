"""The database refuses to overwrite a measurement (issue #4: "amended, never overwritten").

``original_value`` is what was entered and can never change; ``session`` and ``measure`` cannot
move either, so a value cannot be silently re-dated. ``value`` (the value in force) may change,
but only together with an amendment row written by ``sced.services.measurement_amend``; the
trigger also refuses DELETE. Same pattern as painclinic/migrations/0003 (audit log).
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION sced_measurement_refuse_overwrite() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'sced_measurement rows are never deleted: amend them'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.original_value IS DISTINCT FROM OLD.original_value
       OR NEW.session IS DISTINCT FROM OLD.session
       OR NEW.measure_id IS DISTINCT FROM OLD.measure_id THEN
        RAISE EXCEPTION 'sced_measurement values are never overwritten: amend them'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.value IS DISTINCT FROM OLD.value AND NOT EXISTS (
        SELECT 1 FROM sced_measurementamendment a
        WHERE a.measurement_id = NEW.id AND a.new_value = NEW.value AND a.old_value = OLD.value
    ) THEN
        RAISE EXCEPTION 'sced_measurement value changed without an amendment row'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sced_measurement_no_overwrite
    BEFORE UPDATE OR DELETE ON sced_measurement
    FOR EACH ROW EXECUTE FUNCTION sced_measurement_refuse_overwrite();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS sced_measurement_no_overwrite ON sced_measurement;
DROP FUNCTION IF EXISTS sced_measurement_refuse_overwrite();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER sced_measurement_no_overwrite BEFORE UPDATE ON sced_measurement
       WHEN NEW.original_value IS NOT OLD.original_value OR NEW.session IS NOT OLD.session
            OR NEW.measure_id IS NOT OLD.measure_id
       BEGIN SELECT RAISE(ABORT, 'sced_measurement values are never overwritten: amend them'); END;""",
    """CREATE TRIGGER sced_measurement_no_delete BEFORE DELETE ON sced_measurement
       BEGIN SELECT RAISE(ABORT, 'sced_measurement rows are never deleted: amend them'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS sced_measurement_no_overwrite;",
    "DROP TRIGGER IF EXISTS sced_measurement_no_delete;",
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
    dependencies = [("sced", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
