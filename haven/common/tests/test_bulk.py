"""common.bulk: rows written straight to their tables read back as the ORM would write them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

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
