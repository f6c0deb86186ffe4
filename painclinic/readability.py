"""Reading level of a plain-English text: the Flesch-Kincaid grade and the Flesch reading ease.

Pure: standard library and pyphen (the hyphenation dictionaries WeasyPrint already uses); no
Django. The clinic checks its fixed patient texts against a grade (settings
``PATIENT_TEXT_MAX_GRADE``; tests/treatment/test_handout_texts.py) and
``manage.py handout_reading_levels`` prints the figures.

Formulas (confidence: [S] secondary sources read this session, the Wikipedia article
"Flesch-Kincaid readability tests" and readabilityformulas.com, which agree; the primary reports
were not read [U]):
- Flesch-Kincaid grade level: Kincaid JP, Fishburne RP, Rogers RL, Chissom BS. Derivation of new
  readability formulas for Navy enlisted personnel. Research Branch Report 8-75, Naval Technical
  Training, Millington TN, 1975:
      grade = 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59
- Flesch reading ease: Flesch R. A new readability yardstick. J Appl Psychol 1948;32(3):221-33:
      ease = 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)
  (0-100 for most prose; higher is easier; 60-70 is "plain English" on Flesch's table [S]).

Counting, the part every tool does differently (so figures from two tools differ a little):
- Sentences end at '.', '!', '?' or ':' followed by a space or the end, and at each line break,
  so a bulleted list counts each line as a sentence (it is read as one).
- Words are runs of letters (an apostrophe inside a word is kept: "don't" is one word); a hyphen
  splits ("flare-up" is two words, as it is read). A number is a word of one syllable per digit
  ("999" is read "nine nine nine").
- Syllables of a word: the larger of two counts. (1) pyphen's hyphenation points + 1, the method
  of the textstat library up to 0.7.3 [S]; hyphenation never breaks off a single letter, so it
  under-counts words such as "a-re-a", "i-de-a", "a-void". (2) groups of vowels (a e i o u y),
  less a silent final "e" (not "-le" after a consonant: "lit-tle"), less the "-ed"/"-es" endings
  that add no syllable ("walked", "moves"). Taking the larger count errs towards a harder grade,
  which is the safe side for a check that a text is easy enough.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyphen

# Kincaid et al. 1975 (Flesch-Kincaid grade level) [S].
FK_SENTENCE_WEIGHT = 0.39
FK_SYLLABLE_WEIGHT = 11.8
FK_CONSTANT = 15.59
# Flesch 1948 (reading ease) [S].
FRE_CONSTANT = 206.835
FRE_SENTENCE_WEIGHT = 1.015
FRE_SYLLABLE_WEIGHT = 84.6

_SENTENCE_END = re.compile(r"[.!?:]+(?=\s|$)|\n+")
_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*|\d+")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|\{[a-z_]+\}")


@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


def _vowel_group_count(word: str) -> int:
    count = len(_VOWEL_GROUPS.findall(word))
    if count > 1:
        if word.endswith("e") and not (word.endswith("le") and word[-3:-2] not in "aeiouy"):
            count -= 1  # silent final e: "make", "flare" (but "lit-tle", "peo-ple")
        elif word.endswith("ed") and word[-3:-2] not in "td":
            count -= 1  # "walked", "moved" (but "want-ed", "need-ed")
        elif word.endswith("es") and not re.search(r"(?:[sxz]|ch|sh|g|c)es$", word):
            count -= 1  # "moves", "makes" (but "box-es", "wash-es", "chan-ges")
    return max(count, 1)


@lru_cache(maxsize=4096)
def syllables(word: str) -> int:
    """Syllables in one word (letters only, or digits: one per digit)."""
    if word.isdigit():
        return len(word)
    lower = word.lower().replace("'", "")
    hyphenated = len(_dictionary().positions(lower)) + 1
    return max(hyphenated, _vowel_group_count(lower))


@dataclass(frozen=True)
class TextCounts:
    sentences: int
    words: int
    syllables: int


@dataclass(frozen=True)
class ReadingLevel:
    counts: TextCounts
    grade: float  # Flesch-Kincaid grade level
    ease: float  # Flesch reading ease


def count(text: str) -> TextCounts:
    """Sentences, words and syllables of ``text``. Placeholders ("%(name)s", "{name}") are read
    as one short word each (a name or a number fills them)."""
    text = _PLACEHOLDER.sub("it", text)
    sentences = 0
    words = 0
    total = 0
    for chunk in _SENTENCE_END.split(text):
        tokens = _TOKEN.findall(chunk)
        if not tokens:
            continue
        sentences += 1
        words += len(tokens)
        total += sum(syllables(token) for token in tokens)
    return TextCounts(sentences=sentences, words=words, syllables=total)


def flesch_kincaid_grade(counts: TextCounts) -> float:
    _require_words(counts)
    return (
        FK_SENTENCE_WEIGHT * counts.words / counts.sentences
        + FK_SYLLABLE_WEIGHT * counts.syllables / counts.words
        - FK_CONSTANT
    )


def flesch_reading_ease(counts: TextCounts) -> float:
    _require_words(counts)
    return (
        FRE_CONSTANT
        - FRE_SENTENCE_WEIGHT * counts.words / counts.sentences
        - FRE_SYLLABLE_WEIGHT * counts.syllables / counts.words
    )


def reading_level(text: str) -> ReadingLevel:
    """Both figures of a text. Raises ValueError for a text without a word."""
    counts = count(text)
    return ReadingLevel(counts, flesch_kincaid_grade(counts), flesch_reading_ease(counts))


def _require_words(counts: TextCounts) -> None:
    if counts.words == 0 or counts.sentences == 0:
        raise ValueError("a text without words has no reading level")
