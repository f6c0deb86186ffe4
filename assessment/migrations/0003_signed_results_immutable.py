"""The database refuses to change a signed administration, or any amendment (issue #3).

A signed administration's answers, score, instrument, definition identity, state and signature
cannot be UPDATEd, and a signed row cannot be DELETEd; only ``current_amendment_id`` (which points
at the latest correction) and ``updated_at`` may change. Amendments are append-only. Written the
way painclinic 0003 writes the audit-log trigger; SQLite (quick-start mode) gets equivalents.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION assessment_refuse_signed_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state = 'signed' THEN
            RAISE EXCEPTION 'assessment_administration % is signed: DELETE refused', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.state = 'signed' AND (
        NEW.answers IS DISTINCT FROM OLD.answers
        OR NEW.score IS DISTINCT FROM OLD.score
        OR NEW.state IS DISTINCT FROM OLD.state
        OR NEW.instrument_key IS DISTINCT FROM OLD.instrument_key
        OR NEW.definition_version IS DISTINCT FROM OLD.definition_version
        OR NEW.definition_hash IS DISTINCT FROM OLD.definition_hash
        OR NEW.signed_by_id IS DISTINCT FROM OLD.signed_by_id
        OR NEW.signed_at IS DISTINCT FROM OLD.signed_at
        OR NEW.session_id IS DISTINCT FROM OLD.session_id
    ) THEN
        RAISE EXCEPTION 'assessment_administration % is signed: UPDATE refused (amend it)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessment_administration_signed_immutable
    BEFORE UPDATE OR DELETE ON assessment_administration
    FOR EACH ROW EXECUTE FUNCTION assessment_refuse_signed_change();

CREATE OR REPLACE FUNCTION assessment_amendment_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'assessment_amendment is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessment_amendment_append_only
    BEFORE UPDATE OR DELETE ON assessment_amendment
    FOR EACH ROW EXECUTE FUNCTION assessment_amendment_refuse_change();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS assessment_administration_signed_immutable ON assessment_administration;
DROP FUNCTION IF EXISTS assessment_refuse_signed_change();
DROP TRIGGER IF EXISTS assessment_amendment_append_only ON assessment_amendment;
DROP FUNCTION IF EXISTS assessment_amendment_refuse_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER assessment_administration_signed_no_update
       BEFORE UPDATE OF answers, score, state, instrument_key, definition_version, definition_hash,
           signed_by_id, signed_at, session_id ON assessment_administration
       WHEN OLD.state = 'signed'
       BEGIN SELECT RAISE(ABORT, 'signed administration: UPDATE refused'); END;""",
    """CREATE TRIGGER assessment_administration_signed_no_delete
       BEFORE DELETE ON assessment_administration WHEN OLD.state = 'signed'
       BEGIN SELECT RAISE(ABORT, 'signed administration: DELETE refused'); END;""",
    """CREATE TRIGGER assessment_amendment_no_update BEFORE UPDATE ON assessment_amendment
       BEGIN SELECT RAISE(ABORT, 'assessment_amendment is append-only'); END;""",
    """CREATE TRIGGER assessment_amendment_no_delete BEFORE DELETE ON assessment_amendment
       BEGIN SELECT RAISE(ABORT, 'assessment_amendment is append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS assessment_administration_signed_no_update;",
    "DROP TRIGGER IF EXISTS assessment_administration_signed_no_delete;",
    "DROP TRIGGER IF EXISTS assessment_amendment_no_update;",
    "DROP TRIGGER IF EXISTS assessment_amendment_no_delete;",
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
    dependencies = [("assessment", "0002_default_batteries")]

    operations = [migrations.RunPython(forward, backward)]
