"""The Fellegi–Sunter comparisons: which levels of agreement count, field by field.

Written as Splink settings dicts (DuckDB SQL) so a trained model is plain JSON
that the real-time path can read without Splink. A phone counts only when the
names agree too: a household shares one, so on its own it says "same family",
not "same person".
"""

from __future__ import annotations

from typing import Any

Level = dict[str, Any]


def _null(*columns: str) -> Level:
    condition = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)
    return {"sql_condition": condition, "label_for_charts": "missing", "is_null_level": True}


def _level(
    condition: str, label: str, tf_column: str | None = None, *, tf_own_u: bool = False
) -> Level:
    level: Level = {"sql_condition": condition, "label_for_charts": label}
    if tf_column:
        # Agreeing on "Mohammad" or a Nowruz birthday counts for less than on a rare value.
        level["tf_adjustment_column"] = tf_column
        level["tf_adjustment_weight"] = 1.0
        if tf_own_u:
            # The value's frequency is this level's chance agreement itself (u = tf), not a
            # fraction of an exact level's u (Splink's default scales by u_level / u_exact).
            level["disable_tf_exact_match_detection"] = True
    return level


_ELSE: Level = {"sql_condition": "ELSE", "label_for_charts": "different"}

NAME_CONTAINS = "one name contains the other"
# Reached only where one name contains the other (see `model.model_train`, which makes its
# weight what it adds to that name level's, not the weight of both together).
FATHER_AS_SURNAME = "father's name given as a surname"


def _comparison(name: str, description: str, levels: list[Level]) -> dict[str, Any]:
    return {
        "output_column_name": name,
        "comparison_description": description,
        "comparison_levels": [*levels, _ELSE],
    }


def name_comparison() -> dict[str, Any]:
    subset = (
        "list_has_all(name_tokens_l, name_tokens_r) OR list_has_all(name_tokens_r, name_tokens_l)"
    )
    return _comparison(
        "name",
        "Full name, any order, compounds split",
        [
            _null("name_cons"),
            _level("name_key_l = name_key_r", "same spelling key", "name_key"),
            _level("name_cons_l = name_cons_r", "same consonants", "name_cons"),
            # "Mohammad" inside "Jan Mohammad" says less than "Abdul Karim" inside
            # "Abdul Karim Achakzai". The chance that a stranger's name contains this one,
            # or is contained in it, is counted for each name (`model.containment_shares`)
            # and is the level's u. Scaling the full name's frequency by u_contains /
            # u_exact instead (Splink's default) counted the commonness twice: the level's
            # average u is already that of common names.
            _level(subset, NAME_CONTAINS, "name_set", tf_own_u=True),
            _level("jaro_winkler_similarity(name_key_l, name_key_r) >= 0.92", "similar"),
            _level("len(list_intersect(name_tokens_l, name_tokens_r)) >= 1", "a part in common"),
        ],
    )


def father_comparison() -> dict[str, Any]:
    # A father's name is often written where a surname is asked: count it as agreement.
    # Only when the rest of the name is the other record's own name: "Tariq Reza" and
    # "Tariq, father Reza" agree; "Reza Karimi" and "Tariq, father Reza" do not.
    as_surname = " OR ".join(
        f"(father_tokens_{a} IS NULL AND father_tokens_{b} IS NOT NULL"
        f" AND name_tokens_{a} IS NOT NULL AND name_tokens_{b} IS NOT NULL"
        f" AND list_has_all(name_tokens_{a}, father_tokens_{b})"
        f" AND len(name_tokens_{a}) > len(father_tokens_{b})"
        f" AND list_has_all(name_tokens_{a}, name_tokens_{b}))"
        for a, b in (("l", "r"), ("r", "l"))
    )
    return _comparison(
        "father",
        "Father's name",
        [
            _level(as_surname, FATHER_AS_SURNAME),
            _null("father_cons"),
            _level("father_cons_l = father_cons_r", "same", "father_cons"),
            # "Umar" and "Mohammad Umar", "Aziz" and "Abdul Aziz" written as two words.
            _level(
                "list_has_all(father_tokens_l, father_tokens_r)"
                " OR list_has_all(father_tokens_r, father_tokens_l)",
                "one contains the other",
            ),
            _level("jaro_winkler_similarity(father_key_l, father_key_r) >= 0.9", "similar"),
        ],
    )


def dob_comparison() -> dict[str, Any]:
    imprecise = "(dob_exact_l IS NULL OR dob_exact_r IS NULL)"
    return _comparison(
        "dob",
        "Date of birth",
        [
            _null("dob_year"),
            # No term-frequency adjustment: in one file an exact date is "common" mostly
            # because the same person was submitted several times, so TF would count a
            # person's own duplicates against them. Dates typed for everyone are removed
            # by the placeholder guard instead.
            _level("dob_exact_l = dob_exact_r", "same date"),
            _level(
                "dob_year_l = dob_year_r AND dob_month_l = dob_day_r AND dob_day_l = dob_month_r",
                "day and month swapped",
            ),
            # Birth years are far from uniform (a family's children are born in a few recent
            # years): agreeing on a common year counts for less.
            _level(
                f"dob_year_l = dob_year_r AND {imprecise}", "same year, day unknown", "dob_year"
            ),
            _level(f"abs(dob_year_l - dob_year_r) <= 1 AND {imprecise}", "year off by one"),
            _level(
                # One digit of the year mistyped or misread: 1981/1991, 1981/1982.
                "dob_month_l = dob_month_r AND dob_day_l = dob_day_r"
                " AND abs(dob_year_l - dob_year_r) IN (1, 10)",
                "same day and month, year mistyped",
            ),
            _level("dob_year_l = dob_year_r", "same year, different day"),
        ],
    )


# Two people sharing a document number is a data-entry error, not chance.
SAME_DOCUMENT = "same document number"


def document_comparison(column: str, description: str, *, fuzzy: bool) -> dict[str, Any]:
    levels = [_null(column), _level(f"{column}_l = {column}_r", SAME_DOCUMENT)]
    if fuzzy:
        levels.append(_level(f"levenshtein({column}_l, {column}_r) <= 1", "one character apart"))
    return _comparison(column, description, levels)


def exact_comparison(column: str, description: str, *, tf: bool = False) -> dict[str, Any]:
    return _comparison(
        column,
        description,
        [_null(column), _level(f"{column}_l = {column}_r", "same", column if tf else None)],
    )


# A phone shared by people with different names is a household: no evidence either way.
HOUSEHOLD_PHONE = "same phone, different name (household)"


def phone_comparison() -> dict[str, Any]:
    """Phone agreement counts only for records whose names also agree.

    A household shares one number, so on its own a shared phone says "same family";
    with the same name it says "same person" (siblings have different names).
    """
    same_name = (
        "name_cons_l = name_cons_r OR list_has_all(name_tokens_l, name_tokens_r)"
        " OR list_has_all(name_tokens_r, name_tokens_l)"
    )
    return _comparison(
        "phone",
        "Phone (E.164)",
        [
            _null("phone", "name_tokens"),
            _level(f"phone_l = phone_r AND ({same_name})", "same phone, same name"),
            _level("phone_l = phone_r", HOUSEHOLD_PHONE),
        ],
    )


def haven_comparisons() -> list[dict[str, Any]]:
    return [
        name_comparison(),
        father_comparison(),
        dob_comparison(),
        exact_comparison("sex", "Sex"),
        document_comparison("passport", "Passport number", fuzzy=True),
        document_comparison("tazkira", "Tazkira number", fuzzy=True),
        document_comparison("siv", "SIV case number", fuzzy=False),
        document_comparison("email", "E-mail", fuzzy=False),
        exact_comparison("province", "Province", tf=True),
        phone_comparison(),
    ]


def haven_blocking_rules() -> list[str]:
    """Candidate pairs: equality joins only, so each is a hash join even at a million rows."""
    return [
        "l.name_cons = r.name_cons AND l.dob_year = r.dob_year",
        "l.name_cons = r.name_cons AND l.father_cons = r.father_cons",
        "l.name_first = r.name_first AND l.father_cons = r.father_cons AND l.dob_year = r.dob_year",
        "l.passport = r.passport",
        "l.tazkira = r.tazkira",
        "l.siv = r.siv",
        "l.email = r.email",
        # Same household phone and same first name: one person, or a namesake cousin.
        "l.phone = r.phone AND l.name_first = r.name_first",
        "l.dob_exact = r.dob_exact AND substr(l.name_first, 1, 1) = substr(r.name_first, 1, 1)",
        # Pairs whose names were written too differently for the rules above (a surname
        # added, a compound split, Arabic script against Latin) but that share the rest:
        # father and exact date (twins aside, siblings do not); a phone and a birth year (a
        # household rarely has two members born in one year); first name and father.
        "l.father_cons = r.father_cons AND l.dob_exact = r.dob_exact",
        "l.phone = r.phone AND l.dob_year = r.dob_year",
        "l.name_first = r.name_first AND l.father_rare = r.father_rare",
        # Frequency-capped copies (see resolve.rare_values_mark): never a giant block.
        "l.name_cons_rare = r.name_cons_rare",
        "l.name_first_rare = r.name_first_rare AND l.dob_year = r.dob_year",
        "l.father_rare = r.father_rare AND l.dob_year = r.dob_year",
    ]
