"""The OpenAPI schema, the offline docs page, the one error format, and schemathesis."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from haven.intake.api.schemas import EXAMPLE_REQUEST
from haven.intake.models import Request

from .api_helpers import error_of, issue_token, post

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_with_a_complete_example(client):
    response = client.get("/api/v1/schema")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    operations = schema["paths"]["/api/v1/requests"]
    assert set(operations) == {"get", "post"}
    body = operations["post"]["requestBody"]["content"]["application/json"]
    assert body["example"] == EXAMPLE_REQUEST
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()
    assert {"201", "401", "413", "422", "429"} <= set(operations["post"]["responses"])


def test_the_example_in_the_schema_is_accepted(client, partner_org_a):
    example = client.get("/api/v1/schema").json()["paths"]["/api/v1/requests"]["post"]
    body = example["requestBody"]["content"]["application/json"]["example"]
    assert post(issue_token(partner_org_a), body).status_code == 201


def test_the_docs_page_works_offline(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<script" not in html
    assert "://" not in html.replace("http://testserver/", "")  # nothing fetched from elsewhere
    assert "Idempotency-Key" in html
    assert "people[].identifiers[].kind" in html
    assert "Mohammad Zaman" in html  # the example, embedded
    assert len(response.content) < 200_000


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/nothing-here", 404),
        ("get", "/api/v2/requests", 404),
        ("get", "/api/v1/requests/", 404),
        ("get", "/api/v1/", 404),
        ("put", "/api/v1/requests", 405),
        ("delete", "/api/v1/requests", 405),
        ("post", "/api/v1/docs", 405),
    ],
)
def test_django_level_errors_under_api_use_the_one_format(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    error_of(response)


def test_an_unexpected_failure_is_a_500_in_the_format_without_internals(partner_org_a, monkeypatch):
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("database on fire at /srv/secret/path")

    monkeypatch.setattr("haven.intake.api.views.request_accept", broken)

    response = post(issue_token(partner_org_a), EXAMPLE_REQUEST)

    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error"
    assert "fire" not in response.content.decode()
    assert not Request.objects.exists()


CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class _WsgiApp:
    """Django's WSGI application, for schemathesis to call in-process."""

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.handler(environ, start_response)


@pytest.fixture
def wsgi_app() -> Iterator[_WsgiApp]:
    # Each request's start and end would close the database connection, which in a test is
    # the one holding the test's transaction; Django's test client disconnects these too.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield _WsgiApp()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
def test_schemathesis_finds_no_server_errors(wsgi_app, partner_org_a):
    token = issue_token(partner_org_a, rate_limit=0)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema", wsgi_app)
    statuses: list[int] = []

    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(
                generation_mode=mode, headers={"Authorization": f"Bearer {token}"}
            )

            @given(case=strategy)
            @settings(
                max_examples=25,
                derandomize=True,  # the same examples on every run
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            def no_server_error(case: schemathesis.Case) -> None:
                response = case.call()
                statuses.append(response.status_code)
                assert response.status_code < 500, case.as_curl_command()
                # Every answer, errors included, is one the schema documents, in its shape.
                case.validate_response(response, checks=CONFORMANCE)

            no_server_error()

    assert any(s == 201 for s in statuses), "no example was ever accepted"
    assert any(s == 422 for s in statuses), "no example was ever refused"
