"""The README's table of demo logins is true (issue #9): it is parsed, and each row is checked
against what the seeded demo (seed_demo, seed_clinical_demo, seed_pmp: `make run`) gives that user
to see, computed through the access policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from painclinic.access import AccessLevel
from painclinic.models import Role, User
from patients.access import patients_visible_to
from patients.models import Episode, Patient
from programmes.policy import access_level

README = Path(__file__).resolve().parents[2] / "README.md"
ILLUSTRATIVE = {"Jannick": "DEMO-JANNICK", "Susan": "DEMO-SUSAN"}


def readme_roles() -> dict[str, dict[str, str]]:
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| login | role | team |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = dict(
            zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True)
        )
        rows[cells["login"].strip("`")] = cells
    return rows


def role_words(user: User) -> str:
    if user.role == Role.PROGRAMME_ADMIN:
        return "programme admin"
    return f"{user.get_role_display().lower()} ({user.get_discipline_display().lower()})"


def expected_records(cell: str) -> dict[str, AccessLevel]:
    """ "Jannick, Susan" -> both CLINICAL; "Susan at PMP level" -> Susan PMP; "none" -> {}."""
    if cell == "none":
        return {}
    levels = {}
    for part in cell.split(","):
        name, _, rest = part.strip().partition(" ")
        levels[name] = AccessLevel.PMP if rest == "at PMP level" else AccessLevel.CLINICAL
    return levels


@pytest.fixture
def demo(db):
    call_command("seed_demo", patients=12, stdout=None)
    call_command("seed_clinical_demo", stdout=None)
    call_command("seed_pmp", stdout=None)


def test_the_table_is_found_and_names_every_demo_login(demo):
    rows = readme_roles()
    assert set(rows) == set(User.objects.values_list("username", flat=True))


def test_every_row_of_the_readme_role_table_is_what_the_demo_does(demo):
    patients = {name: Patient.objects.get(identifier=ident) for name, ident in ILLUSTRATIVE.items()}
    for login, row in readme_roles().items():
        user = User.objects.get(username=login)
        teams = [t.name.removeprefix("Pain Rehabilitation ") for t in user.teams.all()]
        if login == "admin":
            assert user.is_superuser
            assert row["role"].startswith("Django admin")
        else:
            assert row["role"] == role_words(user), login
        assert row["team"] == (", ".join(teams) or "none"), login

        actual = {
            name: level
            for name, patient in patients.items()
            if (level := access_level(user, patient)) > AccessLevel.NONE
        }
        assert actual == expected_records(row["Jannick's and Susan's records"]), login

        sees, visible = row["sees"], set(patients_visible_to(user))
        if sees.startswith("every patient of the"):
            team = re.match(r"every patient of the (\w+) team", sees).group(1)
            assert visible == set(Patient.objects.filter(episodes__team__name__endswith=team)), (
                login
            )
        elif "care-team patients" in sees:
            assert visible == set(Patient.objects.filter(episodes__care_team__user=user)), login
        else:
            assert visible == set(), login
        for name in re.findall(r"leads (\w+)'s episode", sees):
            assert Episode.objects.filter(patient=patients[name], lead_clinician=user).exists()
        for name in re.findall(r"on (\w+)'s care team", sees):
            episode = Episode.objects.get(patient=patients[name])
            assert episode.care_team.filter(user=user).exists(), (login, name)
            assert episode.lead_clinician != user, (login, name)
