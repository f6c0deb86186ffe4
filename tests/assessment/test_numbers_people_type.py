"""Numbers that ``str.isdigit()`` accepts but ``int()`` refuses ("²", "٣", 5,000 digits), and
floats that are not numbers (NaN, 1e309), are refused as wrong answers on every path — the
preview, the draft, the amendment, the patient's link and ``manage.py score`` — never a 500 or a
traceback (issue #15)."""

from __future__ import annotations

import io
import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from assessment import services
from assessment.models import Administration
from painclinic.numbers import parse_float, parse_int
from tests.assessment.factories import made_up_wording, signed_result

HOSTILE = ["²", "٣", "1" * 5000, "1e309", "NaN", "inf", "-inf", "3.5", "", "   ", "\x00", "1_0"]
STARTBACK = {str(i): 1 for i in range(1, 9)} | {"9": 4}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        (" 3 ", 3),
        ("+2", 2),
        ("-0", 0),
        ("²", None),
        ("٣", None),
        ("1" * 5000, None),
        ("1" * 16, None),
        ("1e3", None),
        ("NaN", None),
        ("inf", None),
        ("", None),
        ("1_000", None),
        (True, None),
        (4.0, 4),
        (4.5, None),
        (float("nan"), None),
        (10**400, None),
    ],
)
def test_parse_int_reads_only_plain_ascii_whole_numbers(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.5", 2.5),
        (" 1e3 ", 1000.0),
        ("-0", 0.0),
        (".5", 0.5),
        ("1e309", None),
        ("-1e309", None),
        ("NaN", None),
        ("nan", None),
        ("inf", None),
        ("Infinity", None),
        ("²", None),
        ("٣", None),
        ("9" * 5000, None),
        ("1,5", None),
        (float("inf"), None),
        (10**400, None),
    ],
)
def test_parse_float_reads_only_finite_ascii_numbers(text, expected):
    result = parse_float(text)
    assert result == expected
    if result == 0:
        assert str(result) == "0.0"  # -0 is read as 0, not -0.0


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE)
def test_the_preview_draft_and_amendment_refuse_the_answer_without_a_500(
    client, jannick, ana, text
):
    result = signed_result(patient=jannick, key="startback", answers=STARTBACK, actor=ana)
    client.force_login(ana)
    kwargs = {"patient_id": jannick.pk, "administration_id": result.pk}
    data = {f"item_{k}": str(v) for k, v in STARTBACK.items()} | {"item_9": text}
    preview = client.post(reverse("assessment:score_preview", kwargs=kwargs), data)
    assert preview.status_code < 500
    amend = client.post(reverse("assessment:amend", kwargs=kwargs), data | {"reason": "typo"})
    assert amend.status_code < 500
    result.refresh_from_db()
    assert result.current_answers["9"] == 4 or text.strip() == ""  # nothing amended to garbage
    session = services.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point="review",
        instrument_keys=["startback"],
    )
    draft = session.administrations.get()
    kwargs = {"patient_id": jannick.pk, "administration_id": draft.pk}
    response = client.post(reverse("assessment:administration", kwargs=kwargs), data)
    assert response.status_code < 500
    response = client.post(
        reverse("assessment:administration", kwargs=kwargs), data | {"sign": "1"}
    )
    assert response.status_code < 500
    assert Administration.objects.get(pk=draft.pk).state != "signed" or text.strip() == ""


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE)
def test_jannicks_link_refuses_the_answer_without_a_500(client, jannick, ana, text):
    session = services.session_start(
        actor=ana,
        patient=jannick,
        episode=jannick.episodes.get(),
        time_point="first_visit",
        instrument_keys=["tsk11"],
    )
    made_up_wording("tsk11")
    _link, token = services.patient_link_issue(actor=ana, session=session)
    tsk = session.administrations.get()
    url = reverse("assessment:link", args=[token])
    response = client.post(url, {f"a{tsk.pk}-item_1": text}, HTTP_HX_REQUEST="true")
    assert response.status_code < 500
    response = client.post(url, {f"a{tsk.pk}-item_1": text, "send": "1"})
    assert response.status_code < 500
    tsk.refresh_from_db()
    assert tsk.answers.get("1") in (None, "NA")


@pytest.mark.parametrize(
    "text",
    [
        '{"answers": {"1": "²"}}',
        '{"answers": {"1": "٣"}}',
        '{"answers": {"1": "' + "1" * 5000 + '"}}',
        '{"answers": {"1": ' + "1" * 5000 + "}}",
        '{"answers": {"1": 1e309}}',
        '{"answers": {"1": NaN}}',
    ],
)
def test_manage_py_score_answers_bad_numbers_with_an_error_not_a_traceback(text):
    out = io.StringIO()
    with mock.patch("sys.stdin", io.StringIO(text)), pytest.raises(CommandError) as raised:
        call_command("score", "tsk11", stdout=out)
    assert raised.value.returncode == 2
    assert "error" in json.loads(out.getvalue())


@pytest.mark.parametrize(
    "payload",
    [
        '{"instrument": "odi", "baseline": ' + "9" * 400 + ', "follow_up": 24}',
        '{"instrument": "odi", "baseline": 1e309, "follow_up": 24}',
    ],
)
def test_manage_py_score_change_with_an_absurd_baseline_answers_without_a_traceback(payload):
    out = io.StringIO()
    with mock.patch("sys.stdin", io.StringIO(payload)):
        try:
            call_command("score", "change", stdout=out)
            returncode = 0
        except CommandError as exc:
            returncode = exc.returncode
    assert returncode in (0, 2)
    assert json.loads(out.getvalue())
