"""definition_problems catches deliberately broken definitions, each with its stable code."""

from __future__ import annotations

from dataclasses import replace

import pytest

from assessment.instruments import get
from assessment.instruments.base import (
    Band,
    ChangeRule,
    DecisionTable,
    FlagRule,
    Instrument,
    Interval,
    Item,
    LoincCode,
    MissingRule,
    NotApplicablePolicy,
    ReliableChangeParameters,
    ResponseScale,
    ScoreRule,
)
from assessment.instruments.validation import definition_problems, loinc_check_digit


def codes(instrument: Instrument) -> set[str]:
    return {problem.code for problem in definition_problems(instrument)}


def with_score(instrument: Instrument, score_id: str, **changes: object) -> Instrument:
    scores = tuple(
        replace(rule, **changes) if rule.id == score_id else rule for rule in instrument.scores
    )
    return replace(instrument, scores=scores)


def with_item(instrument: Instrument, item_id: str, **changes: object) -> Instrument:
    items = tuple(
        replace(item, **changes) if item.id == item_id else item for item in instrument.items
    )
    return replace(instrument, items=items)


TSK17 = get("tsk17")
PHQ9 = get("phq9")
NRS = get("nrs")


class TestE001Sources:
    def test_score_without_source(self) -> None:
        assert codes(with_score(TSK17, "total", source="")) == {"assessment.E001"}

    def test_band_without_source(self) -> None:
        bands = tuple(replace(b, source=" ") for b in TSK17.scores[0].bands)
        assert codes(with_score(TSK17, "total", bands=bands)) == {"assessment.E001"}

    def test_missing_rule_without_source_and_bad_evidence(self) -> None:
        rule = MissingRule(0, "refuse", "", evidence="hearsay")
        problems = definition_problems(with_score(TSK17, "total", missing=rule))
        assert [p.code for p in problems] == ["assessment.E001", "assessment.E001"]
        assert "has no source" in problems[0].message

    def test_licence_flag_change_and_item_without_source(self) -> None:
        assert codes(replace(TSK17, licence=replace(TSK17.licence, source=""))) == {
            "assessment.E001"
        }
        assert codes(replace(PHQ9, flags=(replace(PHQ9.flags[0], source=""),))) == {
            "assessment.E001"
        }
        assert codes(replace(TSK17, change=(replace(TSK17.change[0], source=""),))) == {
            "assessment.E001"
        }
        assert codes(with_item(TSK17, "4", source="")) == {"assessment.E001"}


class TestE002Bands:
    def test_tsk_boundary_made_inclusive_on_both_sides_overlaps_at_37(self) -> None:
        not_high, high = TSK17.scores[0].bands
        broken = with_score(TSK17, "total", bands=(not_high, replace(high, min_inclusive=True)))
        problems = definition_problems(broken)
        assert [p.code for p in problems] == ["assessment.E002"]
        assert "overlap at the score 37" in problems[0].message

    def test_integer_gap(self) -> None:
        bands = tuple(b for b in NRS.scores[0].bands if b.name != "moderate")
        problems = definition_problems(with_score(NRS, "total", bands=bands))
        assert [p.message for p in problems] == ["nrs score 'total': no band covers the score 5."]

    def test_continuous_gap_for_a_prorated_score(self) -> None:
        # PHQ-9 totals can be fractional: "0-4" then "5-9" leaves 4.5 without a band
        minimal, mild, *rest = PHQ9.scores[0].bands
        bands = (replace(minimal, max=4, max_inclusive=True), mild, *rest)
        problems = definition_problems(with_score(PHQ9, "total", bands=bands))
        assert [p.code for p in problems] == ["assessment.E002"]
        assert problems[0].message == (
            "phq9 score 'total': gap between bands 'minimal' (0-4) and 'mild' (5 to < 10); "
            "this score can take values in between."
        )

    def test_continuous_overlap_and_outside_range_and_uncovered_top(self) -> None:
        *rest, severe = PHQ9.scores[0].bands
        overlap = (*rest[:-1], replace(rest[-1], max_inclusive=True), severe)
        assert codes(with_score(PHQ9, "total", bands=overlap)) == {"assessment.E002"}
        outside = (*rest, replace(severe, max=30))
        assert (
            "lies outside the score range"
            in definition_problems(with_score(PHQ9, "total", bands=outside))[0].message
        )
        open_top = (*rest, replace(severe, max_inclusive=False))
        assert (
            "do not cover the top"
            in definition_problems(with_score(PHQ9, "total", bands=open_top))[0].message
        )

    def test_empty_band_and_bad_level(self) -> None:
        bands = (*NRS.scores[0].bands, Band("odd", "Odd", 3, 2, 9, "src"))
        found = definition_problems(with_score(NRS, "total", bands=bands))
        assert {p.code for p in found} == {"assessment.E002"}
        assert any("is empty" in p.message for p in found)
        assert any("level 9" in p.message for p in found)


class TestE003ToE006ItemsScoresMissing:
    def test_score_refers_to_unknown_item(self) -> None:
        items = (*TSK17.scores[0].items[:-1], "18")
        assert "assessment.E003" in codes(with_score(TSK17, "total", items=items))

    def test_item_listed_twice(self) -> None:
        items = (*TSK17.scores[0].items, "1")
        assert "assessment.E003" in codes(with_score(TSK17, "total", items=items, range=(18, 72)))

    def test_reverse_on_one_point_scale_and_inverted_scale(self) -> None:
        assert codes(with_item(TSK17, "4", scale=ResponseScale(2, 2))) >= {"assessment.E004"}
        assert "assessment.E004" in codes(with_item(TSK17, "4", scale=ResponseScale(4, 1)))

    def test_recode_problems(self) -> None:
        startback = get("startback")
        assert codes(with_item(startback, "9", recode={0: 0, 1: 0, 2: 0, 3: 1})) == {
            "assessment.E004"
        }
        assert codes(with_item(startback, "9", reverse=True)) == {"assessment.E004"}
        assert "assessment.E003" in codes(
            with_item(startback, "9", recode={c: 0 for c in range(6)})
        )

    def test_refuse_with_a_limit_and_limit_leaving_nothing(self) -> None:
        assert codes(with_score(TSK17, "total", missing=MissingRule(2, "refuse", "src"))) == {
            "assessment.E005"
        }
        # (a prorated NRS would also no longer be whole-number, so its "1-4" bands get E002 too)
        assert "assessment.E005" in codes(
            with_score(NRS, "total", missing=MissingRule(1, "prorate_mean", "src"))
        )
        assert codes(with_score(NRS, "total", missing=MissingRule(0, "guess", "src"))) == {
            "assessment.E005"
        }

    def test_declared_range_differs(self) -> None:
        problems = definition_problems(with_score(TSK17, "total", range=(0, 68)))
        assert [p.message for p in problems] == [
            "tsk17 score 'total': declared range 0-68 but the items give 17-68."
        ]


class TestE007ToE009FlagsTablesChange:
    def test_flag_on_unknown_item_or_never_raised(self) -> None:
        flag = PHQ9.flags[0]
        assert codes(replace(PHQ9, flags=(replace(flag, target="11"),))) == {"assessment.E007"}
        assert codes(replace(PHQ9, flags=(replace(flag, when=Interval(4, None)),))) == {
            "assessment.E007"
        }
        score_flag = FlagRule("x", "x", "score", "total", Interval(28, None), "m", "src")
        assert codes(replace(PHQ9, flags=(score_flag,))) == {"assessment.E007"}
        assert codes(replace(PHQ9, flags=(replace(score_flag, target="nope"),))) == {
            "assessment.E007"
        }

    def test_startback_table_without_medium_leaves_groups_unclassified(self) -> None:
        startback = get("startback")
        table = startback.classification
        assert table is not None
        rows = tuple(row for row in table.rows if row.name != "medium")
        problems = definition_problems(replace(startback, classification=replace(table, rows=rows)))
        assert [p.code for p in problems] == ["assessment.E008"]
        assert "classifies nothing for psychosocial=0, total=4" in problems[0].message

    def test_table_on_unknown_score(self) -> None:
        startback = get("startback")
        table = startback.classification
        assert table is not None
        row = replace(table.rows[0], conditions={"distress": Interval(0, 3)})
        broken = replace(startback, classification=DecisionTable("t", "t", (row,), "src"))
        assert codes(broken) == {"assessment.E008"}

    def test_change_rule_direction_unknown_score_and_no_magnitude(self) -> None:
        rule = TSK17.change[0]
        assert codes(replace(TSK17, change=(replace(rule, improvement="increase"),))) == {
            "assessment.E009"
        }
        assert codes(replace(TSK17, change=(replace(rule, score="nope"),))) == {"assessment.E009"}
        assert codes(replace(TSK17, change=(replace(rule, points=None),))) == {"assessment.E009"}
        band_rule = ChangeRule(
            "b", "tsk11", "mcid", "decrease", "src", points=4, requires_band_change=True
        )
        assert codes(replace(TSK17, change=(band_rule,))) == {"assessment.E009"}


class TestE010ToE015:
    def test_item_text_on_a_restricted_instrument(self) -> None:
        assert codes(with_item(get("pcs"), "1", text="some wording")) == {"assessment.E010"}
        bundled = replace(get("pcs"), licence=replace(get("pcs").licence, item_text_bundled=True))
        assert codes(bundled) == {"assessment.E010"}
        assert codes(replace(NRS, licence=replace(NRS.licence, status="maybe"))) == {
            "assessment.E010"
        }

    def test_loinc_check_digit(self) -> None:
        assert loinc_check_digit("44249") == 1
        assert loinc_check_digit("72514") == 3
        broken = replace(PHQ9, loinc=(LoincCode("44249-2", "panel", None, "x", "src"),))
        problems = definition_problems(broken)
        assert [p.message for p in problems] == ["phq9 LOINC 44249-2: check digit should be 1."]
        assert codes(replace(PHQ9, loinc=(LoincCode("44260-8", "item", "12", "x", "src"),))) == {
            "assessment.E011"
        }

    def test_identity_problems(self) -> None:
        assert codes(replace(NRS, key="NRS 1")) == {"assessment.E012"}
        assert codes(replace(NRS, direction="up")) == {"assessment.E012"}
        duplicated = replace(
            TSK17, items=(*TSK17.items, Item("1", "again", ResponseScale(1, 4), "src"))
        )
        assert "assessment.E012" in codes(duplicated)

    def test_primary_and_unused_items(self) -> None:
        assert "assessment.E013" in codes(replace(NRS, primary="mean"))
        extra = Item("2", "Item 2", ResponseScale(0, 10), "src")
        assert codes(replace(NRS, items=(*NRS.items, extra))) == {"assessment.E013"}
        unscored = with_item(TSK17, "3", scored=False)
        assert codes(unscored) == {"assessment.E013"}

    def test_not_applicable_code_outside_scale(self) -> None:
        rmdq = get("rmdq")
        assert rmdq.not_applicable is not None
        assert codes(replace(rmdq, not_applicable=replace(rmdq.not_applicable, code=3))) == {
            "assessment.E014"
        }
        assert codes(replace(NRS, not_applicable=NotApplicablePolicy("skip", "src"))) == {
            "assessment.E014"
        }

    def test_several_marked_policy_needs_a_known_rule_and_a_source(self) -> None:
        from assessment.instruments.base import MultipleMarkedPolicy

        assert codes(replace(NRS, multiple_marked=MultipleMarkedPolicy("first", "src"))) == {
            "assessment.E014"
        }
        assert codes(replace(NRS, multiple_marked=MultipleMarkedPolicy("highest", ""))) == {
            "assessment.E001"
        }

    def test_a_score_reports_only_known_numbers(self) -> None:
        assert codes(with_score(TSK17, "total", report=("median",))) == {"assessment.E012"}

    def test_rci_and_norms(self) -> None:
        assert codes(
            replace(TSK17, rci=(ReliableChangeParameters("total", "src", sd=5, reliability=1.2),))
        ) == {"assessment.E015"}
        assert codes(replace(TSK17, rci=(ReliableChangeParameters("nope", "src", sem=3),))) == {
            "assessment.E015"
        }
        assert codes(replace(TSK17, rci=(ReliableChangeParameters("total", "src"),))) == {
            "assessment.E015"
        }
        pcs = get("pcs")
        assert codes(replace(pcs, norms=(replace(pcs.norms[0], mean=60),))) == {"assessment.E015"}


@pytest.mark.parametrize("aggregate", ["median", "product"])
def test_unknown_aggregate_is_reported_not_raised(aggregate: str) -> None:
    assert codes(with_score(NRS, "total", aggregate=aggregate)) == {"assessment.E012"}


def test_a_new_score_rule_with_everything_wrong_reports_each_problem() -> None:
    rule = ScoreRule("x", "x", "subscale", ("99",), "sum", MissingRule(0, "refuse", ""), (0, 1), "")
    found = codes(replace(NRS, scores=(*NRS.scores, rule)))
    assert found == {"assessment.E001", "assessment.E003"}
