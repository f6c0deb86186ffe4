"""Episode.latest_plan_flags and Episode.has_goals (patients/0011) filled from the plans and goals
already recorded, by the function the treatment services call when they sign a plan or set a goal
(treatment.services.refresh_plan_and_goal_facts; issue #16)."""

from django.db import migrations


def fill(apps, schema_editor):
    from treatment.services import refresh_plan_and_goal_facts

    refresh_plan_and_goal_facts(apps.get_model("patients", "Episode").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0011_team_plan_goal_facts"),
        ("treatment", "0006_safety_redflags_flare_up_safety_net"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
