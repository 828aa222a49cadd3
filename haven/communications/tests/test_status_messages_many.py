"""Status messages when many cases change at once (a bulk referral): set by set, the same
messages as one case at a time."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.cases.models import Case
from haven.cases.services import case_status_change, cases_status_change_many
from haven.cases.signals import public_status_changed_many
from haven.communications.contacts import address_hash
from haven.communications.models import Message, OptOut

from .helpers import make_many, make_requester

pytestmark = pytest.mark.django_db


def case_of(request) -> Case:
    return Case.objects.get(case_requests__request=request)


def test_a_bulk_change_queues_each_household_its_message(caseworker) -> None:
    first = make_requester(phone="+93 700 111 222", given_name="Gul", language="ps")
    # Another household that gave the same phone: its own case, so its own message.
    second = make_requester(phone="0700 111 222", given_name="Zarghona", index=1)
    stopped = make_requester(email="stop@example.org", given_name="Nasrin", index=2)
    OptOut.objects.create(
        channel="email", address_hash=address_hash("email", "stop@example.org"), source="test"
    )
    cases = [case_of(r) for r in (first, second, stopped)]
    changed = cases_status_change_many(
        case_ids=[c.pk for c in cases], actor=caseworker, status=Case.Status.REFERRED
    )
    assert changed == 3
    messages = {m.request_id: m for m in Message.objects.all()}
    assert set(messages) == {first.pk, second.pk}
    assert {m.purpose for m in messages.values()} == {"referral_made"}
    assert messages[first.pk].case_id == cases[0].pk and messages[first.pk].language == "ps"
    assert messages[second.pk].case_id == cases[1].pk
    assert first.receipt_number in messages[first.pk].body


def test_a_household_on_one_phone_gets_one_message_in_a_set(caseworker) -> None:
    first = make_requester(phone="+93 700 111 222", given_name="Gul")
    second = make_requester(phone="0700 111 222", given_name="Zarghona", index=1)
    other = make_requester(email="other@example.org", given_name="Nasrin", index=2)
    case = case_of(first)
    public_status_changed_many.send(
        sender=Case,
        changes=[
            (case, first, "received", "closed"),
            (case, second, "received", "closed"),
            (case_of(other), other, "received", "closed"),
        ],
        actor=None,
    )
    assert sorted(Message.objects.values_list("request_id", flat=True)) == sorted(
        [first.pk, other.pk]
    )


def test_the_messages_cost_the_same_statements_for_10_cases_or_30(caseworker) -> None:
    counts = []
    for count in (10, 30):
        Message.objects.all().delete()
        requests = make_many(count)
        ids = [case_of(r).pk for r in requests]
        Case.objects.filter(pk__in=ids).update(status=Case.Status.IN_REVIEW)
        with CaptureQueriesContext(connection) as queries:
            cases_status_change_many(case_ids=ids, actor=caseworker, status=Case.Status.REFERRED)
        counts.append(len(queries))
        assert Message.objects.filter(purpose="referral_made").count() == count
    assert counts[0] == counts[1]


def test_one_case_still_gets_its_message(caseworker) -> None:
    request = make_requester(email="one@example.org")
    case_status_change(case=case_of(request), actor=caseworker, status=Case.Status.REFERRED)
    message = Message.objects.get()
    assert (message.purpose, message.request_id) == ("referral_made", request.pk)
