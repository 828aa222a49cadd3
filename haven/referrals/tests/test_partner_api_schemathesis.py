"""Schemathesis over the referral endpoints: every answer documented, never a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from haven.intake.tests.api_helpers import issue_token
from haven.intake.tests.test_api_schema import CONFORMANCE, wsgi_app  # noqa: F401 (fixture)

from .factories import make_case
from .helpers import send

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_schemathesis_finds_no_server_errors_in_referrals(
    wsgi_app,  # noqa: F811
    caseworker,
    partner_org_a,
    service_a,
):
    for name in ("Ahmad", "Karim", "Noor"):
        send(
            make_case(consent_version="web-2021-08-v1", given_name=name),
            caseworker,
            partner_org_a,
            service_a,
        )
    token = issue_token(partner_org_a, rate_limit=0)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema", wsgi_app)
    statuses: list[int] = []
    operations = 0

    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        if not operation.path.startswith("/api/v1/referrals"):
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(
                generation_mode=mode, headers={"Authorization": f"Bearer {token}"}
            )

            @given(case=strategy)
            @settings(
                max_examples=30,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            def no_server_error(case: schemathesis.Case) -> None:
                response = case.call()
                statuses.append(response.status_code)
                assert response.status_code < 500, case.as_curl_command()
                case.validate_response(response, checks=CONFORMANCE)

            no_server_error()

    assert operations == 3
    assert 200 in statuses, "no example was ever answered"
    assert any(s in (404, 422) for s in statuses), "no example was ever refused"
