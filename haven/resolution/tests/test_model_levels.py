"""A trained model's levels are adjusted where Splink's estimates count evidence twice."""

from __future__ import annotations

import math
from typing import Any

from haven.resolution import comparisons
from haven.resolution.model import father_as_surname_given_name


def _model(surname_m: float, surname_u: float) -> dict[str, Any]:
    return {
        "comparisons": [
            {
                "output_column_name": "name",
                "comparison_levels": [
                    {"label_for_charts": comparisons.NAME_CONTAINS, "m_probability": 0.4,
                     "u_probability": 0.01},
                ],
            },
            {
                "output_column_name": "father",
                "comparison_levels": [
                    {"label_for_charts": comparisons.FATHER_AS_SURNAME,
                     "m_probability": surname_m, "u_probability": surname_u},
                ],
            },
        ]
    }  # fmt: skip


def _surname_weight(model: dict[str, Any]) -> float:
    level = model["comparisons"][1]["comparison_levels"][0]
    return math.log2(level["m_probability"] / level["u_probability"])


def test_it_counts_the_father_given_as_a_surname_beyond_the_name_containing_it() -> None:
    # Both together weigh log2(0.1 / 0.0001) ~ 10 bits; the name's containment (5.3 bits)
    # is already counted by the name comparison, so the father level adds the rest.
    adjusted = father_as_surname_given_name(_model(0.1, 0.0001))
    together = math.log2(0.1 / 0.0001)
    assert math.isclose(_surname_weight(adjusted), together - math.log2(0.4 / 0.01))


def test_it_leaves_a_level_never_observed_neutral() -> None:
    adjusted = father_as_surname_given_name(_model(0.005, 0.005))
    assert _surname_weight(adjusted) == 0.0
