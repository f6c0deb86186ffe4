"""ResultSummary.classification: the RCI classification of first against latest, stored so the
team review selects and counts by it in SQL (issue #16), with partial indexes of the rows its
lists look for. Filled here from the stored totals with
the same function the services use from now on (selectors.change_classification). Going back
drops the column."""

from collections import defaultdict

from django.db import migrations, models

BATCH = 5_000


def fill(apps, schema_editor):
    from assessment.selectors import change_classification

    ResultSummary = apps.get_model("assessment", "ResultSummary")
    rows = ResultSummary.objects.order_by("pk").values_list(
        "pk", "instrument_key", "first_result_id", "first_total", "latest_result_id", "latest_total"
    )
    by_class = defaultdict(list)
    for pk, key, first_id, first_total, latest_id, latest_total in rows.iterator(BATCH):
        by_class[
            change_classification(key, first_total, latest_total, remeasured=first_id != latest_id)
        ].append(pk)
    for classification, pks in by_class.items():
        for start in range(0, len(pks), BATCH):
            ResultSummary.objects.filter(pk__in=pks[start : start + BATCH]).update(
                classification=classification
            )


class Migration(migrations.Migration):
    dependencies = [("assessment", "0012_perfreview_fill_result_summary")]

    operations = [
        migrations.AddField(
            model_name="resultsummary",
            name="classification",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="administration",
            index=models.Index(
                condition=models.Q(
                    ("instrument_key__in", ("waisr", "care")), ("state", "signed")
                ),
                fields=["session"],
                name="administration_process_signed",
            ),
        ),
        migrations.AddIndex(
            model_name="resultsummary",
            index=models.Index(
                condition=models.Q(("classification", "reliably_improved")),
                fields=["episode", "instrument_key"],
                name="result_summary_improved",
            ),
        ),
        migrations.AddIndex(
            model_name="resultsummary",
            index=models.Index(
                condition=models.Q(("classification", "reliably_deteriorated")),
                fields=["episode", "instrument_key"],
                name="result_summary_deteriorated",
            ),
        ),
        migrations.AddIndex(
            model_name="resultsummary",
            index=models.Index(
                condition=models.Q(("classification", "not_available"), _negated=True),
                fields=["episode", "instrument_key"],
                name="result_summary_classified",
            ),
        ),
        migrations.AddIndex(
            model_name="resultsummary",
            index=models.Index(
                condition=models.Q(
                    ("latest_band_name__in", ("high", "moderately_severe", "severe"))
                ),
                fields=["episode", "instrument_key", "latest_band_name"],
                name="result_summary_high_band",
            ),
        ),
    ]
