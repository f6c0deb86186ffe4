"""Seed the clinic-wide batteries (team = null); teams add their own in the admin.

First-visit yellow-flag screen (issue #3): pain intensity and interference (NRS, PEG), a risk
screen (STarT Back for back pain, ÖMPSQ-10 for any musculoskeletal pain), fear of movement
(TSK-11), catastrophizing (PCS), self-efficacy (PSEQ), mood (PHQ-9, GAD-7); instruments.md §27.1.
"""

from django.db import migrations

BATTERIES = [
    (
        "First-visit yellow-flag screen (back pain)",
        "first_visit",
        ["nrs", "peg", "startback", "tsk11", "pcs", "pseq", "phq9", "gad7"],
    ),
    (
        "First-visit yellow-flag screen (musculoskeletal pain)",
        "first_visit",
        ["nrs", "peg", "ompsq10", "tsk11", "pcs", "pseq", "phq9", "gad7"],
    ),
    ("Review", "review", ["nrs", "peg", "tsk11", "pcs", "pseq", "phq9", "gad7"]),
]


def forward(apps, schema_editor):
    Battery = apps.get_model("assessment", "Battery")
    for name, time_point, keys in BATTERIES:
        Battery.objects.get_or_create(
            name=name, team=None, defaults={"time_point": time_point, "instrument_keys": keys}
        )


def backward(apps, schema_editor):
    Battery = apps.get_model("assessment", "Battery")
    Battery.objects.filter(team=None, name__in=[b[0] for b in BATTERIES], sessions=None).delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
