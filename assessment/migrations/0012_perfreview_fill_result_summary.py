"""Fill ResultSummary (0009) from the signed results: per episode and instrument, the first and
the latest signed result whose score in force (the amendment's, if any) is scorable, ordered by
session date, signing time and id (assessment.selectors.result_summaries_computed, repeated here
over the historical models). From here on the assessment services keep it current (sign, amend).
Reversible: going back empties the table (0009 then drops it)."""

from django.db import migrations
from django.db.models import Case, CharField, Q, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform

BATCH = 5_000


def fill(apps, schema_editor):
    Administration = apps.get_model("assessment", "Administration")
    ResultSummary = apps.get_model("assessment", "ResultSummary")
    amended = Q(current_amendment__isnull=False)
    rows = (
        Administration.objects.filter(state="signed")
        .filter(
            Q(current_amendment__isnull=True, score__scorable=True)
            | Q(current_amendment__isnull=False, current_amendment__new_score__scorable=True)
        )
        .annotate(
            total_in_force=Case(
                When(amended, then=KeyTransform("total", "current_amendment__new_score")),
                default=KeyTransform("total", "score"),
            ),
            band_in_force=Case(
                When(
                    amended,
                    then=KeyTextTransform(
                        "name", KeyTransform("band", "current_amendment__new_score")
                    ),
                ),
                default=KeyTextTransform("name", KeyTransform("band", "score")),
                output_field=CharField(),
            ),
        )
        .order_by("session__episode_id", "instrument_key", "session__date", "signed_at", "id")
        .values_list(
            "session__episode_id",
            "instrument_key",
            "id",
            "session__date",
            "total_in_force",
            "current_amendment_id",
            "band_in_force",
        )
    )
    batch, current = [], None
    if schema_editor.connection.vendor == "postgresql":
        # A server-side cursor is planned for its first rows (cursor_tuple_fraction 0.1): over
        # 120,000 results that chose a nested loop running for minutes; plan for all of them.
        schema_editor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
    for episode_id, key, result_id, day, total, amendment_id, band in rows.iterator(BATCH):
        if current is None or (current.episode_id, current.instrument_key) != (episode_id, key):
            if len(batch) >= BATCH:
                ResultSummary.objects.bulk_create(batch)
                batch = []
            current = ResultSummary(
                episode_id=episode_id,
                instrument_key=key,
                first_result_id=result_id,
                first_date=day,
                first_total=total,
                first_amended=amendment_id is not None,
            )
            batch.append(current)
        current.latest_result_id = result_id
        current.latest_date = day
        current.latest_total = total
        current.latest_amended = amendment_id is not None
        current.latest_band_name = band or ""
    ResultSummary.objects.bulk_create(batch)


def empty(apps, schema_editor):
    apps.get_model("assessment", "ResultSummary").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("assessment", "0011_perfreview_result_summary")]

    operations = [migrations.RunPython(fill, empty)]
