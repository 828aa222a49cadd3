"""Household evidence: two requests joined through one person make their other members'
agreements count, without merging siblings."""

from __future__ import annotations

from haven.resolution.resolve_file import rows_resolve

FIRST = [
    {"record_id": "a1", "request_id": "R1", "full_name": "Gul Ahmad Ahmadzai",
     "father_name": "Din Mohammad", "sex": "m", "date_of_birth": "12/04/1988",
     "passport_number": "P01234567"},
    {"record_id": "a2", "request_id": "R1", "full_name": "Fatima", "sex": "f",
     "date_of_birth": "1990"},
    {"record_id": "a3", "request_id": "R1", "full_name": "Fatima", "sex": "f",
     "date_of_birth": "2012"},
    {"record_id": "a4", "request_id": "R1", "full_name": "Zabihullah", "sex": "m",
     "date_of_birth": "2014"},
]  # fmt: skip
SECOND = [
    {"record_id": "b1", "request_id": "R2", "full_name": "Gul Ahmad Ahmadzay",
     "father_name": "Din Muhammad", "date_of_birth": "1988", "passport_number": "p0123 4567"},
    {"record_id": "b2", "request_id": "R2", "full_name": "Fatema", "date_of_birth": "1990"},
    {"record_id": "b3", "request_id": "R2", "full_name": "Zabiullah", "date_of_birth": "2014"},
]  # fmt: skip
# A stranger's request: the same common names and years, but nobody links the two requests.
STRANGERS = [
    {"record_id": "c1", "request_id": "R3", "full_name": "Nazir Wardak", "sex": "m",
     "date_of_birth": "1975"},
    {"record_id": "c2", "request_id": "R3", "full_name": "Fatima", "sex": "f",
     "date_of_birth": "1990"},
]  # fmt: skip


def test_members_of_requests_joined_through_their_principal_are_linked() -> None:
    resolution = rows_resolve(FIRST + SECOND + STRANGERS)
    cluster = resolution.cluster_of
    assert cluster["a1"] == cluster["b1"]  # the passport holder
    assert cluster["a2"] == cluster["b2"]  # his wife, by name and year within the household
    assert cluster["a4"] == cluster["b3"]  # their son


def test_a_daughter_with_her_mothers_name_and_a_strangers_namesake_stay_apart() -> None:
    resolution = rows_resolve(FIRST + SECOND + STRANGERS)
    cluster = resolution.cluster_of
    assert cluster["a3"] != cluster["a2"]  # one request: two people
    assert cluster["a3"] != cluster["b2"]  # born 2012, not 1990
    assert cluster["c2"] not in {cluster["a2"], cluster["b2"]}  # no link to her household


def test_without_requests_the_file_wide_prior_decides() -> None:
    rows = [{k: v for k, v in r.items() if k != "request_id"} for r in FIRST + SECOND]
    resolution = rows_resolve(rows)
    assert resolution.cluster_of["a1"] == resolution.cluster_of["b1"]
    assert resolution.cluster_of["a2"] != resolution.cluster_of["b2"]
