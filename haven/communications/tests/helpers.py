"""Synthetic requesters, stored through intake's own services as every channel does."""

from __future__ import annotations

import json

from haven.intake.models import Channel, Request
from haven.intake.services import (
    NewRequest,
    PersonInput,
    RequesterInput,
    RequestInput,
    request_create,
    requests_create_many,
)


def requester_input(
    *,
    given_name: str = "Ahmad",
    phone: str = "",
    email: str = "",
    language: str = "en",
    contact: str = "",
    channel: str = Channel.WALK_IN,
    index: int = 0,
) -> RequestInput:
    identifiers: list[tuple[str, str]] = []
    if phone:
        identifiers.append(("phone", phone))
    if email:
        identifiers.append(("email", email))
    principal = PersonInput(
        given_name=given_name,
        father_name=f"Karim{index}",
        date_of_birth="1985",
        identifiers=tuple(identifiers),
    )
    return RequestInput(
        channel=channel,
        people=(principal,),
        requester=RequesterInput(name="", contact=contact),
        language=language,
    )


def make_requester(*, receipt_message: bool = False, **kwargs: object) -> Request:
    """A requester; without its receipt message unless asked (test_receipts.py tests those),
    so each test sees only the messages it causes."""
    data = requester_input(**kwargs)  # type: ignore[arg-type]
    return request_create(
        data=data, raw_input=json.dumps({"synthetic": True}), receipt_message=receipt_message
    ).request


def make_many(count: int, **kwargs: object) -> list[Request]:
    """`count` requesters with their own e-mail addresses (requester-N@example.org)."""
    entries = [
        NewRequest(
            data=requester_input(
                given_name=f"Person{i}",
                email=f"requester-{i}@example.org",
                index=i,
                **kwargs,  # type: ignore[arg-type]
            ),
            raw_input="{}",
        )
        for i in range(count)
    ]
    created = requests_create_many(entries=entries, actor=None, receipt_message=False)
    return [c.request for c in created]
