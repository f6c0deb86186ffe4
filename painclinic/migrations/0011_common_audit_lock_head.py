"""One round trip for the audit chain's lock and head (issue #16).

Every audited page took the chain's advisory lock and then read the previous event's hash in a
second statement. ``painclinic_audit_lock_head()`` does both: it is VOLATILE, so the SELECT inside
it takes its snapshot after the lock is granted and sees every event committed before (the same
guarantee as the two statements; a single plain statement would read a snapshot taken before it
waited for the lock). The chain and its hashes are unchanged (painclinic/audit_chain.py).
"""

from django.db import migrations

from painclinic import audit_chain

CREATE = f"""
CREATE OR REPLACE FUNCTION painclinic_audit_lock_head() RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head text;
BEGIN
    PERFORM pg_advisory_xact_lock({audit_chain.ADVISORY_LOCK_KEY});
    SELECT e.chain_hash INTO head FROM painclinic_auditevent e ORDER BY e.id DESC LIMIT 1;
    RETURN coalesce(nullif(head, ''), '{audit_chain.GENESIS}');
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS painclinic_audit_lock_head();"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("painclinic", "0010_letters_clinic_details")]

    operations = [migrations.RunPython(create, drop)]
