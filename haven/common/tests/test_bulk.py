"""common.bulk: rows written straight to their tables read back as the ORM would write them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from haven.accounts.models import Organization
from haven.audit.models import AuditEvent
from haven.common import bulk

pytestmark = pytest.mark.django_db

FROZEN = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)


def test_insert_values_fills_every_field_not_given_with_its_default():
    with time_machine.travel(FROZEN, tick=False):
        bulk.insert_values(
            AuditEvent,
            [
                {"action": "create", "summary": "first", "details": {"rows": 2}},
                {"action": "update", "summary": "second", "details": {}},
            ],
        )
    first, second = AuditEvent.objects.order_by("id")
    assert (first.action, first.summary, first.details) == ("create", "first", {"rows": 2})
    assert (second.action, second.details) == ("update", {})
    # Not given: the auto_now_add time, the null actor, the blank strings.
    assert first.at == second.at == FROZEN
    assert (first.actor_id, first.actor_label, first.object_id, first.ip_address) == (
        None,
        "",
        "",
        None,
    )


def test_insert_values_refuses_a_field_the_model_does_not_have():
    with pytest.raises(TypeError, match="colour"):
        bulk.insert_values(AuditEvent, [{"action": "create", "colour": "red"}])
    assert not AuditEvent.objects.exists()


def test_update_instances_writes_the_given_fields_of_each_row_and_nothing_else():
    created = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    first = Organization.objects.create(name="First", kind=Organization.Kind.PARTNER)
    second = Organization.objects.create(name="Second", kind=Organization.Kind.PARTNER)
    untouched = Organization.objects.create(name="Third", kind=Organization.Kind.PARTNER)
    first.category, first.created_at = "UN agency", created
    second.category, second.name = "NGO", "Not written"

    # An auto_now_add (or auto_now) field listed is written as the instance holds it.
    bulk.update_instances([first, second], ["category", "created_at"])

    rows = {o.pk: o for o in Organization.objects.all()}
    assert (rows[first.pk].category, rows[first.pk].created_at) == ("UN agency", created)
    assert (rows[second.pk].category, rows[second.pk].name) == ("NGO", "Second")
    assert rows[untouched.pk].category == ""
