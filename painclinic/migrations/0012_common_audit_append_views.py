"""A list page's audit events in one statement (issue #16).

Every list page appended its events as BEGIN / ``SELECT painclinic_audit_lock_head()`` / INSERT /
COMMIT: four round trips. ``painclinic_audit_append_views(...)`` does the same in one: it takes
the chain's lock and reads its head through ``painclinic_audit_lock_head()`` (a snapshot taken
after the lock is granted, migration 0011), links each event to the one before with SHA-256 over
exactly the bytes ``audit_chain.link`` hashes (the previous hash, a newline, the event's
canonical content, which the caller computes with ``audit_chain.canonical`` from the values it
sends), and inserts the events in that order. Called outside a transaction, the statement is its
own transaction: the lock is held until its rows are committed, as before. Inside one, the lock
is held until the caller's COMMIT, as before. SECURITY INVOKER (the default): the app role needs
only the INSERT it already has.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION painclinic_audit_append_views(
    p_at timestamptz, p_actor_id bigint, p_actor_username text, p_action text,
    p_object_type text, p_view_name text, p_client_address inet, p_request_id text,
    p_user_agent text, p_patient_ids uuid[], p_object_ids text[], p_contents bytea[],
    p_break_glass boolean[]
) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head text;
    hashes text[] := '{}';
    n integer := coalesce(array_length(p_contents, 1), 0);
BEGIN
    IF n = 0 THEN
        RETURN 0;
    END IF;
    head := painclinic_audit_lock_head();
    FOR i IN 1 .. n LOOP
        -- audit_chain.link: sha256(previous.encode() + b"\\n" + canonical(event)).hexdigest()
        head := encode(sha256(convert_to(head, 'UTF8') || decode('0a', 'hex') || p_contents[i]),
                       'hex');
        hashes := hashes || head;
    END LOOP;
    INSERT INTO painclinic_auditevent (at, actor_id, actor_username, action, object_type,
        view_name, changed_fields, client_address, request_id, user_agent, patient_id,
        object_id, chain_hash, break_glass)
    SELECT p_at, p_actor_id, p_actor_username, p_action, p_object_type, p_view_name,
        '[]'::jsonb, p_client_address, p_request_id, p_user_agent, r.patient_id, r.object_id,
        r.chain_hash, r.break_glass
    FROM unnest(p_patient_ids, p_object_ids, hashes, p_break_glass)
        WITH ORDINALITY AS r(patient_id, object_id, chain_hash, break_glass, k)
    ORDER BY r.k;
    RETURN n;
END
$$;
"""
DROP = (
    "DROP FUNCTION IF EXISTS painclinic_audit_append_views("
    "timestamptz, bigint, text, text, text, text, inet, text, text, uuid[], text[], bytea[], "
    "boolean[]);"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("painclinic", "0011_common_audit_lock_head")]

    operations = [migrations.RunPython(create, drop)]
