"""Every statistic Bob reads on the caseload review handles n = 0, 1 and 2: no 500 when a
clinician has one signed WAI-SR, and no interval that runs off the scale (WAI-SR 12–60)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from painclinic import estimates
from review.selectors import GAS_T_RANGE
from tests.assessment.factories import answers_all, signed_result

WAISR = (12, 60)


@pytest.mark.parametrize("n", [0, 1, 2])
def test_a_mean_of_few_values_never_shows_an_interval_off_the_scale(n):
    values = [12.0, 60.0][:n]
    est = estimates.mean_t_interval(values, bounds=WAISR)
    assert est.n == n
    if n == 0:
        assert est.value is None
        assert est.interval_text == "—"
        assert est.warning == estimates.NO_DATA
    else:
        # n = 1 has no SD; n = 2 of 12 and 60 gives −116.5–188.5 unclipped: the whole scale.
        assert est.low is None
        assert est.interval_text == "too few to estimate"
        assert est.value_text == ("12.0" if n == 1 else "36.0")


def test_a_narrow_pair_is_clipped_to_the_scale_and_says_so():
    est = estimates.mean_t_interval([58.0, 60.0], bounds=WAISR)
    assert est.high == 60
    assert est.low > 12
    assert est.clipped
    assert est.interval_text.endswith("–60.0")
    assert "limited to the scale's range (12–60)" in est.warning


def test_without_bounds_the_interval_is_the_plain_t_interval():
    est = estimates.mean_t_interval([3.0, 4.0, 5.5, 6.0])
    assert est.low < 3.0
    assert not est.clipped


@pytest.mark.parametrize(("successes", "n"), [(0, 0), (1, 1), (0, 1), (1, 2), (2, 2)])
def test_a_rate_of_few_patients_stays_between_0_and_100_percent(successes, n):
    est = estimates.wilson_interval(successes, n)
    if n == 0:
        assert est.value_text == "—"
        assert est.interval_text == "—"
        return
    assert 0 <= est.low <= est.value <= est.high <= 1
    assert est.value_text == f"{successes / n:.0%} ({successes} of {n})"
    assert "." not in est.interval_text


@pytest.mark.parametrize("n", [0, 1, 2])
def test_the_mean_gas_t_score_of_few_patients_stays_within_the_possible_t(n):
    est = estimates.mean_t_interval([20.0, 80.0][:n], bounds=GAS_T_RANGE)
    assert est.low is None or GAS_T_RANGE[0] <= est.low <= est.high <= GAS_T_RANGE[1]


def test_the_sample_sd_from_sql_sums_matches_the_direct_one():
    values = [12.0, 30.0, 41.5]
    mean = sum(values) / 3
    direct = (sum((v - mean) ** 2 for v in values) / 2) ** 0.5
    sd = estimates.sample_sd_from_sums(3, sum(values), sum(v * v for v in values))
    assert sd == pytest.approx(direct)
    assert estimates.sample_sd_from_sums(1, 12.0, 144.0) is None
    assert estimates.sample_sd_from_sums(2, 24.0, 288.0) == 0.0  # identical values


def _measures_of(content: str, clinician: str) -> str:
    start = content.index('id="h-measures"')
    return content[start:]


@pytest.mark.django_db
@pytest.mark.parametrize("codes", [(), (1,), (1, 5)])
def test_bobs_dashboard_with_0_1_or_2_signed_waisr_answers(client, bob, ana, jannick, codes):
    for code in codes:
        signed_result(patient=jannick, key="waisr", answers=answers_all("waisr", code), actor=ana)
    client.force_login(bob)
    page = client.get(reverse("team:dashboard"))
    assert page.status_code == 200
    measures = _measures_of(page.content.decode(), str(ana))
    row = re.search(r"WAI-SR \(working alliance\)</td>(.*?)</tr>", measures, re.S).group(1)
    if codes:
        assert "too few to estimate" in row
    assert not re.search(r"−?-\d|\d\.\d{3,}", row)  # no negative bound, no raw float


@pytest.mark.django_db
def test_a_lead_whose_team_has_no_patients_reads_empty_lists_not_an_error(client, fay):
    client.force_login(fay)
    page = client.get(reverse("team:dashboard"))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Needs attention (0 entries)" in content
    assert "Nobody on these lists." in content


@pytest.mark.django_db
def test_one_attention_entry_is_worded_in_the_singular(client, bob, ana, north):
    from datetime import date, timedelta

    from tests.factories import EpisodeFactory

    EpisodeFactory(
        team=north,
        lead_clinician=ana,
        status="active",
        referral_date=date.today() - timedelta(days=20),
        status_since=date.today() - timedelta(days=20),
    )
    client.force_login(bob)
    content = client.get(reverse("team:dashboard")).content.decode()
    assert "Needs attention (1 entry)" in content
