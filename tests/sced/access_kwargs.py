"""URL parameters for sced views, for the access suite (tests/test_access.py)."""

from datetime import date, timedelta

from sced import services
from sced.models import AnalysisPlot, AnalysisRun
from tests.sced.conftest import BASELINE, INTERVENTION, fill, make_study


def url_kwargs(patient, actor) -> dict:
    """Jannick's randomized AB study with data, one stored analysis, its plot and a diary
    link."""
    study = make_study(actor, patient, start_date=date.today() - timedelta(days=20))
    draw = services.study_randomize(actor=actor, study=study, seed=7)
    start = draw.start
    values = (BASELINE * 3)[: start - 1] + (INTERVENTION * 2)[: 21 - (start - 1)]
    measurements = fill(study, actor, values)
    run = AnalysisRun.objects.filter(study=study).first() or services.analysis_request(
        actor=actor, study=study
    )
    plot = AnalysisPlot.objects.create(
        run=run, measure=study.measures.first(), kind="sced", png=b"\x89PNG", svg=b"<svg/>"
    )
    link, _token = services.diary_link_issue(actor=actor, study=study)
    return {
        "study_id": study.pk,
        "link_id": link.pk,
        "measurement_id": measurements[0].pk,
        "run_id": run.pk,
        "plot_id": plot.pk,
        "fmt": "png",
        "measure_id": study.measures.first().pk,
    }
