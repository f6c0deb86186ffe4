
"""Study.finding_nap and its interval: the NAP of the finding in force, kept by the sced models
and services (issue #16); filled here for the studies already analysed, by the function they
call (sced.models.store_in_force_findings)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from sced.models import store_in_force_findings

    store_in_force_findings(apps.get_model("sced", "Study").objects.all())


class Migration(migrations.Migration):

    dependencies = [
        ('sced', '0011_team_analysis_finding'),
    ]

    operations = [
        migrations.AddField(
            model_name='study',
            name='finding_nap',
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='study',
            name='finding_nap_ci_lower',
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='study',
            name='finding_nap_ci_upper',
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
