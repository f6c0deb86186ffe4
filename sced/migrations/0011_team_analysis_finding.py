"""AnalysisRun.finding: the first measure's result cut down to what the team review reads, stored
when a run is saved done (issue #16); filled here for the runs already done, by the same UPDATE
the model's save runs (sced.models.store_findings)."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from sced.models import store_findings

    store_findings(apps.get_model("sced", "AnalysisRun").objects.all())


class Migration(migrations.Migration):
    dependencies = [("sced", "0010_atd_and_criterion")]

    operations = [
        migrations.AddField(
            model_name="analysisrun",
            name="finding",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
