"""Episode.gas_t_score (patients/0012) filled from the goal reviews already recorded, by the
function the treatment services call when a review is recorded or amended
(treatment.services.refresh_gas_t_scores; issue #16)."""

from django.db import migrations


def fill(apps, schema_editor):
    from treatment.services import refresh_gas_t_scores

    refresh_gas_t_scores(apps.get_model("patients", "Episode").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0012_team_gas_t_score"),
        ("treatment", "0007_team_plan_goal_facts"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
