"""The reading-level core (painclinic/readability.py) against worked examples: the formulas by
hand, the Wikipedia example sentence, and the counting rules (sentences, words, syllables)."""

from __future__ import annotations

import pytest

from painclinic.readability import (
    TextCounts,
    count,
    flesch_kincaid_grade,
    flesch_reading_ease,
    reading_level,
    syllables,
)


def test_the_formulas_by_hand_for_one_sentence_of_six_one_syllable_words():
    # 6 words, 1 sentence, 6 syllables:
    # grade = 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45; ease = 206.835 - 1.015 * 6 - 84.6 = 116.145
    level = reading_level("The cat sat on the mat.")
    assert level.counts == TextCounts(sentences=1, words=6, syllables=6)
    assert level.grade == pytest.approx(-1.45)
    assert level.ease == pytest.approx(116.145)


def test_the_platypus_sentence_is_grade_11_3_as_the_wikipedia_article_works_it():
    # Wikipedia, "Flesch-Kincaid readability tests": 13 words, 24 syllables, grade 11.3.
    text = "The Australian platypus is seemingly a hybrid of a mammal and reptilian creature."
    level = reading_level(text)
    assert level.counts == TextCounts(sentences=1, words=13, syllables=24)
    assert round(level.grade, 1) == 11.3
    # ease = 206.835 - 1.015 * 13 - 84.6 * 24 / 13 = 37.455
    assert level.ease == pytest.approx(37.455, abs=1e-3)


def test_the_easiest_possible_text_has_a_reading_ease_of_121_22():
    # One one-syllable word per sentence: 206.835 - 1.015 - 84.6 = 121.22 (the article's maximum).
    assert flesch_reading_ease(TextCounts(1, 1, 1)) == pytest.approx(121.22)
    assert flesch_kincaid_grade(TextCounts(1, 1, 1)) == pytest.approx(-3.40)


def test_longer_sentences_and_longer_words_raise_the_grade():
    short = reading_level("Walk a bit each day. Rest when you need to. Then walk a bit more.")
    long = reading_level(
        "Graded activity involves systematically increasing participation in occupational "
        "activities, notwithstanding intermittent exacerbations of musculoskeletal symptoms."
    )
    assert short.grade < 3 < 8 < long.grade
    assert short.ease > long.ease


@pytest.mark.parametrize(
    ("word", "n"),
    [
        ("pain", 1),
        ("flare", 1),  # silent final e
        ("walked", 1),  # -ed adds no syllable
        ("wanted", 2),  # but after t it does
        ("moves", 1),
        ("boxes", 2),
        ("people", 2),  # -le after a consonant is a syllable
        ("little", 2),
        ("pacing", 2),
        ("avoid", 2),  # hyphenation alone finds 1 (no break after one letter)
        ("activity", 4),
        ("naloxone", 3),
        ("don't", 1),
        ("999", 3),  # read "nine nine nine"
    ],
)
def test_syllables_of_everyday_words(word, n):
    assert syllables(word) == n


def test_each_line_of_a_list_is_a_sentence_and_a_hyphen_splits_a_word():
    counts = count("If you have a flare-up:\n- rest a little\n- call us")
    # "If you have a flare up" | "rest a little" | "call us"
    assert counts == TextCounts(sentences=3, words=11, syllables=12)


def test_a_placeholder_reads_as_one_short_word():
    assert count("We will look at this by %(date)s.") == count("We will look at this by it.")


def test_a_text_without_words_has_no_reading_level():
    with pytest.raises(ValueError, match="without words"):
        reading_level(" … ")
