"""Hand order for the existing hierarchy steps (their old order: fear rating, then id), and
pacing schedule changes refuse UPDATE and DELETE like the other signed records (migration 0002,
whose trigger function this reuses on PostgreSQL)."""

from django.db import migrations

TABLE = "treatment_pacingschedulechange"


def number_positions(apps, schema_editor):
    HierarchyItem = apps.get_model("treatment", "HierarchyItem")
    changed = []
    last_patient, position = None, 0
    for item in HierarchyItem.objects.order_by("patient_id", "fear_rating", "id"):
        position = position + 1 if item.patient_id == last_patient else 1
        last_patient = item.patient_id
        item.position = position
        changed.append(item)
    HierarchyItem.objects.bulk_update(changed, ["position"], batch_size=500)


def append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER {TABLE}_signed BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION treatment_refuse_change();",
            params=None,
        )
    elif vendor == "sqlite":
        for op in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, '{TABLE} is a signed record: {op} refused'); END;",
                params=None,
            )


def drop_append_only(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_signed ON {TABLE};", params=None)
    elif vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{op};", params=None)


class Migration(migrations.Migration):
    dependencies = [("treatment", "0003_retire_reorder_schedule_changes")]

    operations = [
        migrations.RunPython(number_positions, migrations.RunPython.noop),
        migrations.RunPython(append_only, drop_append_only),
    ]
