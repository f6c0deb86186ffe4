"""Entering SCED values (issue #9): every value has an explicit session, shown with its phase; a
session after the plan needs a confirmation; a value entered in error is struck out with a reason
(kept, not analysed); bulk entry reports every line's problem and keeps what was typed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from painclinic.models import AuditAction, AuditEvent
from sced import selectors, services
from sced.models import Measurement, Study
from tests.sced.conftest import FEAR, fill, make_study


def _abab(ana, jannick, **kwargs):
    """Jannick's ABAB exposure study: 6 sessions per phase, 24 in all, started 27 days ago."""
    options = {
        "design": "ABAB",
        "planned_phase_lengths": {"A": 6, "B": 6},
        "start_date": date.today() - timedelta(days=27),
    }
    return make_study(ana, jannick, **{**options, **kwargs})


def _url(name, study, **extra):
    return reverse(
        name, kwargs={"patient_id": study.episode.patient.pk, "study_id": study.pk, **extra}
    )


def _post_value(client, study, **fields):
    data = {
        "entry-measure": study.measures.first().pk,
        **{f"entry-{k}": v for k, v in fields.items()},
    }
    return client.post(_url("sced:measurement_add", study), data)


# --- item 1: the session is explicit ------------------------------------------------------------


@pytest.mark.django_db
def test_a_value_typed_in_the_baseline_is_not_filed_by_todays_date(client, ana, jannick):
    """Day 28 of a 24-session ABAB study, six baseline values entered: the form offers session 7
    (the next planned session without a value) with its phase, never "session 28 in B2"."""
    study = _abab(ana, jannick)
    services.study_randomize(actor=ana, study=study, seed=3, concealed=False)
    fill(study, ana, [8, 7, 8, 8, 7, 8])
    client.force_login(ana)
    page = client.get(_url("sced:study_detail", study)).content.decode()
    assert "Session 7 — " in page
    assert 'name="entry-session" value="7"' in page
    # Leaving the session blank is an error that keeps the value typed, not a guess.
    response = _post_value(client, study, value="6", session="")
    assert response.status_code == 400
    assert 'name="entry-value" value="6"' in response.content.decode()
    assert Measurement.objects.count() == 6
    assert _post_value(client, study, value="6", session="7").status_code == 302
    assert Measurement.objects.filter(session=7, value=6).exists()


@pytest.mark.django_db
def test_the_next_expected_session_is_the_first_planned_session_without_a_value(
    client, ana, jannick, ab_study
):
    services.study_randomize(actor=ana, study=ab_study, seed=5, concealed=False)
    measure = ab_study.measures.first()
    services.measurements_record(
        actor=ana,
        study=ab_study,
        rows=[services.Row(measure, 8, session=s) for s in (1, 2, 4)],
    )
    client.force_login(ana)
    page = client.get(_url("sced:study_detail", ab_study)).content.decode()
    assert "Session 3 — baseline (A)" in page


@pytest.mark.django_db
def test_a_session_after_the_plan_needs_a_confirmation(client, ana, jannick):
    study = _abab(ana, jannick)
    services.study_randomize(actor=ana, study=study, seed=3, concealed=False)
    client.force_login(ana)
    response = _post_value(client, study, value="5", session="28")
    page = response.content.decode()
    assert response.status_code == 400
    assert "session 28 is after the 24 planned sessions" in page
    assert 'name="entry-confirm_outside_plan"' in page  # the box is shown now, and only now
    assert 'name="entry-session" value="28"' in page
    assert 'name="entry-value" value="5"' in page
    assert not Measurement.objects.exists()
    # The fast-entry form (htmx, no reload) answers the same way, in its own panel.
    data = {"entry-measure": study.measures.first().pk, "entry-session": 28, "entry-value": 5}
    partial = client.post(_url("sced:measurement_add", study), data, HTTP_HX_REQUEST="true")
    assert partial.status_code == 400
    assert 'name="entry-confirm_outside_plan"' in partial.content.decode()
    response = _post_value(client, study, value="5", session="28", confirm_outside_plan="on")
    assert response.status_code == 302
    assert Measurement.objects.get().session == 28
    # The service says the same to every caller (API-less use, management commands, the demo).
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_record(actor=ana, measure=study.measures.first(), value=5, session=30)
    assert excinfo.value.error_list[0].code == "outside_plan"


@pytest.mark.django_db
def test_the_page_form_has_no_box_until_it_is_needed(client, ana, jannick, ab_study):
    services.study_randomize(actor=ana, study=ab_study, seed=5)
    client.force_login(ana)
    page = client.get(_url("sced:study_detail", ab_study)).content.decode()
    assert "confirm_outside_plan" not in page


# --- item 1: striking out a value entered in error --------------------------------------------


@pytest.mark.django_db
def test_a_value_entered_in_error_is_struck_out_kept_and_no_longer_analysed(
    client, ana, jannick, ab_study
):
    services.study_randomize(actor=ana, study=ab_study, seed=5, concealed=False)
    values = fill(ab_study, ana, [8, 7, 8, 7])
    wrong = values[3]
    before = selectors.analysis_inputs(ab_study)
    client.force_login(ana)
    url = _url("sced:measurement_strike_out", ab_study, measurement_id=wrong.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    response = client.post(url, {"reason": "Typed under session 4; it was session 5's value"})
    assert response.status_code == 302

    wrong.refresh_from_db()
    assert wrong.is_struck_out
    assert wrong.struck_out_by == ana
    assert wrong.struck_out_reason == "Typed under session 4; it was session 5's value"
    assert Measurement.objects.count() == 4  # kept, not deleted
    assert AuditEvent.objects.filter(
        actor=ana,
        action=AuditAction.CHANGE,
        object_type="sced.measurement",
        changed_fields=["struck_out_at", "struck_out_by", "struck_out_reason"],
    ).exists()
    # Not analysed, not exported: the analysis input (and so its hash) no longer holds it.
    after = selectors.analysis_inputs(ab_study)
    assert [p.sessions for p in after.measures[0].phases] == [(1, 2, 3)]
    assert services.input_hash(after) != services.input_hash(before)
    assert ",4\n" not in services.measurements_export_csv(actor=ana, study=ab_study)

    page = client.get(_url("sced:study_detail", ab_study)).content.decode()
    assert "<del>7</del>" in page
    assert "Typed under session 4; it was session 5&#x27;s value" in page
    assert "Session 4 — baseline (A)" in page  # its session is expected again
    amend = client.get(_url("sced:measurement_amend", ab_study, measurement_id=wrong.pk))
    assert "cannot be amended" in amend.content.decode()
    # ... and takes the right value (one value in force per session).
    services.measurement_record(actor=ana, measure=wrong.measure, value=6, session=4)
    assert Measurement.objects.filter(session=4).count() == 2
    assert Measurement.objects.in_force().get(session=4).value == 6


@pytest.mark.django_db
def test_striking_out_is_final(ana, ab_study, is_postgres):
    services.study_randomize(actor=ana, study=ab_study, seed=5)
    (first,) = fill(ab_study, ana, [8])
    services.measurement_amend(actor=ana, measurement=first, value=7, reason="misread")
    services.measurement_strike_out(actor=ana, measurement=first, reason="wrong patient")
    with pytest.raises(ValidationError, match="struck out"):
        services.measurement_strike_out(actor=ana, measurement=first, reason="again")
    with pytest.raises(ValidationError, match="struck out"):
        services.measurement_amend(actor=ana, measurement=first, value=6, reason="fix")
    with pytest.raises(ValidationError, match="Say why"):
        services.measurement_strike_out(
            actor=ana, measurement=fill_one(ab_study, ana, session=2), reason="  "
        )
    # The database keeps a struck-out row as it is: no un-striking, no new reason, no delete.
    for sql in (
        "UPDATE sced_measurement SET struck_out_at = NULL WHERE id = %s",
        "UPDATE sced_measurement SET struck_out_reason = 'x' WHERE id = %s",
        "DELETE FROM sced_measurement WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="sced_measurement"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [first.pk])
    first.refresh_from_db()
    assert first.is_struck_out
    assert first.struck_out_reason == "wrong patient"
    assert first.amendments.count() == 1  # the amendment made before stays in the history


def fill_one(study, actor, *, session, value=5.0):
    return services.measurement_record(
        actor=actor, measure=study.measures.first(), value=value, session=session
    )


@pytest.mark.django_db
def test_a_diary_day_whose_value_was_struck_out_can_be_entered_again(ana, jannick):
    study = make_study(ana, jannick, start_date=date.today() - timedelta(days=1))
    services.study_randomize(actor=ana, study=study, seed=5)
    _link, token = services.diary_link_issue(actor=ana, study=study)
    (typed,) = services.diary_record(token=token, values={study.measures.first().pk: 9})
    assert typed.session == 2
    services.measurement_strike_out(actor=ana, measurement=typed, reason="patient's child typed it")
    day = services.diary_link_redeem(token=token)
    assert [m.name for m in day.to_enter] == [FEAR["name"]]
    services.diary_record(token=token, values={study.measures.first().pk: 6})
    assert Measurement.objects.in_force().get(session=2).value == 6


@pytest.mark.django_db
def test_a_diary_link_ends_with_the_planned_sessions(client, ana, jannick):
    """The diary's session is the day; after the plan it would file values in no planned session."""
    study = make_study(ana, jannick, start_date=date.today() - timedelta(days=20))
    services.study_randomize(actor=ana, study=study, seed=5)
    _link, token = services.diary_link_issue(actor=ana, study=study)  # day 21 of 21
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(ValidationError, match="Your diary ended on"):
        services.diary_day(services.diary_link_redeem(token=token).link, today=tomorrow)
    Study.objects.filter(pk=study.pk).update(start_date=date.today() - timedelta(days=30))
    response = client.get(reverse("sced:diary", args=[token]))
    assert response.status_code == 410
    assert "Your diary ended on" in response.content.decode()
    assert not Measurement.objects.exists()
    with pytest.raises(ValidationError, match="The planned sessions ended on"):
        services.diary_link_issue(actor=ana, study=Study.objects.get(pk=study.pk))


# --- item 2: bulk entry reports every line and keeps the input ---------------------------------


@pytest.mark.django_db
def test_a_backfill_with_errors_reports_every_line_and_keeps_the_table(
    client, ana, jannick, ab_study
):
    services.study_randomize(actor=ana, study=ab_study, seed=5, concealed=False)
    fill(ab_study, ana, [8])
    client.force_login(ana)
    table = "1 7\n2 seven\n3 12\n4\n5 6\n40 5\n"
    response = client.post(
        _url("sced:measurements_backfill", ab_study),
        {"backfill-measure": ab_study.measures.first().pk, "backfill-table": table},
    )
    page = response.content.decode()
    assert response.status_code == 400
    for expected in (
        "Line 1: Fear of lifting a crate: session 1 already has a value",
        "Line 2: value &#x27;seven&#x27; is not a number",
        "Line 3: Fear of lifting a crate: 12 is outside 0–10",
        "Line 4: give a session (or date) and a value",
        "Line 6: Fear of lifting a crate: session 40 is after the 21 planned sessions",
    ):
        assert expected in page, expected
    assert "1 7\n2 seven\n3 12\n4\n5 6\n40 5\n" in page  # the textarea, as typed
    assert '<details class="mt-2" open' in page
    assert Measurement.objects.count() == 1


@pytest.mark.django_db
def test_a_csv_import_reports_every_kind_of_error_at_once_and_keeps_the_text(
    client, ana, jannick, ab_study
):
    draw = services.study_randomize(actor=ana, study=ab_study, seed=5, concealed=False)
    text = "\n".join(
        [
            "case,phase,values,mt",
            "Fear of lifting a crate,A,7,1",
            "Fear of liftng a crate,A,7,2",  # line 3: unknown measure
            "Fear of lifting a crate,A,x,3",  # line 4: not a number
            f"Fear of lifting a crate,B,3,{draw.start - 1}",  # line 5: still baseline
            "Fear of lifting a crate,A,15,2",  # line 6: out of range
            "Fear of lifting a crate,A,7",  # line 7: a field missing
        ]
    )
    client.force_login(ana)
    upload = SimpleUploadedFile("jannick.csv", text.encode(), content_type="text/csv")
    response = client.post(_url("sced:measurements_import", ab_study), {"import-file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    for expected in (
        "Line 3: case &#x27;Fear of liftng a crate&#x27; is not a measure of this study",
        "Line 4, column &#x27;values&#x27;",
        f"Line 5: session {draw.start - 1} belongs to phase A",
        "Line 6: Fear of lifting a crate: 15 is outside 0–10",
        "Line 7: 3 fields where the header has 4",
    ):
        assert expected in page, expected
    assert "Fear of liftng a crate,A,7,2" in page  # the file's text, back in the text box
    assert not Measurement.objects.exists()
    # Corrected in the text box and sent again: imported.
    fixed = "case,phase,values,mt\nFear of lifting a crate,A,7,1\nFear of lifting a crate,A,6,2\n"
    response = client.post(_url("sced:measurements_import", ab_study), {"import-text": fixed})
    assert response.status_code == 302
    assert Measurement.objects.count() == 2


# --- item 3: what the pages say ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_abab_study_shows_phases_that_agree_with_the_draw(client, ana, jannick):
    study = _abab(ana, jannick)
    client.force_login(ana)
    page = client.get(_url("sced:study_detail", study)).content.decode()
    assert "A1 sessions 1–6 · B1 7–12 · A2 13–18 · B2 19–24" in page
    draw = services.study_randomize(actor=ana, study=study, seed=3, concealed=False)
    b1, a2, b2 = draw.starts
    page = client.get(_url("sced:study_detail", study)).content.decode()
    assert f"A1 sessions 1–{b1 - 1} · B1 {b1}–{a2 - 1} · A2 {a2}–{b2 - 1} · B2 {b2}–24" in page
    assert f"B1 at session <strong>{b1}</strong>" in page
    assert f"B2 at session <strong>{b2}</strong>" in page
    assert "Intervention starts at session" not in page
    assert "A1: 6 · B1: 6" not in page


@pytest.mark.django_db
def test_the_patient_overview_names_the_design_counts_measures_and_shows_a_visible_badge(
    client, ana, jannick, ab_study
):
    client.force_login(ana)
    html = client.get(reverse("sced:patient_summary", kwargs={"patient_id": jannick.pk}))
    html = html.content.decode()
    assert "1 measure<" in html or "1 measure\n" in html or "1 measure " in html
    assert "measure(s)" not in html
    assert "AB (baseline, intervention)" in html
    # Bootstrap's text-bg-* classes set a background and a contrasting text colour on every page.
    assert 'class="badge text-bg-secondary"' in html


def test_every_study_state_has_a_badge_with_a_background():
    from pathlib import Path

    from sced.models import STATE_BADGE_CLASSES, StudyState

    css = Path("static/vendor/bootstrap/bootstrap.min.css").read_text()
    assert set(STATE_BADGE_CLASSES) == set(StudyState.values)
    for cls in STATE_BADGE_CLASSES.values():
        rule = css.split(f".{cls}{{", 1)[1].split("}", 1)[0]
        assert "background-color" in rule
        assert "color:" in rule


@pytest.mark.django_db
def test_sced_pages_speak_the_clinics_language(
    client, ana, jannick, django_capture_on_commit_callbacks
):
    """An ABAB study analysed in full: no design-note references, no internal keys."""
    study = _abab(ana, jannick)
    draw = services.study_randomize(actor=ana, study=study, seed=3, concealed=False)
    b1, a2, b2 = draw.starts
    values = [8 if s < b1 or a2 <= s < b2 else 3 for s in range(1, 25)]
    with django_capture_on_commit_callbacks(execute=True):
        fill(study, ana, values)
    client.force_login(ana)
    page = client.get(_url("sced:study_detail", study)).content.decode()
    assert "Effect sizes" in page  # the analysis is on the page
    assert "all baseline phases vs all intervention phases" in page.lower()
    for internal in ("pooled_A_vs_B", "(P9)", "P11)", "sced.md", "§", "UNVERIFIED", "monte_carlo"):
        assert internal not in page, internal


@pytest.mark.django_db
def test_the_analysis_shown_is_the_one_of_the_values_in_force(ana, jannick, ab_study):
    """Striking out session 4 brings back the data of an earlier run: that run is the analysis
    shown, not the newest one (which still holds the struck-out value)."""
    from sced import selectors
    from sced.models import Study

    services.study_randomize(actor=ana, study=ab_study, seed=5)
    fill(ab_study, ana, [8, 7, 8])
    three = selectors.latest_run(Study.objects.get(pk=ab_study.pk))
    wrong = fill_one(ab_study, ana, session=4, value=2)
    four = selectors.latest_run(Study.objects.get(pk=ab_study.pk))
    assert four.pk != three.pk
    services.measurement_strike_out(actor=ana, measurement=wrong, reason="wrong session")
    assert selectors.latest_run(Study.objects.get(pk=ab_study.pk)).pk == three.pk
    # Every value struck out: no analysis is shown at all.
    for m in Measurement.objects.in_force():
        services.measurement_strike_out(actor=ana, measurement=m, reason="test entries")
    assert selectors.latest_run(Study.objects.get(pk=ab_study.pk)) is None
