"""The API does what its OpenAPI schema says: schemathesis fuzzes every operation as the Lead and as Staff.

Runs in-process through the WSGI application (no network), with a fixed
number of examples per operation so it stays within about two minutes on two
cores. Any server error or any response that does not match the schema
(status code, content type, headers, body) fails the test with the operation
and the reproduction.
"""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from compliance import account_services, roles
from reporting.tests.factories import StatementFactory
from safeguarding.tests.factories import ConcernFactory

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 8  # per operation and role: 35 operations x 2 roles x 8 = 560 cases, about a minute
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _schema() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


@pytest.fixture
def tokens(make_user):
    """A Lead (make_user enrols MFA, as the API requires) and a Staff member, each with a token made as the token page makes it."""
    lead = make_user(roles.STAFF, roles.MODERN_SLAVERY_LEAD)
    staff = make_user(roles.STAFF)
    # Data whose nullable fields are null and blank: an unassigned case, an unpublished statement.
    ConcernFactory(assignee=None)
    ConcernFactory(assignee=lead, reporter=staff)
    StatementFactory(created_by=lead)
    return {name: account_services.api_token_create(user=user)[1] for name, user in (("lead", lead), ("staff", staff))}


def test_every_operation_answers_as_its_schema_says(tokens):
    schema = schemathesis.openapi.from_dict(_schema())
    schema.app = WSGIHandler()
    failures, cases = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            nonlocal cases
            for key in tokens.values():
                cases += 1
                response = case.call(headers={"Authorization": f"Token {key}"})
                case.validate_response(response, checks=CHECKS)

        try:
            run()
        except BaseException as exc:  # noqa: BLE001  schemathesis raises groups; report every operation's
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {exc}")
    print(f"schemathesis: {cases} cases over {len(list(schema.get_all_operations()))} operations")
    assert cases > 100
    assert not failures, "\n\n".join(failures)
