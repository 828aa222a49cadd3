"""Name search forgives spelling: the case list finds a person however their name is typed
(Latin or Arabic script, spaced or joined, compound names split), best match first."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from haven.intake.models import Channel
from haven.intake.services import PersonInput, RequestInput, request_create

pytestmark = pytest.mark.django_db

URL = reverse("cases:list")
_PRINCIPAL = re.compile(r'<bdi dir="auto" class="wrap">([^<]*)</bdi>')


def store(full_name: str, *, father: str, born: str) -> None:
    """One request for one person; fathers and years differ so nobody is matched to another."""
    person = PersonInput(full_name=full_name, father_name=father, date_of_birth=born)
    request_create(
        data=RequestInput(channel=Channel.WALK_IN, people=(person,)),
        raw_input=json.dumps({"full_name": full_name}),
    )


def found(client, term: str) -> list[str]:
    """The principals' names on the result page, in the order shown."""
    response = client.post(URL, {"q": term}, follow=True)
    assert response.status_code == 200
    return _PRINCIPAL.findall(response.text)


@pytest.fixture
def nori_family(db):
    store("عبدالواحد نوری", father="Ghulam Sakhi", born="1980")
    # His brother: same family name, another given name.
    store("Abdul Rahim Nori", father="Ghulam Sakhi", born="1983")
    store("Abdul Rahman Karimi", father="Sharifullah", born="1975")
    store("Wahid Nazari", father="Habib", born="1990")
    store("Fatima Ahmadi", father="Nasir", born="1992")


@pytest.mark.parametrize(
    "term",
    ["Abdul Wahed Nori", "Abdulwahid", "عبد الواحد", "abdul-wahid noori", "ABDULWAHED NURI"],
)
def test_it_finds_abdulwahid_nori_first_however_his_name_is_typed(
    client_for, caseworker, nori_family, term
):
    names = found(client_for(caseworker), term)
    assert names and names[0] == "عبدالواحد نوری"


def test_a_brother_with_another_given_name_ranks_below(client_for, caseworker, nori_family):
    names = found(client_for(caseworker), "Abdul Wahed Nori")
    assert names[0] == "عبدالواحد نوری"
    # The family name is shared, so the brother may be shown: after him, never before.
    if "Abdul Rahim Nori" in names:
        assert names.index("Abdul Rahim Nori") > 0
    assert "Fatima Ahmadi" not in names and "Wahid Nazari" not in names


def test_the_brother_is_found_first_by_his_own_name(client_for, caseworker, nori_family):
    names = found(client_for(caseworker), "عبدالرحیم نوری")
    assert names[0] == "Abdul Rahim Nori"
    assert names.index("عبدالواحد نوری") > 0 if "عبدالواحد نوری" in names else True


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        # Dari names written in Latin letters, and Latin names written in Dari.
        ("فاطمه احمدی", "Fatima Ahmadi"),
        ("فاطمه احمدی", "Fatema Ahmady"),
        ("Mohammad Zaman Ahmadzai", "محمد زمان احمدزی"),
        ("Gulalai Sherzad", "گلالی شیرزاد"),
        ("ذبیح الله صافی", "Zabihullah Safi"),
        ("Zabih Ullah Safi", "ذبیح‌الله صافی"),
    ],
)
def test_dari_and_english_spellings_find_each_other(client_for, caseworker, stored, typed):
    store(stored, father="Nasrullah", born="1988")
    store("Fawad Rahimi", father="Qasim", born="1970")
    store("Mahmood Ahmadi", father="Sayed", born="1979")
    names = found(client_for(caseworker), typed)
    assert names and names[0] == stored


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Mohammad Zaman Ahmadzai", "Mohammadzaman Ahmadzai"),
        ("Mohammadzaman Ahmadzai", "Mohammad Zaman Ahmad Zai"),
        ("Noor Mohammad Hotak", "Noormohammed Hotak"),
        ("Gulpari Wardak", "Gul Pari Wardak"),
        ("Abdul Basir Popal", "Abdulbasir Popal"),
    ],
)
def test_compound_names_split_or_joined_find_each_other(client_for, caseworker, stored, typed):
    store(stored, father="Nasrullah", born="1988")
    store("Mohammad Nabi Ahmadzai", father="Yusuf", born="1960")
    store("Pari Gul Samadi", father="Aziz", born="1999")
    names = found(client_for(caseworker), typed)
    assert names and names[0] == stored


def test_the_closer_spelling_ranks_first_among_namesakes(client_for, caseworker):
    store("Hamida Rasuli", father="Karim", born="1990")
    store("Hamid Rasuli", father="Wali", born="1985")
    names = found(client_for(caseworker), "Hamid Rasooli")
    assert names[0] == "Hamid Rasuli"
    names = found(client_for(caseworker), "Hameeda Rasooli")
    assert names[0] == "Hamida Rasuli"


def test_the_first_letters_of_a_name_still_find_it(client_for, caseworker):
    store("Shahzada Mangal", father="Aziz", born="1977")
    store("Fatima Ahmadi", father="Nasir", born="1992")
    assert found(client_for(caseworker), "shahza") == ["Shahzada Mangal"]


def test_a_name_nobody_has_finds_nothing(client_for, caseworker, nori_family):
    response = client_for(caseworker).post(URL, {"q": "Xanthippe Vrool"}, follow=True)
    assert _PRINCIPAL.findall(response.text) == []
    assert "No cases match." in response.text


def test_a_chosen_sort_order_wins_over_the_best_match(client_for, caseworker):
    store("Hamida Rasuli", father="Karim", born="1990")
    store("Hamid Rasuli", father="Wali", born="1985")
    client = client_for(caseworker)
    location = client.post(URL, {"q": "Hamid Rasuli"})["Location"]
    best = _PRINCIPAL.findall(client.get(location).text)
    oldest_first = _PRINCIPAL.findall(client.get(location + "&sort=reference").text)
    assert best == ["Hamid Rasuli", "Hamida Rasuli"]
    assert oldest_first == ["Hamida Rasuli", "Hamid Rasuli"]
