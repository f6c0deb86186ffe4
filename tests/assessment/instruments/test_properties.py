"""Invariants every definition must keep, checked with hypothesis over every instrument."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.instruments import all_instruments, rnpq
from assessment.instruments.base import Instrument, InvalidAnswer, Item, Score, Unscorable

# The rNPQ ships without its scoring key (it is always unscorable until the clinic supplies one:
# tests/assessment/instruments/test_rnpq.py); its scoring invariants are checked on a build with
# a made-up key (not the licensed one).
INSTRUMENTS = tuple(
    rnpq.with_key({str(i): i % 3 == 0 for i in range(1, 13)}) if i.key == "rnpq" else i
    for i in all_instruments()
)
KEYS = [instrument.key for instrument in INSTRUMENTS]
BY_KEY = {instrument.key: instrument for instrument in INSTRUMENTS}


def complete_answers(instrument: Instrument) -> st.SearchStrategy[dict[str, int]]:
    return st.fixed_dictionaries(
        {item.id: st.integers(item.scale.min, item.scale.max) for item in instrument.items}
    )


def within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] - 1e-9 <= value <= bounds[1] + 1e-9


def all_values(result: Score) -> dict[str, Any]:
    values: dict[str, Any] = {**result.subscales, **result.derived}
    if result.total is not None:
        values["total"] = result.total
    return values


@settings(max_examples=300)
@given(data=st.data(), key=st.sampled_from(KEYS))
def test_complete_answers_always_score_within_the_declared_ranges(
    data: st.DataObject, key: str
) -> None:
    instrument = BY_KEY[key]
    result = instrument.score(data.draw(complete_answers(instrument)))
    assert isinstance(result, Score)
    assert result.missing_items == ()
    for rule in instrument.scores:
        value = all_values(result)[rule.id]
        assert within(value, rule.range), (rule.id, value, rule.range)
        if rule.bands:
            assert result.bands[rule.id].name in {band.name for band in rule.bands}
    if instrument.classification is not None:
        assert result.band is not None


@settings(max_examples=300)
@given(data=st.data(), key=st.sampled_from(KEYS))
def test_missing_answers_give_unscorable_or_a_score_in_range_never_a_silent_zero(
    data: st.DataObject, key: str
) -> None:
    instrument = BY_KEY[key]
    answers: dict[str, int | None] = dict(data.draw(complete_answers(instrument)))
    dropped = data.draw(st.sets(st.sampled_from([item.id for item in instrument.items])))
    for item_id in dropped:
        answers[item_id] = None
    result = instrument.score(answers)
    primary = instrument.score_rule(instrument.primary) if instrument.primary else None
    overall = instrument.overall_missing
    scored_missing = [i.id for i in instrument.items if i.scored and answers[i.id] is None]
    if overall is not None and len(scored_missing) > overall.max_missing:
        assert isinstance(result, Unscorable)
    elif primary is not None:
        primary_missing = sum(answers[item_id] is None for item_id in primary.items)
        expect_scorable = primary_missing <= primary.missing.max_missing
        assert isinstance(result, Score) == expect_scorable
    if isinstance(result, Unscorable):
        assert result.reason.startswith(f"{instrument.short_name} cannot be scored")
        assert result.reason.endswith(".")
    else:
        values = all_values(result)
        for rule in instrument.scores:
            if rule.id in values:
                assert within(values[rule.id], rule.range)
            else:
                assert rule.id in result.unscorable_parts


def signature(instrument: Instrument, item: Item) -> tuple[Any, ...]:
    """Items with the same signature are interchangeable for every score."""
    member_of = frozenset(rule.id for rule in instrument.scores if item.id in rule.items)
    recode = None if item.recode is None else tuple(sorted(item.recode.items()))
    return (member_of, item.reverse, recode, item.scale.min, item.scale.max)


@settings(max_examples=300)
@given(data=st.data(), key=st.sampled_from(KEYS))
def test_permuting_answers_among_same_keyed_items_leaves_every_score_unchanged(
    data: st.DataObject, key: str
) -> None:
    instrument = BY_KEY[key]
    answers = data.draw(complete_answers(instrument))
    groups: dict[tuple[Any, ...], list[str]] = defaultdict(list)
    for item in instrument.items:
        groups[signature(instrument, item)].append(item.id)
    permuted = dict(answers)
    for members in groups.values():
        shuffled = data.draw(st.permutations(members))
        for source, target in zip(members, shuffled, strict=True):
            permuted[target] = answers[source]
    before, after = instrument.score(answers), instrument.score(permuted)
    assert isinstance(before, Score)
    assert isinstance(after, Score)
    assert all_values(before) == pytest.approx(all_values(after))
    assert before.band == after.band


@settings(max_examples=300)
@given(data=st.data(), key=st.sampled_from(KEYS))
def test_out_of_range_answers_are_refused_with_the_item_named(
    data: st.DataObject, key: str
) -> None:
    instrument = BY_KEY[key]
    item = data.draw(st.sampled_from(instrument.items))
    bad = data.draw(
        st.one_of(
            st.integers(max_value=item.scale.min - 1), st.integers(min_value=item.scale.max + 1)
        )
    )
    answers: dict[str, Any] = dict(data.draw(complete_answers(instrument)))
    answers[item.id] = bad
    with pytest.raises(InvalidAnswer) as caught:
        instrument.score(answers)
    assert caught.value.item == item.id
    assert caught.value.allowed == f"{item.scale.min}-{item.scale.max}"


@settings(max_examples=100)
@given(key=st.sampled_from(KEYS), name=st.text(min_size=1, max_size=4))
def test_unknown_items_are_refused(key: str, name: str) -> None:
    instrument = BY_KEY[key]
    if instrument.item(name) is not None:
        return
    with pytest.raises(InvalidAnswer):
        instrument.score({name: 1})


@settings(max_examples=200)
@given(data=st.data(), key=st.sampled_from(KEYS))
def test_higher_answers_never_lower_a_sum_or_mean_of_unreversed_items(
    data: st.DataObject, key: str
) -> None:
    """Monotonicity: raising one unreversed, unrecoded answer never lowers a score that contains it."""
    instrument = BY_KEY[key]
    answers = data.draw(complete_answers(instrument))
    candidates = [
        i
        for i in instrument.items
        if not i.reverse and i.recode is None and answers[i.id] < i.scale.max
    ]
    if not candidates:
        return
    item = data.draw(st.sampled_from(candidates))
    raised = {**answers, item.id: answers[item.id] + 1}
    before, after = instrument.score(answers), instrument.score(raised)
    assert isinstance(before, Score)
    assert isinstance(after, Score)
    for rule in instrument.scores:
        if item.id in rule.items:
            assert all_values(after)[rule.id] > all_values(before)[rule.id]
