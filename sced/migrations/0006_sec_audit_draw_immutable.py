"""The database refuses to change or delete a study's randomization draw (issue #15).

The randomization test is valid only if the intervention start was drawn once, before the data
(sced.md §5 P12): a draw updated in SQL would let the start be moved after seeing the series.
Protected like signed results (assessment 0003) and measurements (sced 0002); SQLite
(quick-start mode) gets equivalents.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION sced_draw_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'sced_draw % is drawn once: DELETE refused', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.study_id IS DISTINCT FROM OLD.study_id
       OR NEW.admissible IS DISTINCT FROM OLD.admissible
       OR NEW.seed IS DISTINCT FROM OLD.seed
       OR NEW.start IS DISTINCT FROM OLD.start
       OR NEW.tiers IS DISTINCT FROM OLD.tiers
       OR NEW.concealed IS DISTINCT FROM OLD.concealed
       OR NEW.drawn_by_id IS DISTINCT FROM OLD.drawn_by_id
       OR NEW.drawn_at IS DISTINCT FROM OLD.drawn_at THEN
        RAISE EXCEPTION 'sced_draw % is drawn once: UPDATE refused', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sced_draw_immutable
    BEFORE UPDATE OR DELETE ON sced_draw
    FOR EACH ROW EXECUTE FUNCTION sced_draw_refuse_change();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS sced_draw_immutable ON sced_draw;
DROP FUNCTION IF EXISTS sced_draw_refuse_change();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER sced_draw_no_update BEFORE UPDATE ON sced_draw
       WHEN NEW.study_id IS NOT OLD.study_id OR NEW.admissible IS NOT OLD.admissible
            OR NEW.seed IS NOT OLD.seed OR NEW.start IS NOT OLD.start
            OR NEW.tiers IS NOT OLD.tiers OR NEW.concealed IS NOT OLD.concealed
            OR NEW.drawn_by_id IS NOT OLD.drawn_by_id OR NEW.drawn_at IS NOT OLD.drawn_at
       BEGIN SELECT RAISE(ABORT, 'sced_draw is drawn once: UPDATE refused'); END;""",
    """CREATE TRIGGER sced_draw_no_delete BEFORE DELETE ON sced_draw
       BEGIN SELECT RAISE(ABORT, 'sced_draw is drawn once: DELETE refused'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS sced_draw_no_update;",
    "DROP TRIGGER IF EXISTS sced_draw_no_delete;",
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
    dependencies = [("sced", "0005_t9_siblings_measure_name_ci")]

    operations = [migrations.RunPython(forward, backward)]
