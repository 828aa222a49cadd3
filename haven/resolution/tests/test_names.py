"""Name keys: spellings of one Dari or Pashto name agree; different names do not."""

from __future__ import annotations

import pytest

from haven.resolution.names import name_key, patronymic_split, without_trailing


def _same(a: str, b: str) -> bool:
    return name_key(a).sorted_consonants == name_key(b).sorted_consonants


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mohammad", "Muhammad"),
        ("Mohammad", "Mohammed"),
        ("Mohammad", "Mohd"),
        ("Mohammad", "Md"),
        ("Mohammad", "محمد"),
        ("Hussain", "Hossein"),
        ("Hussain", "Husain"),
        ("Hussain", "حسین"),
        ("Zabihullah", "Zabiullah"),
        ("Zabihullah", "Zabih Ullah"),
        ("Zabihullah", "Zabih-ullah"),
        ("Zabihullah", "ذبیح الله"),
        ("Noor", "Nur"),
        ("Noor", "نور"),
        ("Abdul Rahman", "Abdulrahman"),
        ("Abdul Rahman", "Abdurrahman"),
        ("Abdul Rahman", "عبدالرحمن"),
        ("Ahmadzai", "Ahmad Zai"),
        ("Ahmadzai", "Ahmadzay"),
        ("Ahmadzai", "احمدزی"),
        ("Javed", "Jawed"),
        ("Qasim", "Kasim"),
        ("Khalid", "خالد"),
        ("Ghulam Sakhi", "Gulam Sakhi"),
        ("Ghulam Sakhi", "غلام سخی"),
        ("Fatima", "فاطمه"),
        ("Zarghona", "زرغونه"),
        ("Pashtoon", "پښتون"),
    ],
)
def test_it_links_spellings_of_one_name(a: str, b: str) -> None:
    assert _same(a, b), (name_key(a), name_key(b))


def test_it_links_mohammad_and_muhammad() -> None:
    assert name_key("Mohammad").tokens == name_key("Muhammad").tokens


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Mohammad", "Mahmood"),  # m-h-m-d in Arabic script, two different names
        ("محمد", "محمود"),
        ("Hamid", "Hamida"),  # the final vowel tells a woman's name from a man's
        ("Khalil", "Gul"),
        ("Karim", "Rahim"),
    ],
)
def test_it_keeps_different_names_apart(a: str, b: str) -> None:
    assert not _same(a, b)


def test_it_splits_joined_compound_given_names() -> None:
    assert name_key("Mohammadzaman").tokens == name_key("Mohammad Zaman").tokens
    assert name_key("Dinmohammad").tokens == name_key("Din Mohammad").tokens
    assert name_key("Noormohammed").tokens == name_key("Nur Mohammad").tokens


def test_it_does_not_split_bound_suffixes() -> None:
    assert name_key("Nasiruddin").tokens == name_key("Nasir Uddin").tokens
    assert len(name_key("Noorullah").tokens) == 1


def test_it_ignores_name_order() -> None:
    assert name_key("Ahmadzai Zabihullah").sorted_key == name_key("Zabihullah Ahmadzai").sorted_key


def test_it_drops_titles() -> None:
    assert name_key("Haji Gul Ahmad").tokens == name_key("Gul Ahmad").tokens


def test_it_treats_placeholder_names_as_missing() -> None:
    assert not name_key("Unknown")
    assert not name_key("N/A")
    assert not name_key("نامعلوم")
    assert not name_key("")


def test_it_keeps_one_name_people() -> None:
    assert name_key("Zainab").tokens == ("zinab",)


def test_it_takes_the_father_out_of_son_of() -> None:
    assert patronymic_split("Umar Rezaei son of Wali Mohd") == ("Umar Rezaei", "Wali Mohd")
    assert patronymic_split("Gul Ahmad S/O Fazal Ahmad") == ("Gul Ahmad", "Fazal Ahmad")
    assert patronymic_split("مریم بنت محمد") == ("مریم", "محمد")
    assert patronymic_split("Sobin Khan") == ("Sobin Khan", "")


def test_it_drops_a_husbands_name_written_after_wife_of() -> None:
    assert patronymic_split("Fatema w/o Mahmoud") == ("Fatema", "")
    assert patronymic_split("Fatima W/O Ahmad Shah") == ("Fatima", "")
    assert patronymic_split("Maryam wife of Karim d/o Wali") == ("Maryam", "")


def test_it_drops_a_fathers_name_written_after_the_own_name() -> None:
    assert without_trailing(name_key("Tariq Reza"), name_key("Reza")).tokens == ("tarik",)
    # A one-name person whose name is also the father's keeps it.
    assert without_trailing(name_key("Ahmad"), name_key("Ahmad")).tokens == ("ahmad",)
    assert without_trailing(name_key("Reza Tariq"), name_key("Reza")).tokens == ("riza", "tarik")


def test_it_splits_short_parts_only_where_they_are_written() -> None:
    # Shah keyed "sha" is not the start of Sharif or Shabana; "Md" is not the start of Madina.
    assert len(name_key("Sharif").tokens) == 1
    assert len(name_key("Shabana").tokens) == 1
    assert name_key("مدینه").consonants == name_key("Madina").consonants
    assert name_key("شریفه").consonants == name_key("Sharifa").consonants
    assert name_key("Gulpari").tokens == name_key("Gul Pari").tokens
    assert name_key("Shahmohammad").tokens == name_key("Shah Mohammad").tokens


def test_it_drops_a_title_written_joined_or_in_two_words() -> None:
    assert name_key("Bibigol").tokens == name_key("Gul").tokens
    assert name_key("Bibihawa").tokens == name_key("Hawa").tokens
    assert name_key("بی بی فاطمه").consonants == name_key("Fatima").consonants


@pytest.mark.parametrize(
    ("apart", "joined", "latin"),
    [
        ("عبد الواحد", "عبدالواحد", "Abdul Wahid"),
        ("عبد\u200cالرحمن", "عبدالرحمن", "Abdul Rahman"),
        ("عبد الله", "عبدالله", "Abdullah"),
    ],
)
def test_abd_and_the_article_written_apart_are_one_name(
    apart: str, joined: str, latin: str
) -> None:
    assert name_key(apart) == name_key(joined)
    assert _same(apart, latin)
