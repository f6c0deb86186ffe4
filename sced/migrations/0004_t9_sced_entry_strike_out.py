"""A value entered in error can be struck out with a reason (issue #9): kept, never deleted.

One value in force per session (struck-out values do not count). The overwrite trigger of
migration 0002 is extended: once struck out, a row does not change at all (no un-striking, no
new reason, no amendment), so striking out is as permanent as the value itself.

``Study.analysis_input_hash`` names the analysis of the data in force (struck-out values change
it, and can bring back an earlier run's data); existing studies get their newest run's hash.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


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
    IF OLD.struck_out_at IS NOT NULL AND (
        NEW.struck_out_at IS DISTINCT FROM OLD.struck_out_at
        OR NEW.struck_out_by_id IS DISTINCT FROM OLD.struck_out_by_id
        OR NEW.struck_out_reason IS DISTINCT FROM OLD.struck_out_reason
        OR NEW.value IS DISTINCT FROM OLD.value
    ) THEN
        RAISE EXCEPTION 'sced_measurement struck out: the row is kept as it is'
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
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER sced_measurement_struck_kept BEFORE UPDATE ON sced_measurement
       WHEN OLD.struck_out_at IS NOT NULL AND (
            NEW.struck_out_at IS NOT OLD.struck_out_at
            OR NEW.struck_out_by_id IS NOT OLD.struck_out_by_id
            OR NEW.struck_out_reason IS NOT OLD.struck_out_reason
            OR NEW.value IS NOT OLD.value)
       BEGIN SELECT RAISE(ABORT, 'sced_measurement struck out: the row is kept as it is'); END;""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS sced_measurement_struck_kept;"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Back to migration 0002's function (without the struck-out rule).
        previous = importlib.import_module("sced.migrations.0002_measurement_value_immutable")
        schema_editor.execute(previous.PG_FORWARD.split("CREATE TRIGGER")[0], params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement, params=None)


def current_analysis(apps, schema_editor):
    Study = apps.get_model("sced", "Study")
    AnalysisRun = apps.get_model("sced", "AnalysisRun")
    for study in Study.objects.all().only("id"):
        run = AnalysisRun.objects.filter(study=study).order_by("-created_at", "-id").first()
        if run is not None:
            Study.objects.filter(pk=study.pk).update(analysis_input_hash=run.input_hash)


class Migration(migrations.Migration):
    dependencies = [
        ("sced", "0003_diary_links_mbd_close"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="measurement",
            options={"ordering": ["measure_id", "session", "id"]},
        ),
        migrations.RemoveConstraint(
            model_name="measurement",
            name="sced_measurement_one_per_session",
        ),
        migrations.AddField(
            model_name="measurement",
            name="struck_out_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="struck out at"),
        ),
        migrations.AddField(
            model_name="measurement",
            name="struck_out_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="measurement",
            name="struck_out_reason",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="reason for striking out"
            ),
        ),
        migrations.AddConstraint(
            model_name="measurement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("struck_out_at__isnull", True)),
                fields=("measure", "session"),
                name="sced_measurement_one_live_per_session",
            ),
        ),
        migrations.AddConstraint(
            model_name="measurement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("struck_out_at__isnull", True),
                    models.Q(
                        ("struck_out_by__isnull", False),
                        models.Q(("struck_out_reason", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="sced_measurement_strike_has_who_and_why",
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.AddField(
            model_name="study",
            name="analysis_input_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(current_analysis, migrations.RunPython.noop),
    ]
