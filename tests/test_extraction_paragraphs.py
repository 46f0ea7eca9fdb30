"""Paragraph dedupe: repeats go, look-alikes stay, the result depends on the article alone."""

from __future__ import annotations

from ingest.extraction.paragraphs import dedupe_paragraphs
from tests.conftest import SEED_LINES as SEED

A = "The US military struck a base belonging to the pro-Iran Popular Mobilization Forces late Tuesday."
B = "“Such serious violations can undermine all efforts,” the statement said."
C = "The strike comes as Iraq and the United States are discussing the future of the coalition."


def test_seed_article_keeps_every_body_paragraph_once_in_order():
    result = dedupe_paragraphs(SEED)
    assert result == SEED[:24] + SEED[45:]


def test_exact_repeat_is_kept_at_first_position():
    assert dedupe_paragraphs([A, B, C, B, A]) == [A, B, C]


def test_whitespace_nbsp_and_quote_variants_are_repeats():
    variant = '"Such serious\u00a0violations  can undermine all efforts," the statement said.'
    assert dedupe_paragraphs([B, C, variant]) == [B, C]


def test_case_and_zero_width_variants_are_repeats():
    assert dedupe_paragraphs([C, C.upper(), C.replace(" ", " \u200b", 3)]) == [C]


def test_truncated_copy_after_the_full_paragraph_is_dropped():
    assert dedupe_paragraphs([C, A, C[:60] + "…"]) == [C, A]


def test_truncated_copy_before_the_full_paragraph_is_replaced_by_the_full_text():
    assert dedupe_paragraphs([C[:50] + "...", A, C]) == [C, A]


def test_paragraphs_that_only_look_alike_are_all_kept():
    first = (
        "The ministry said on Monday that 12 people were injured in the attack on the checkpoint."
    )
    second = (
        "The ministry said on Monday that the attack on the checkpoint was carried out by a drone."
    )
    third = (
        "The ministry said on Monday that 13 people were injured in the attack on the checkpoint."
    )
    assert dedupe_paragraphs([first, second, third]) == [first, second, third]


def test_short_prefix_is_not_a_truncated_copy():
    assert dedupe_paragraphs(["He said:", "He said: the talks will go on in May."]) == [
        "He said:",
        "He said: the talks will go on in May.",
    ]


def test_arabic_script_repeats_with_nbsp_and_zwnj_are_removed():
    sorani = "سەرۆکی حکومەتی هەرێمی کوردستان ڕایگەیاند کە گفتوگۆکان لەگەڵ بەغدا بەردەوام دەبن."
    copy = sorani.replace(" ", "\u00a0", 2) + "\u200c"
    assert dedupe_paragraphs([sorani, copy]) == [sorani]


def test_result_does_not_depend_on_other_articles():
    dedupe_paragraphs([A, B])
    assert dedupe_paragraphs([A, C]) == [A, C]
    assert dedupe_paragraphs([A, C]) == [A, C]


def test_blank_lines_are_dropped():
    assert dedupe_paragraphs(["", A, "   ", B]) == [A, B]


def test_short_line_repeated_on_its_own_is_content():
    lines = [
        "Monday",
        "1 cup blueberries",
        "Oatmeal with honey and walnuts for breakfast.",
        "Tuesday",
        "1 cup blueberries",
    ]
    assert dedupe_paragraphs(lines) == lines


def test_short_lines_inside_a_repeated_block_are_removed():
    block = ["Photo gallery", A, B]
    assert dedupe_paragraphs([*block, C, *block]) == [*block, C]


def test_meal_plan_repeating_long_lines_keeps_every_day():
    lines = [
        "Day 1",
        "Breakfast: porridge with blueberries and a spoon of honey",
        "Lunch: lentil soup with a slice of wholemeal bread",
        "Day 2",
        "Breakfast: two boiled eggs and a tomato",
        "Lunch: lentil soup with a slice of wholemeal bread",
        "Day 3",
        "Breakfast: porridge with blueberries and a spoon of honey",
        "Lunch: lentil soup with a slice of wholemeal bread",
    ]
    assert dedupe_paragraphs(lines) == lines


def test_meal_plan_repeating_a_block_with_its_tip_keeps_every_plan():
    # Each plan repeats the same labels and one tip sentence around meals of its own.
    tip = "Pro tip: learn more about how the supplements help you get the most from a workout."
    lines = []
    for plan, meal in (("A", "Asparagus and eggs"), ("B", "Oats with berries"), ("C", "Tofu bowl")):
        lines += [f"Meal plan {plan}", "Pre-workout meal", "Eat 60 to 90 minutes before", meal]
        lines += ["Pre-workout drink", "Drink 20 to 30 minutes before your workout", tip]
    assert dedupe_paragraphs(lines) == lines


def test_meal_plan_repeating_its_portion_lists_keeps_every_plan():
    # A meal and its portions come back in the next plan; both lines are long, and both
    # lists end with an abbreviation's full stop, like a sentence. A list is not prose.
    meal = "Asparagus and Eggs: 1 cup asparagus, 2 poached eggs, 1/2 cup sweet potato, 1 tsp."
    portions = "Portion Fix Containers: 1 Green, 1 Red, 1 Yellow, 1 Purple, 1 Blue, 1 tsp."
    lines = []
    for plan, extra in (("A", "Chicken Zoodles"), ("B", "Beef Chili"), ("C", "Tofu Bowl")):
        lines += [f"Meal plan {plan}", "Pre-Workout Meal", meal, portions, "Meal 2", extra]
    assert dedupe_paragraphs(lines) == [
        "Meal plan A",
        "Pre-Workout Meal",
        meal,
        portions,
        "Meal 2",
        "Chicken Zoodles",
        "Meal plan B",
        "Pre-Workout Meal",
        meal,
        portions,
        "Meal 2",
        "Beef Chili",
        "Meal plan C",
        "Pre-Workout Meal",
        meal,
        portions,
        "Meal 2",
        "Tofu Bowl",
    ]


def test_refrain_and_repeated_table_cells_are_kept():
    song = ["Verse one of the song", "Oh mountains, my only friends", "Verse two of the song"]
    song += ["Oh mountains, my only friends"]
    assert dedupe_paragraphs(song) == song
    cells = ["City", "Erbil", "Open", "City", "Duhok", "Open", "City", "Zakho", "Closed"]
    assert dedupe_paragraphs(cells) == cells


def test_lead_printed_again_as_a_summary_is_dropped():
    assert dedupe_paragraphs([A, B, C, A]) == [A, B, C]


def test_prose_paragraph_printed_twice_in_a_row_is_dropped():
    assert dedupe_paragraphs([A, C, C, B]) == [A, C, B]


def test_long_sentence_the_article_repeats_between_others_is_kept():
    refrain = "“We will not leave this land, whatever they do to us,” the villagers said again."
    lines = [A, refrain, B, C, refrain]
    assert dedupe_paragraphs(lines) == lines
