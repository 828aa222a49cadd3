"""Teams in the in-app administration: an admin makes teams and puts people in them, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.accounts.models import Team
from haven.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_admin_makes_a_team_and_adds_a_caseworker_to_it(client_for, admin_user, caseworker):
    client = client_for(admin_user)
    made = client.post(
        reverse("accounts:admin_team_new"),
        {"name": "Dari desk", "kind": "language", "values": "FA, fa-AF,  "},
    )
    assert made.status_code == 302
    team = Team.objects.get(name="Dari desk")
    assert team.values == ["fa", "fa-af"]
    assert AuditEvent.objects.filter(action="create", object_type="accounts.team").exists()

    edit = client.post(
        reverse("accounts:admin_user_edit", args=[caseworker.pk]),
        {"role": caseworker.role, "organization": caseworker.organization_id, "teams": [team.pk]},
    )
    assert edit.status_code == 302
    assert list(caseworker.teams.all()) == [team]
    event = AuditEvent.objects.filter(object_id=str(caseworker.pk), action="update").latest("id")
    assert event.details["changes"]["teams"] == [[], ["Dari desk"]]
    page = client.get(reverse("accounts:admin_user", args=[caseworker.pk]))
    assert "Dari desk" in page.text
    assert "Dari desk" in client.get(reverse("accounts:admin_teams")).text


def test_a_second_team_of_the_same_name_is_refused_with_a_message(client_for, admin_user):
    Team.objects.create(name="Kabul", kind="location", values=["Kabul"])
    response = client_for(admin_user).post(
        reverse("accounts:admin_team_new"), {"name": "kabul", "kind": "location", "values": ""}
    )
    assert response.status_code == 400
    assert "A team with that name exists already." in response.text
    assert 'value="kabul"' in response.text  # what was typed is kept


@pytest.mark.parametrize("persona", ["supervisor", "caseworker", "intake_officer", "partner_a"])
def test_only_admins_manage_teams(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("accounts:admin_teams")).status_code == 403
    response = client.post(reverse("accounts:admin_team_new"), {"name": "X", "kind": "pathway"})
    assert response.status_code == 403
    assert not Team.objects.exists()
