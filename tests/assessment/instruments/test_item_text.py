"""The clinic's uploaded wording is checked against the definition before anything is stored
(issue #14). Pure: no database. Every wording here is invented."""

from __future__ import annotations

from assessment.instruments import get
from assessment.instruments.item_text import (
    ALL_ITEMS,
    MAX_ITEM_TEXT,
    option_label,
    parse_items,
    parse_option_labels,
    parse_upload,
)

TSK11 = get("tsk11")
STARTBACK = get("startback")
BPI = get("bpi")


def rows(definition, template="{id}, Made-up question {id}", sep="\n") -> str:
    return sep.join(template.format(id=item.id) for item in definition.items)


def test_a_complete_upload_gives_every_items_wording():
    parsed = parse_upload(TSK11, items_text=rows(TSK11), instructions="  Made-up stem.  ")
    assert parsed.valid
    assert parsed.items == {str(i): f"Made-up question {i}" for i in range(1, 12)}
    assert parsed.instructions == "Made-up stem."


def test_tab_separated_with_a_header_and_commas_in_the_wording():
    text = "id\ttext\n" + rows(TSK11, "{id}\tIf I move, it hurts, I think ({id})")
    items, problems = parse_items(TSK11, text)
    assert problems == []
    assert items["7"] == "If I move, it hurts, I think (7)"


def test_unquoted_commas_in_a_csv_row_are_kept_as_wording():
    items, problems = parse_items(TSK11, rows(TSK11, "{id}, First, then second"))
    assert problems == []
    assert items["1"] == "First, then second"


def test_quoted_csv_fields_from_a_spreadsheet_with_a_byte_order_mark():
    text = "\ufeff" + rows(TSK11, '{id},"Said ""once"", quoted"', sep="\r\n")
    items, problems = parse_items(TSK11, text)
    assert problems == []
    assert items["11"] == 'Said "once", quoted'


def test_a_missing_item_is_named():
    text = rows(TSK11).replace("4, Made-up question 4\n", "")
    parsed = parse_upload(TSK11, items_text=text)
    assert not parsed.valid
    assert parsed.errors["items"] == (
        "Items missing: 4. Every item of the questionnaire needs its wording.",
    )


def test_unknown_and_duplicate_ids_are_named():
    text = rows(TSK11) + "\n12, Not an item\n3, Again\nQ9, Typo"
    _items, problems = parse_items(TSK11, text)
    assert "Not items of this questionnaire: 12, Q9." in problems
    assert "Items given twice: 3." in problems


def test_empty_and_overlong_wording_is_refused():
    text = (
        rows(TSK11)
        .replace("Made-up question 2", "")
        .replace("Made-up question 5", "x" * (MAX_ITEM_TEXT + 1))
    )
    _items, problems = parse_items(TSK11, text)
    assert "Items without wording: 2." in problems
    assert f"Items longer than {MAX_ITEM_TEXT} characters: 5." in problems


def test_control_characters_are_refused_but_soft_hyphens_are_wording():
    text = (
        rows(TSK11)
        .replace("question 6", "question\x1b[31m 6")
        .replace("question 8", "ques\u00adtion 8")
    )
    _items, problems = parse_items(TSK11, text)
    assert problems == ["Items with control characters (e.g. a stray tab or escape): 6."]


def test_nothing_pasted_is_refused():
    assert parse_items(TSK11, "  \n\n")[1] == [
        "No rows found. Give one row per item: the item number, then its wording."
    ]


def test_item_ids_with_letters_match_as_printed():
    items, problems = parse_items(BPI, rows(BPI, "{id}, Made-up {id}").lower())
    assert problems == []
    assert set(items) == {item.id for item in BPI.items}  # "9a" is item 9A


def test_answer_labels_for_every_item_and_for_one_item():
    text = "0, Made-up disagree\n1, Made-up agree\n9/4, Made-up extremely"
    labels, problems = parse_option_labels(STARTBACK, text)
    assert problems == []
    assert labels == {
        ALL_ITEMS: {"0": "Made-up disagree", "1": "Made-up agree"},
        "9": {"4": "Made-up extremely"},
    }
    assert option_label(labels, "9", 4) == "Made-up extremely"
    assert option_label(labels, "2", 1) == "Made-up agree"  # the common label
    assert option_label(labels, "2", 4) is None


def test_answer_labels_name_the_line_at_fault():
    text = "5, Beyond the scale\n1/4, Item 1 stops at 1\n30/0, No such item\nfirst, Not a code\n1,\n0, A\n0, Twice"
    _labels, problems = parse_option_labels(STARTBACK, text)
    assert problems == [
        "Line 1: 5 is not an answer code of this questionnaire.",
        "Line 2: 4 is not an answer code of this questionnaire.",
        "Line 3: 30 is not an item of this questionnaire.",
        "Line 4: write the answer code, then its label (e.g. 0, Not at all).",
        "Line 5: the label is empty.",
        "Line 7: a label for this answer was already given.",
    ]


def test_overlong_instructions_are_refused_and_no_labels_is_fine():
    parsed = parse_upload(TSK11, items_text=rows(TSK11), instructions="x" * 4001)
    assert set(parsed.errors) == {"instructions"}
    assert parse_upload(TSK11, items_text=rows(TSK11), options_text="").option_labels == {}
