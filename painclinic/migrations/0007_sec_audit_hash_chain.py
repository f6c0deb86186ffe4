"""The audit log becomes a hash chain (issue #15); existing events are chained in id order.

The back-fill is the one UPDATE the log ever receives: the append-only trigger (0003) is set
aside for it inside this migration's transaction, as the tables' owner, and set back at once.
"""

import django.utils.timezone
from django.db import migrations, models

from painclinic import audit_chain

SQLITE_NO_UPDATE = (
    "CREATE TRIGGER painclinic_audit_no_update BEFORE UPDATE ON painclinic_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'painclinic_auditevent is append-only: UPDATE refused'); END;"
)


def backfill(apps, schema_editor):
    AuditEvent = apps.get_model("painclinic", "AuditEvent")
    vendor = schema_editor.connection.vendor
    if not AuditEvent.objects.exists():
        return
    if vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events
        schema_editor.execute(
            "ALTER TABLE painclinic_auditevent DISABLE TRIGGER painclinic_audit_no_update_delete"
        )
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS painclinic_audit_no_update")
    previous = audit_chain.GENESIS
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        previous = audit_chain.link(previous, event)
        AuditEvent.objects.filter(pk=event.pk).update(chain_hash=previous)
    if vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE painclinic_auditevent ENABLE TRIGGER painclinic_audit_no_update_delete"
        )
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_NO_UPDATE)


class Migration(migrations.Migration):
    dependencies = [("painclinic", "0006_t9_siblings_audit_request_id_index")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
