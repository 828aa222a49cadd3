"""Bulk notices to the requesters of a supervisor's saved case search (issue 16)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from haven.cases.models import Case, SavedSearch
from haven.communications.models import Message

from .helpers import make_requester

pytestmark = pytest.mark.django_db


@pytest.fixture
def urgent_search(client_for, supervisor) -> SavedSearch:
    """Two requesters by e-mail; only the first one's case has priority 50 or more. The
    supervisor saves "urgent" on the case list (priority from 50)."""
    urgent = make_requester(email="urgent@example.org", given_name="Gul")
    make_requester(email="calm@example.org", given_name="Noor")
    Case.objects.filter(case_requests__request=urgent).update(priority=60)
    response = client_for(supervisor).post(
        reverse("cases:saved_search_create"), {"name": "urgent", "back": "priority_min=50"}
    )
    assert response.status_code == 302
    return SavedSearch.objects.get(owner=supervisor)


def test_the_preview_counts_the_requesters_of_my_saved_search(
    client_for, supervisor, urgent_search
):
    response = client_for(supervisor).get(
        reverse("communications:notice_new"),
        {"purpose": "general_notice", "saved_search": urgent_search.pk},
    )
    assert response.status_code == 200
    assert response.context["preview"].result.by_channel == {"email": 1}
    assert "urgent" in response.text  # offered by name


def test_haven_notify_sends_to_a_saved_search_by_name(supervisor, urgent_search):
    out = StringIO()
    call_command(
        "notify",
        "--template",
        "general_notice",
        "--saved-search",
        "Urgent",
        "--as",
        supervisor.username,
        "--json",
        stdout=out,
    )
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["queued"] == 1
    assert [m.recipient for m in Message.objects.all()] == ["urgent@example.org"]


def test_another_supervisors_saved_search_is_refused_clearly(
    client_for, supervisor, urgent_search, admin_user
):
    response = client_for(admin_user).get(
        reverse("communications:notice_new"),
        {"purpose": "general_notice", "saved_search": urgent_search.pk},
    )
    assert response.status_code == 200
    assert response.context["preview"] is None
    assert "Select a valid choice" in response.text
    with pytest.raises(CommandError, match="has no saved search named"):
        call_command(
            "notify",
            "--template",
            "general_notice",
            "--saved-search",
            "urgent",
            "--as",
            admin_user.username,
        )
    assert not Message.objects.exists()
