"""A single audit event in one statement (issue #16 follow-up).

``record_event`` (a detail page's view, a save's change) appended its event as BEGIN /
``SELECT painclinic_audit_lock_head()`` / INSERT / COMMIT outside a transaction, and as lock-and-
head plus INSERT inside a save's. ``painclinic_audit_append_event(...)`` does both in one
statement, with the guarantees of ``painclinic_audit_append_views`` (migration 0012): it takes the
chain's lock and reads its head through ``painclinic_audit_lock_head()`` (a snapshot taken after
the lock is granted, migration 0011), links the event with SHA-256 over exactly the bytes
``audit_chain.link`` hashes (the previous hash, a newline, the event's canonical content, computed
by the caller with ``audit_chain.canonical`` from the very values it sends), inserts it and
returns its id and hash. A lone statement is its own transaction (the lock is held until its row
commits); inside a transaction the lock is held until the caller's COMMIT, as before. SECURITY
INVOKER (the default): the app role needs only the INSERT it already has.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION painclinic_audit_append_event(
    p_at timestamptz, p_actor_id bigint, p_actor_username text, p_action text,
    p_patient_id uuid, p_object_type text, p_object_id text, p_view_name text,
    p_changed_fields jsonb, p_client_address inet, p_request_id text, p_user_agent text,
    p_break_glass boolean, p_content bytea,
    OUT event_id bigint, OUT event_hash text
)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- audit_chain.link: sha256(previous.encode() + b"\\n" + canonical(event)).hexdigest()
    event_hash := encode(sha256(convert_to(painclinic_audit_lock_head(), 'UTF8')
                                || decode('0a', 'hex') || p_content), 'hex');
    INSERT INTO painclinic_auditevent (at, actor_id, actor_username, action, patient_id,
        object_type, object_id, view_name, changed_fields, client_address, request_id,
        user_agent, chain_hash, break_glass)
    VALUES (p_at, p_actor_id, p_actor_username, p_action, p_patient_id, p_object_type,
        p_object_id, p_view_name, p_changed_fields, p_client_address, p_request_id,
        p_user_agent, event_hash, p_break_glass)
    RETURNING id INTO event_id;
END
$$;
"""
DROP = (
    "DROP FUNCTION IF EXISTS painclinic_audit_append_event("
    "timestamptz, bigint, text, text, uuid, text, text, text, jsonb, inet, text, text, boolean, "
    "bytea);"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("painclinic", "0012_common_audit_append_views")]

    operations = [migrations.RunPython(create, drop)]
