"""Build requests through the real intake service, as every channel does."""

from __future__ import annotations

import json

from haven.intake.models import Channel
from haven.intake.services import CreatedRequest, PersonInput, RequestInput, request_create


def make_request(
    *,
    given_name: str = "Ahmad",
    father_name: str = "Karim",
    family_name: str = "",
    full_name: str = "",
    channel: str = Channel.WALK_IN,
    identifiers: tuple[tuple[str, str], ...] = (),
    members: tuple[PersonInput, ...] = (),
) -> CreatedRequest:
    principal = PersonInput(
        given_name=given_name,
        father_name=father_name,
        family_name=family_name,
        full_name=full_name,
        date_of_birth="1985",
        identifiers=identifiers,
    )
    data = RequestInput(channel=channel, people=(principal, *members))
    return request_create(data=data, raw_input=json.dumps({"given_name": given_name}))
