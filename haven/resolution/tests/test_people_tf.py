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
