"""Bob, team lead, can show that nobody has quietly changed the audit log: every event is sealed
with the one before it, so a changed, inserted or removed event breaks the chain at that point
(issue #15)."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.urls import reverse

from painclinic import audit, audit_chain
from painclinic.models import AuditAction, AuditEvent
from painclinic.selectors import audit_chain_check


@contextmanager
def _trigger_set_aside():
    """What an attacker holding the tables' owner role could do (the app role cannot: see
    test_app_role.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # superuser only
        yield cursor
        cursor.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def five_events(jannick, ana, susan):
    """Ana opens Jannick's record, changes it, lists both patients; an unknown login fails."""
    audit.record_event(actor=ana, action=AuditAction.VIEW, patient=jannick, obj=jannick)
    audit.record_event(
        actor=ana, action=AuditAction.CHANGE, patient=jannick, obj=jannick, changed_fields=["x"]
    )
    audit.record_event_for_patients(
        actor=ana, action=AuditAction.VIEW, patients=[jannick, susan], obj=jannick
    )
    audit.record_event(actor=None, action=AuditAction.LOGIN_FAILED, actor_username="mallory")
    return list(AuditEvent.objects.order_by("id"))


@pytest.fixture
def postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("tampering written in PostgreSQL")


@pytest.mark.django_db
def test_every_way_of_writing_an_event_extends_one_chain(five_events):
    previous = audit_chain.GENESIS
    for event in five_events:
        assert event.chain_hash == audit_chain.link(previous, event)
        previous = event.chain_hash
    result = audit_chain_check()
    assert result.ok
    assert result.head == previous
    assert result.events == AuditEvent.objects.count()
    call_command("audit_verify")


@pytest.mark.django_db
def test_a_changed_event_is_found_at_its_own_link(five_events, postgres_only):
    target = five_events[2]
    with _trigger_set_aside() as cursor:
        cursor.execute(
            "UPDATE painclinic_auditevent SET actor_username = 'someone' WHERE id = %s",
            [target.pk],
        )
    result = audit_chain_check()
    assert not result.ok
    assert result.broken_id == target.pk
    assert result.broken_at == target.at
    with pytest.raises(CommandError, match=f"broken at event {target.pk} "):
        call_command("audit_verify")


@pytest.mark.django_db
def test_a_removed_event_is_found_at_the_event_after_it(five_events, postgres_only):
    with _trigger_set_aside() as cursor:
        cursor.execute("DELETE FROM painclinic_auditevent WHERE id = %s", [five_events[1].pk])
    assert audit_chain_check().broken_id == five_events[2].pk


@pytest.mark.django_db
def test_an_event_inserted_outside_the_app_is_found(five_events, ana, postgres_only):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO painclinic_auditevent (at, actor_id, actor_username, action, object_type,"
            " object_id, view_name, changed_fields, request_id, user_agent, chain_hash)"
            " VALUES (now(), %s, 'ana', 'view', '', '', '', '[]', '', '', %s) RETURNING id",
            [ana.pk, "f" * 64],
        )
        forged = cursor.fetchone()[0]
    assert audit_chain_check().broken_id == forged


@pytest.mark.django_db
def test_bob_checks_the_log_from_the_audit_pages(client, bob, five_events, postgres_only):
    client.force_login(bob)
    url = reverse("audit_verify")
    assert client.get(url).status_code == 200
    intact = client.post(url)
    assert "The audit log is intact" in intact.content.decode()
    assert AuditEvent.objects.filter(actor=bob, view_name="audit_verify").exists()
    with _trigger_set_aside() as cursor:
        cursor.execute("DELETE FROM painclinic_auditevent WHERE id = %s", [five_events[0].pk])
    broken = client.post(url).content.decode()
    assert "tampered with" in broken
    assert f"event number {five_events[1].pk}" in broken


@pytest.mark.django_db
def test_a_clinician_cannot_open_the_check(client, ana):
    client.force_login(ana)
    assert client.post(reverse("audit_verify")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(jannick, ana):
    """Eight request threads, each writing single and bulk events at once: the advisory lock
    keeps them in one chain (no two events link to the same predecessor)."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                audit.record_event(actor=ana, action=AuditAction.VIEW, patient=jannick)
                audit.record_views(
                    actor=ana,
                    object_type="patients.contact",
                    rows=[(f"{jannick.pk}-{n}", jannick.pk) for n in range(3)],  # 3 records shown
                )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEvent.objects.count() == 8 * 10 * 4
    hashes = list(AuditEvent.objects.values_list("chain_hash", flat=True))
    assert len(set(hashes)) == len(hashes)
    assert audit_chain_check().ok


@pytest.mark.django_db
def test_an_event_is_appended_inside_the_callers_transaction(jannick, ana):
    """A write rolled back takes its audit event with it, and the chain stays intact."""

    def write_then_fail() -> None:
        with transaction.atomic():
            audit.record_event(actor=ana, action=AuditAction.CHANGE, patient=jannick)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    audit.record_event(actor=ana, action=AuditAction.VIEW, patient=jannick)
    assert audit_chain_check().ok


@pytest.mark.django_db(transaction=True)
def test_a_write_that_locks_the_patient_never_deadlocks_with_a_page_that_audits_them(jannick, ana):
    """Found in a browser journey: Ana logs an exposure session (the service locks Jannick's
    row, then audits) while the page's chart request audits its view of Jannick. The chart
    request holds the audit chain's lock and, at COMMIT, PostgreSQL checks its event's foreign
    key to Jannick (a KEY SHARE lock); a plain FOR UPDATE on Jannick blocks that check while the
    writer waits for the chain's lock: a deadlock, one of the two requests failed with a 503.
    Row locks are FOR NO KEY UPDATE (no key is ever changed), which a foreign-key check does not
    wait for. The steps are forced into the deadlocking order."""
    from patients.models import Patient

    page_holds_chain_lock, writer_holds_row_lock = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def chart_request() -> None:
        try:
            with transaction.atomic():
                audit.record_event(actor=ana, action=AuditAction.VIEW, patient=jannick)
                page_holds_chain_lock.set()
                assert writer_holds_row_lock.wait(30)
            # COMMIT: the deferred foreign-key check on the patient row happens here
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def writer() -> None:
        try:
            assert page_holds_chain_lock.wait(30)
            with transaction.atomic():
                Patient.objects.select_for_update(no_key=True).only("pk").get(pk=jannick.pk)
                writer_holds_row_lock.set()
                audit.record_event(actor=ana, action=AuditAction.CHANGE, patient=jannick)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=chart_request), threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert AuditEvent.objects.filter(patient=jannick).count() == 2
    assert audit_chain_check().ok


def test_every_row_lock_in_the_app_is_no_key_update():
    """The rule the test above relies on, for every service: a ``select_for_update`` without
    ``no_key=True`` (FOR UPDATE) would block other requests' audit events about that row."""
    import ast
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    offenders = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in {".venv", "venv", "tests", "node_modules"} or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "select_for_update"
                and not any(
                    k.arg == "no_key" and isinstance(k.value, ast.Constant) and k.value.value
                    for k in node.keywords
                )
            ):
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not offenders, "use select_for_update(no_key=True): " + ", ".join(offenders)


@pytest.mark.django_db
def test_the_chain_head_is_locked_and_read_in_one_statement(jannick, ana, postgres_only):
    """Every audited page takes the chain's lock and reads its head (issue #16: one statement
    instead of two); the head read is the last event's hash, or the genesis of an empty log."""
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():
        assert audit_chain.lock_head(connection) == audit_chain.GENESIS
    event = audit.record_event(actor=ana, action=AuditAction.VIEW, patient=jannick)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        head = audit_chain.lock_head(connection)
    assert head == event.chain_hash
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert [s for s in statements if s not in ("BEGIN", "COMMIT")] == [
        "SELECT painclinic_audit_lock_head()"
    ]


@pytest.mark.django_db
def test_a_list_pages_events_are_linked_and_inserted_in_one_statement(
    jannick, susan, ana, postgres_only
):
    """A list page audits every record it names (issue #16: one statement instead of BEGIN,
    lock and head, INSERT, COMMIT); the events follow the chain in the order listed, a record
    without a patient and a break-glass one included."""
    from django.test.utils import CaptureQueriesContext

    audit.record_event(actor=ana, action=AuditAction.VIEW, patient=jannick)
    audit.mark_break_glass(susan.pk)
    with CaptureQueriesContext(connection) as queries:
        written = audit.record_views(
            actor=ana,
            object_type="patients.episode",
            rows=[("e1", jannick.pk), ("e2", susan.pk), ("t1", None), ("e1", jannick.pk)],
        )
    assert written == 3
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1
    assert statements[0].startswith("SELECT painclinic_audit_append_views(")
    events = list(AuditEvent.objects.order_by("id"))[-3:]
    assert [(e.object_id, e.patient_id, e.break_glass) for e in events] == [
        ("e1", jannick.pk, False),
        ("e2", susan.pk, True),
        ("t1", None, False),
    ]
    assert audit_chain_check().ok
    call_command("audit_verify")


@pytest.mark.parametrize(
    ("address", "changed", "username", "agent"),
    [
        ("127.0.0.1", [], "ana", "Mozilla/5.0"),
        (None, ["x", "y"], 'Zoë "quoted" \\ back', "agent, with \u2028 and \u00e9"),
        ("2001:db8::0001", [], "", ""),
    ],
)
def test_a_list_pages_canonical_contents_are_byte_for_byte_those_of_each_event(
    address, changed, username, agent
):
    """The shared values are encoded once per page (issue #16); each event's bytes must be
    exactly what ``canonical`` gives for it, or ``audit_verify`` would find a broken chain."""
    import uuid
    from datetime import UTC, datetime
    from types import SimpleNamespace

    shared = SimpleNamespace(
        at=datetime(2026, 12, 7, 15, 30, 1, 5, tzinfo=UTC), actor_id=7, actor_username=username,
        action="view", object_type="patients.episode", view_name="caseload",
        changed_fields=changed, client_address=address, request_id="r" * 32, user_agent=agent,
    )  # fmt: skip
    rows = [("12", uuid.uuid4(), False), ('ünï "1"', None, True), ("", uuid.uuid4(), True)]
    expected = [
        audit_chain.canonical(
            SimpleNamespace(**vars(shared), object_id=o, patient_id=p, break_glass=b)
        )
        for o, p, b in rows
    ]
    assert audit_chain.canonical_rows(shared, rows) == expected


@pytest.mark.django_db
def test_a_single_event_is_linked_and_inserted_in_one_statement(jannick, ana, postgres_only):
    """A detail page's view and a save's change (issue #16 follow-up: one statement instead of
    BEGIN, lock and head, INSERT, COMMIT): every column as ``save`` stored it, the hash linked to
    the head, the request context, the changed field names and the break-glass mark included;
    an event with no actor (a failed log-in) and one inside a transaction too."""
    from django.test.utils import CaptureQueriesContext

    first = audit.record_event(actor=ana, action=AuditAction.VIEW, patient=jannick, obj=jannick)
    tokens = audit.set_request_context(
        audit.RequestContext("2001:db8::1", "req-7", "Firefox", "patient_detail")
    )
    try:
        audit.mark_break_glass(jannick.pk)
        with CaptureQueriesContext(connection) as queries:
            event = audit.record_event(
                actor=ana,
                action=AuditAction.CHANGE,
                patient=jannick,
                obj=jannick,
                changed_fields=["given_name", "address"],
            )
    finally:
        audit.reset_request_context(tokens)
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1
    assert statements[0].startswith("SELECT event_id, event_hash FROM painclinic_audit_append_")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.chain_hash == event.chain_hash == audit_chain.link(first.chain_hash, stored)
    assert (stored.actor_id, stored.actor_username, stored.action) == (ana.pk, "ana", "change")
    assert (stored.patient_id, stored.object_type, stored.object_id) == (
        jannick.pk,
        "patients.patient",
        str(jannick.pk),
    )
    assert stored.changed_fields == ["address", "given_name"]
    assert (stored.client_address, stored.request_id, stored.user_agent) == (
        "2001:db8::1",
        "req-7",
        "Firefox",
    )
    assert (stored.view_name, stored.break_glass, stored.at) == ("patient_detail", True, event.at)
    assert not event._state.adding  # a saved row: saving it again is an UPDATE, refused

    failed = audit.record_event(actor=None, action=AuditAction.LOGIN_FAILED, actor_username="eve")
    with transaction.atomic():
        inside = audit.record_event(actor=ana, action=AuditAction.VIEW, patient=jannick)
    assert AuditEvent.objects.get(pk=failed.pk).actor_id is None
    assert list(AuditEvent.objects.order_by("id").values_list("pk", flat=True)) == [
        first.pk,
        event.pk,
        failed.pk,
        inside.pk,
    ]
    assert audit_chain_check().ok
