"""Shared by the partner-API tests: tokens, a client, and a complete request body."""

from __future__ import annotations

import copy
import json
from typing import Any

from django.test import Client

from haven.accounts.models import Organization
from haven.accounts.services_api import api_token_create
from haven.intake.api.schemas import EXAMPLE_REQUEST

URL = "/api/v1/requests"


def issue_token(organization: Organization, rate_limit: int | None = None) -> str:
    return api_token_create(organization=organization, rate_limit_per_minute=rate_limit).raw


def example_body(**overrides: Any) -> dict[str, Any]:
    body = copy.deepcopy(EXAMPLE_REQUEST)
    body.update(overrides)
    return body


def post(
    token: str | None,
    body: dict[str, Any] | str | bytes,
    *,
    key: str | None = None,
    client: Client | None = None,
    **headers: str,
) -> Any:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if key is not None:
        headers["Idempotency-Key"] = key
    data = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    return (client or Client()).post(
        URL, data=data, content_type="application/json", headers=headers
    )


def get(token: str | None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return Client().get(URL, params, headers=headers)


def error_of(response: Any) -> dict[str, Any]:
    """The error object, after checking the response has the one error format."""
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    assert isinstance(body["error"]["details"], list)
    error: dict[str, Any] = body["error"]
    return error
