"""Faults of PostgreSQL and of two people at once, on the real database (issue #15).

Ana saves a fear rating and the database connection is killed in the middle of the save (from a
second connection, with pg_terminate_backend, at the moment the audit event is written): the save
fails whole, nothing of it is stored, and the page says "Nothing was saved". Ana and Bob edit
Jannick's record at the same moment, round after round: one save wins, the other is told, and
no update is lost.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from painclinic.models import AuditEvent
from sced import services
from sced.models import AnalysisRun, Measurement, Study
from tests.sced.conftest import make_study

if TYPE_CHECKING:
    from patients.models import Patient

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


def _killer(table: str, calls: tuple[str, ...] = ()):
    """An execute wrapper (Django's documented hook around every query of a connection) that,
    when the save writes to ``table`` (an INSERT, or a call of one of the database functions
    ``calls`` that insert into it), kills this connection's backend from a second one."""
    state = {"fired": False}

    def writes(sql: str) -> bool:
        inserts = sql.lstrip().upper().startswith("INSERT") and table in sql
        return inserts or any(call in sql for call in calls)

    def wrapper(execute, sql, params, many, context):
        if not state["fired"] and writes(sql):
            state["fired"] = True
            pid = context["connection"].connection.info.backend_pid
            db = connection.settings_dict
            with psycopg.connect(
                host=db["HOST"],
                port=db["PORT"] or 5432,
                user=db["USER"],
                dbname=db["NAME"],
                autocommit=True,
            ) as other:
                other.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 5  # the backend is gone before the INSERT is sent
            while time.monotonic() < deadline:
                with psycopg.connect(
                    host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
                ) as other:
                    alive = other.execute(
                        "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]
                    ).fetchone()
                if not alive:
                    break
                time.sleep(0.05)
        return execute(sql, params, many, context)

    return wrapper, state


def test_a_database_connection_dropped_during_a_save_saves_nothing_and_says_so(
    client, ana, jannick
):
    study = make_study(ana, jannick)
    services.study_randomize(actor=ana, study=study, seed=11)
    measure = study.measures.first()
    client.force_login(ana)
    url = reverse("sced:measurement_add", kwargs={"patient_id": jannick.pk, "study_id": study.pk})
    data = {"entry-measure": measure.pk, "entry-session": 1, "entry-value": 8}
    events_before = AuditEvent.objects.count()
    state_before = Study.objects.get(pk=study.pk).state

    # The audit event is appended by a database function in one statement (painclinic 0013).
    wrapper, fired = _killer(AuditEvent._meta.db_table, calls=("painclinic_audit_append_event(",))
    started = time.monotonic()
    with connection.execute_wrapper(wrapper):
        response = client.post(url, data)
    assert fired["fired"], "the save never reached the audit write"
    print(f"\n[faults] postgres drop: answered in {time.monotonic() - started:.2f} s")
    assert response.status_code == 503
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert "connection to the database" in page
    assert "Traceback" not in page
    assert "OperationalError" not in page

    connection.close()  # this test shares the request's (dead) connection
    # Nothing half-written: no value, no analysis, no audit event, the study unchanged.
    assert Measurement.objects.filter(measure__study=study).count() == 0
    assert AnalysisRun.objects.filter(study=study).count() == 0
    assert AuditEvent.objects.count() == events_before
    assert Study.objects.get(pk=study.pk).state == state_before

    # The database is fine again: the same save, once more, is stored once.
    assert client.post(url, data).status_code == 302
    assert Measurement.objects.filter(measure__study=study).count() == 1


def _edit_data(client: Client, patient: Patient) -> dict:
    form = client.get(reverse("patients:edit", kwargs={"patient_id": patient.pk})).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    return data


ROUNDS = 10


def _save_at_once(url: str, clients: dict[str, Client], forms: dict, phones: dict):
    """Both clients post at the same moment (a barrier; one thread and connection each)."""
    barrier = threading.Barrier(len(clients))
    answers: dict[str, int] = {}
    bodies: dict[str, str] = {}

    def save(who: str) -> None:
        try:
            data = dict(forms[who], phone=phones[who])
            barrier.wait(timeout=10)
            response = clients[who].post(url, data)
            answers[who] = response.status_code
            bodies[who] = response.content.decode()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(who,)) for who in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers, bodies


def test_two_clinicians_saving_jannick_at_the_same_moment_lose_no_update(jannick, ana, bob):
    """Each round: both load the form, then both save at once. One save wins and the other
    gets 409 with its typing kept (patients' optimistic concurrency, under real concurrency)."""
    url = reverse("patients:edit", kwargs={"patient_id": jannick.pk})
    clients = {"ana": Client(), "bob": Client()}
    clients["ana"].force_login(ana)
    clients["bob"].force_login(bob)
    lost = 0
    started = time.monotonic()
    for round_no in range(ROUNDS):
        forms = {who: _edit_data(c, jannick) for who, c in clients.items()}
        phones = {"ana": f"07700 9{round_no:02d}111", "bob": f"07700 9{round_no:02d}222"}
        answers, bodies = _save_at_once(url, clients, forms, phones)
        assert sorted(answers.values()) == [302, 409], answers
        winner = next(who for who, code in answers.items() if code == 302)
        loser = next(who for who, code in answers.items() if code == 409)
        assert "Someone else saved this record" in bodies[loser]
        assert phones[loser] in bodies[loser]  # the loser's typing is kept on the page
        jannick.refresh_from_db()
        lost += jannick.phone != phones[winner]
        assert jannick.version == round_no + 2
    elapsed = time.monotonic() - started
    print(f"\n[faults] concurrent edits: {ROUNDS} rounds, lost updates {lost}, {elapsed:.1f} s")
    assert lost == 0
