"""Fill Episode.last_signed_assessment (patients 0007) from the signed results: the session date
of each episode's latest signed result whose score in force is scorable. One UPDATE; from here
on the assessment services keep it current (sign, amend)."""

from django.db import migrations
from django.db.models import Max, OuterRef, Q, Subquery


def fill(apps, schema_editor):
    Episode = apps.get_model("patients", "Episode")
    Administration = apps.get_model("assessment", "Administration")
    latest = (
        Administration.objects.filter(state="signed")
        .filter(
            Q(current_amendment__isnull=True, score__scorable=True)
            | Q(current_amendment__isnull=False, current_amendment__new_score__scorable=True)
        )
        .filter(session__episode=OuterRef("pk"))
        .order_by()
        .values("session__episode")
        .annotate(d=Max("session__date"))
        .values("d")
    )
    Episode.objects.update(last_signed_assessment=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0007_rated_clinician_quality"),
        ("patients", "0009_episode_last_signed"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
