"""Term frequencies count people, not rows."""

from __future__ import annotations

import pandas as pd

from haven.resolution.model import people_term_frequencies


def test_a_person_submitted_five_times_is_one_occurrence_of_their_name() -> None:
    frame = pd.DataFrame(
        {
            "name_cons": ["rare"] * 5 + ["common", "common"],
            "father_cons": ["f1"] * 5 + ["f2", "f3"],
            "dob_year": [1990] * 5 + [1980, 1985],
        }
    )
    settings = {
        "comparisons": [
            {"comparison_levels": [{"sql_condition": "x", "tf_adjustment_column": "name_cons"}]}
        ]
    }
    table = people_term_frequencies(frame, settings)["name_cons"].set_index("name_cons")
    assert table.loc["rare", "tf_name_cons"] == 1 / 3
    assert table.loc["common", "tf_name_cons"] == 2 / 3


def test_it_counts_for_a_name_the_people_whose_names_contain_it_or_lie_inside_it() -> None:
    frame = pd.DataFrame(
        {
            "name_set": ["mmd", "mmd", "krm mmd", "jn mmd", "krm", "abdl krm"],
            "name_cons": ["mmd", "mmd", "krm mmd", "jn mmd", "krm", "abdl krm"],
            "father_cons": ["f1", "f1", "f2", "f3", "f4", "f5"],
            "dob_year": [1990, 1990, 1980, 1985, 1970, 1975],
        }
    )
    settings = {
        "comparisons": [
            {"comparison_levels": [{"sql_condition": "x", "tf_adjustment_column": "name_set"}]}
        ]
    }
    table = people_term_frequencies(frame, settings)["name_set"].set_index("name_set")
    shares = table["tf_name_set"].to_dict()
    # Five people (the first is one person twice). "Mohammad" is inside two others' names.
    assert shares["mmd"] == 2 / 5
    # "Karim Mohammad" contains Karim's and Mohammad's: two people; nobody's contains it.
    assert shares["krm mmd"] == 2 / 5
    # "Jan Mohammad" contains Mohammad's; "Abdul Karim" contains Karim's.
    assert shares["jn mmd"] == 1 / 5
    assert shares["krm"] == 2 / 5
    assert shares["abdl krm"] == 1 / 5
