"""Staff change households through the case page: add, remove, move, split, principal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from haven.audit.models import AuditEvent
from haven.cases.models import Case, CaseEvent, CaseMember, CaseMemberChange, CaseRequest
from haven.intake.services import PersonInput

from .factories import make_request

pytestmark = pytest.mark.django_db


def _family(name: str = "Ahmad", father: str = "Karim") -> Case:
    created = make_request(
        given_name=name,
        father_name=father,
        members=(
            PersonInput(relationship="spouse", given_name="Mariam", father_name="Yusuf"),
            PersonInput(relationship="child", given_name="Farid", father_name=name),
        ),
    )
    return Case.objects.get(case_requests__request=created.request)


def _people(case: Case) -> list[int]:
    return list(case.members.order_by("id").values_list("person_id", flat=True))


def _post(client, case: Case, **data):
    return client.post(reverse("cases:household", args=[case.pk]), data)


def test_a_caseworker_moves_a_member_to_another_case(client_for, caseworker):
    source = _family()
    target = _family("Zalmai", "Rahim")
    moving = _people(source)[2]
    response = _post(
        client_for(caseworker),
        source,
        action="move",
        people=[moving],
        target=target.reference,
        reason="Farid lives with his uncle",
    )
    assert response.status_code == 302
    assert moving not in _people(source)
    assert moving in _people(target)
    old_row = CaseMember.all_rows.get(case=source, person_id=moving)
    assert old_row.removed_at is not None  # kept, out of the household
    changes = CaseMemberChange.objects.filter(from_person_id=moving).order_by("id")
    assert [(c.kind, c.member.case_id, c.other_case_id) for c in changes] == [
        ("moved_out", source.pk, target.pk),
        ("moved_in", target.pk, source.pk),
    ]
    assert changes[0].reason == "Farid lives with his uncle"
    assert CaseEvent.objects.filter(case=source, data__message="members_moved_out").exists()
    assert CaseEvent.objects.filter(case=target, data__message="members_moved_in").exists()
    audited = AuditEvent.objects.filter(action="update", object_type="cases.case").values_list(
        "object_id", flat=True
    )
    assert {str(source.pk), str(target.pk)} <= {str(o) for o in audited}
    # Both histories say it, by name, in the reader's language.
    page = client_for(caseworker).get(reverse("cases:detail", args=[source.pk]))
    assert f"Moved to {target.reference}" in page.text
    assert "Farid" in page.text


def test_moving_the_last_member_out_is_refused_and_nothing_is_lost(client_for, caseworker):
    created = make_request(given_name="Lonely")
    source = Case.objects.get(case_requests__request=created.request)
    target = _family()
    only = _people(source)[0]
    response = _post(
        client_for(caseworker),
        source,
        action="move",
        people=[only],
        target=target.reference,
        reason="typed reason",
    )
    assert response.status_code == 400
    assert "A case keeps at least one member" in response.text
    assert 'value="typed reason"' in response.text  # what was typed is still there
    assert _people(source) == [only]
    assert only not in _people(target)
    assert not CaseMemberChange.objects.exists()


def test_moving_to_an_unknown_case_is_a_message(client_for, caseworker):
    source = _family()
    response = _post(
        client_for(caseworker),
        source,
        action="move",
        people=[_people(source)[1]],
        target="C-9999999",
    )
    assert response.status_code == 400
    assert "There is no case C-9999999" in response.text
    assert len(_people(source)) == 3


def test_removing_and_adding_back_reuses_the_row(client_for, caseworker):
    case = _family()
    child = _people(case)[2]
    client = client_for(caseworker)
    assert _post(client, case, action="remove", people=[child]).status_code == 302
    assert child not in _people(case)
    response = _post(client, case, action="add", person=str(child), relationship="child")
    assert response.status_code == 302
    assert child in _people(case)
    assert CaseMember.all_rows.filter(case=case, person_id=child).count() == 1
    kinds = list(CaseMemberChange.objects.filter(member__case=case).values_list("kind", flat=True))
    assert kinds == ["removed", "staff_added"]


def test_adding_an_unknown_person_is_a_message(client_for, caseworker):
    case = _family()
    response = _post(client_for(caseworker), case, action="add", person="987654")
    assert response.status_code == 400
    assert "There is no person 987654" in response.text


def test_removing_the_principal_names_another(client_for, caseworker):
    case = _family()
    principal, spouse, _child = _people(case)
    assert case.principal_id == principal
    _post(client_for(caseworker), case, action="remove", people=[principal])
    case.refresh_from_db()
    assert case.principal_id == spouse
    assert case.display_name == "Mariam"


def test_marking_the_principal(client_for, caseworker):
    case = _family()
    child = _people(case)[2]
    response = _post(client_for(caseworker), case, action="principal", principal=str(child))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.principal_id == child
    assert case.display_name == "Farid"
    assert CaseMemberChange.objects.filter(kind="principal", from_person_id=child).exists()
    assert CaseEvent.objects.filter(case=case, data__message="principal_marked").exists()


def test_splitting_opens_a_new_case_with_the_chosen_members(client_for, caseworker):
    case = _family()
    principal, spouse, child = _people(case)
    response = _post(
        client_for(caseworker), case, action="split", people=[spouse, child], principal=str(spouse)
    )
    new = Case.objects.exclude(pk=case.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[new.pk])
    assert _people(case) == [principal]
    assert sorted(_people(new)) == sorted([spouse, child])
    assert new.principal_id == spouse
    # Its provenance: the request that named them.
    assert set(CaseRequest.objects.filter(case=new).values_list("request_id", flat=True)) == set(
        CaseRequest.objects.filter(case=case).values_list("request_id", flat=True)
    )
    assert CaseEvent.objects.filter(case=case, data__message="household_split_out").exists()
    assert CaseEvent.objects.filter(case=new, data__message="household_split_in").exists()
    assert AuditEvent.objects.filter(
        action="create", object_type="cases.case", object_id=str(new.pk)
    ).exists()


def test_an_intake_officer_may_not_change_a_household(client_for, intake_officer):
    case = _family()
    response = _post(client_for(intake_officer), case, action="remove", people=[_people(case)[2]])
    assert response.status_code == 403
    assert len(_people(case)) == 3
    page = client_for(intake_officer).get(reverse("cases:detail", args=[case.pk]))
    assert 'id="household-form"' not in page.text


def test_a_supervisor_may_change_a_household(client_for, supervisor):
    case = _family()
    response = _post(client_for(supervisor), case, action="remove", people=[_people(case)[2]])
    assert response.status_code == 302
    assert len(_people(case)) == 2


@pytest.mark.parametrize("persona", ["partner_a", "outsider"])
def test_partners_and_outsiders_get_a_404(request, client_for, persona):
    case = _family()
    client = client_for(request.getfixturevalue(persona))
    response = _post(client, case, action="remove", people=[_people(case)[2]])
    assert response.status_code == 404
    assert len(_people(case)) == 3


def test_the_case_page_shows_each_members_other_open_cases(
    client_for, caseworker, django_assert_max_num_queries
):
    first = _family()
    client = client_for(caseworker)
    with django_assert_max_num_queries(60) as alone:
        client.get(reverse("cases:detail", args=[first.pk]))
    others = [_family(f"Other{i}", "Rahim") for i in range(3)]
    for member, other in zip(_people(first), others, strict=True):
        CaseMember.objects.create(case=other, person_id=member, relationship="other")
    # However many members are in other open cases, the page reads them in one query.
    with django_assert_max_num_queries(len(alone.captured_queries)):
        page = client.get(reverse("cases:detail", args=[first.pk]))
    assert page.status_code == 200
    cells = [c.split("</td>")[0] for c in page.text.split('class="other-cases"')[1:]]
    assert len(cells) == 3
    for cell, other in zip(cells, others, strict=True):
        assert other.reference in cell


def test_a_persons_page_links_to_their_cases(client_for, caseworker):
    case = _family()
    spouse = _people(case)[1]
    page = client_for(caseworker).get(reverse("resolution:person_detail", args=[spouse]))
    assert page.status_code == 200
    assert reverse("cases:detail", args=[case.pk]) in page.text
    assert case.reference in page.text
