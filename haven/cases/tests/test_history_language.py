"""History lines are stored as data and written in the reader's language when read."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from haven.cases.models import CaseEvent

from .test_case_merge import _post_merge, duplicate_cases

pytestmark = pytest.mark.django_db
__all__ = ["duplicate_cases"]


@pytest.fixture(autouse=True)
def _back_to_english():
    yield
    translation.activate("en")


def _history(client, case, language: str) -> str:
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("cases:detail", args=[case.pk])).text
    return page[page.index('id="history"') :]


def test_a_merge_of_people_reads_in_dari_and_keeps_names_out_of_the_event(
    client_for, supervisor, duplicate_cases
):
    source, _ = duplicate_cases
    event = CaseEvent.objects.filter(case=source, kind="people_merged").get()
    assert event.data is not None
    assert event.data["message"] == "people_changed"
    assert all(isinstance(line["to"], int) for line in event.data["lines"])
    assert "Sayed" not in str(event.data) and "Gul" not in str(event.data)
    client = client_for(supervisor)
    english = _history(client, source, "en")
    assert "is now Sayed Rahim (person" in english
    dari = _history(client, source, "fa-af")
    assert "is now" not in dari and "Sayed Rahim" in dari
    with translation.override("fa-af"):
        assert str(translation.gettext("%(from)s is now %(to)s")) != "%(from)s is now %(to)s"


def test_merge_and_undo_lines_read_in_pashto(client_for, supervisor, duplicate_cases):
    source, target = duplicate_cases
    client = client_for(supervisor)
    _post_merge(client, source, target.pk)
    pashto = _history(client, target, "ps")
    assert "merged into this case" not in pashto and source.reference in pashto
    assert "member added" not in pashto
    dup = CaseEvent.objects.filter(kind="possible_duplicate").first()
    assert dup is not None and dup.data is not None
    assert dup.data["message"] == "possible_duplicate"
    assert isinstance(dup.data["cases"][0]["people"][0], int)
