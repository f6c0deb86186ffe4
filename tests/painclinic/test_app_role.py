"""The app runs as a database role that can read and write rows but cannot get round the
append-only and signed-record rules: everything an attacker who took over the app could try is
refused by PostgreSQL itself (issue #15). Django's tests run as the owner (creating the test
database needs it); this test connects a second time, as the app role, to the same database."""

from __future__ import annotations

from types import SimpleNamespace

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from assessment.models import Administration
from painclinic import audit, audit_chain
from painclinic.models import AuditAction, AuditEvent
from painclinic.selectors import audit_chain_check
from sced import services as sced_services
from sced.models import Draw
from tests.assessment.factories import answers_all, signed_result
from tests.sced.conftest import make_study

APP_ROLE = "painclinic_app_test"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def as_app_role(is_postgres):
    if not is_postgres:
        pytest.skip("roles are PostgreSQL's")
    call_command("grant_app_role", role=APP_ROLE)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.update(user=APP_ROLE, password=None, autocommit=True)
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as app:
        yield app


@pytest.fixture
def records(jannick, ana):
    result = signed_result(patient=jannick, key="tsk11", answers=answers_all("tsk11", 3), actor=ana)
    study = make_study(ana, jannick)
    draw = sced_services.study_randomize(actor=ana, study=study, seed=5)
    event = audit.record_event(actor=ana, action=AuditAction.VIEW, patient=jannick)
    return {"result": result, "draw": draw, "event": event}


BYPASSES = {
    "empty the audit log": "TRUNCATE painclinic_auditevent",
    "switch its trigger off": (
        "ALTER TABLE painclinic_auditevent DISABLE TRIGGER painclinic_audit_no_update_delete"
    ),
    "switch every trigger off": "ALTER TABLE painclinic_auditevent DISABLE TRIGGER ALL",
    "drop its trigger": "DROP TRIGGER painclinic_audit_no_update_delete ON painclinic_auditevent",
    "skip triggers for the session": "SET session_replication_role = replica",
    "become the owner": "SET ROLE postgres",
    "change an audit event": "UPDATE painclinic_auditevent SET action = 'change' WHERE id = {event}",
    "delete an audit event": "DELETE FROM painclinic_auditevent WHERE id = {event}",
    "change a signed result": (
        "UPDATE assessment_administration SET answers = '{{}}' WHERE id = {result}"
    ),
    "delete a signed result": "DELETE FROM assessment_administration WHERE id = {result}",
    "move the drawn start": "UPDATE sced_draw SET start = to_jsonb(99) WHERE id = {draw}",
    "delete the draw": "DELETE FROM sced_draw WHERE id = {draw}",
    "empty the draws": "TRUNCATE sced_draw CASCADE",
    "rewrite the migration record": "DELETE FROM django_migrations",
    "create a table": "CREATE TABLE painclinic_shadow (id int)",
}


@pytest.mark.parametrize("attempt", BYPASSES)
def test_the_app_role_cannot_get_round_the_rules(as_app_role, records, attempt):
    statement = BYPASSES[attempt].format(**{k: v.pk for k, v in records.items()})
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_app_role.execute(statement)
    assert AuditEvent.objects.filter(pk=records["event"].pk, action=AuditAction.VIEW).exists()
    result = Administration.objects.get(pk=records["result"].pk)
    assert result.answers == records["result"].answers
    assert result.state == "signed"
    assert Draw.objects.get(pk=records["draw"].pk).start == records["draw"].start


def test_the_app_role_does_its_ordinary_work(as_app_role, records, jannick):
    app = as_app_role
    assert app.execute("SELECT count(*) FROM painclinic_auditevent").fetchone()[0] >= 1
    app.execute("UPDATE patients_patient SET phone = phone WHERE id = %s", [jannick.pk])
    app.execute("SELECT pg_advisory_xact_lock(1)")
    # Every audited page: the chain's lock and head in one statement (issue #16).
    head = app.execute("SELECT painclinic_audit_lock_head()").fetchone()[0]
    assert head == AuditEvent.objects.order_by("-id").values_list("chain_hash", flat=True)[0]
    # Every list page: its events locked, linked and inserted in one statement (issue #16).
    shown = SimpleNamespace(
        at=timezone.now(), actor_id=None, actor_username="", action=AuditAction.VIEW,
        patient_id=jannick.pk, object_type="patients.patient", object_id=str(jannick.pk),
        view_name="patients:list", changed_fields=[], client_address=None, request_id="",
        user_agent="", break_glass=False,
    )  # fmt: skip
    written = app.execute(
        "SELECT painclinic_audit_append_views(%s, NULL, '', %s, %s, %s, NULL, '', '',"
        " %s::uuid[], %s::text[], %s::bytea[], %s::boolean[])",
        [
            shown.at, shown.action, shown.object_type, shown.view_name, [jannick.pk],
            [shown.object_id], [audit_chain.canonical(shown)], [False],
        ],
    ).fetchone()[0]  # fmt: skip
    assert written == 1
    # Every detail page and save: its one event the same way (issue #16 follow-up).
    opened = SimpleNamespace(
        **{**vars(shown), "at": timezone.now(), "view_name": "patients:detail"}
    )
    event_id, event_hash = app.execute(
        "SELECT event_id, event_hash FROM painclinic_audit_append_event(%s, NULL, '', %s,"
        " %s::uuid, %s, %s, %s, '[]'::jsonb, NULL, '', '', false, %s::bytea)",
        [
            opened.at, opened.action, jannick.pk, opened.object_type, opened.object_id,
            opened.view_name, audit_chain.canonical(opened),
        ],
    ).fetchone()  # fmt: skip
    assert AuditEvent.objects.get(pk=event_id).chain_hash == event_hash
    assert audit_chain_check().ok
    row = app.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles"
        " WHERE rolname = current_user"
    ).fetchone()
    assert row == (False, False, False, False)
    owner = app.execute(
        "SELECT tableowner FROM pg_tables WHERE tablename = 'painclinic_auditevent'"
    ).fetchone()[0]
    assert owner != APP_ROLE


def test_a_table_a_later_migration_creates_gets_the_same_grants(as_app_role):
    """Default privileges: the owner's next migration needs no new grant_app_role run to work,
    and grants no more than row access."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE painclinic_later_probe (id serial PRIMARY KEY, note text)")
    try:
        as_app_role.execute("INSERT INTO painclinic_later_probe (note) VALUES ('x')")
        assert as_app_role.execute("SELECT count(*) FROM painclinic_later_probe").fetchone() == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_app_role.execute("TRUNCATE painclinic_later_probe")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE painclinic_later_probe")
