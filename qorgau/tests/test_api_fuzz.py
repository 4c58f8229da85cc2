"""Tried to break it: the API fuzzed from its own OpenAPI schema, as every role.

Schemathesis generates requests for every operation of /api/v1/openapi.json: examples that fit the schema and,
in its coverage phase, boundary and wrong ones (missing fields, wrong types, huge numbers, nulls, other
methods). They go to side A's real objects of the access world (the path's ids replaced, so that bodies reach
the services) with the token of each role (city supervisor, education department, chief, inspector, school
head, security firm); a generated example also goes once at the ids it was generated with. Every answer must
be

- never a server error;
- documented: a status code the operation lists, with a body that matches the schema given for it.

Each request runs in a savepoint that is rolled back, so every example meets the same world. Few examples and
derandomized generation: a bounded, repeatable check for CI, not an open-ended search.
"""

from __future__ import annotations

import itertools
import json
import sys

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from ninja.responses import NinjaJSONEncoder
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from qorgau.api import api
from qorgau.tests.access_world import USERS
from qorgau.tests.test_access_matrix import API
from qorgau.tests.test_access_matrix import world as world  # the module's world fixture, built once

PREFIX = "/api/v1"
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
MAX_EXAMPLES = 4
TURNS = itertools.count()

# As /api/v1/openapi.json serves it: lazy translations (descriptions) become strings.
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(path_prefix=PREFIX + "/"), cls=NinjaJSONEncoder))
)


def _own_args(operation: str) -> dict[str, str]:
    """The side attribute each path parameter names, from the access matrix's rule for the operation."""
    rules = API[operation]
    for rule in rules if isinstance(rules, tuple) else (rules,):
        if rule.args:
            return rule.args
    return {}


def _own_ids(world, args: dict[str, str], role: str) -> dict[str, int]:
    ids = {}
    for name, attr in args.items():
        value = getattr(world.a, attr)
        # Personal objects (tokens, notifications) are kept per persona.
        value = value[role] if isinstance(value, dict) else value
        ids[name] = getattr(value, "pk", value)
    return ids


def _token(world, role: str) -> str:
    return world.api[role].defaults["HTTP_AUTHORIZATION"].removeprefix("Bearer ")


@pytest.fixture(scope="module")
def application():
    return WSGIHandler()


@pytest.fixture
def wsgi_in_test_transaction():
    # A real WSGI request closes the database connection when it ends, which would end the test's
    # transaction; Django's test client disconnects the same handlers for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def server_errors():
    """The exceptions behind 500 answers, so that a failure shows the traceback, not just the status."""
    caught: list[BaseException] = []

    def keep(sender, request=None, **kwargs):
        caught.append(sys.exc_info()[1])

    got_request_exception.connect(keep)
    try:
        yield caught
    finally:
        got_request_exception.disconnect(keep)


def _send(case, application, token: str, server_errors: list) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    with transaction.atomic():
        response = case.call(app=application, headers=headers)
        transaction.set_rollback(True)
    if response.status_code >= 500 and server_errors:
        raise AssertionError(f"{case.method} {case.formatted_path}: 500") from server_errors.pop()
    case.validate_response(response, checks=CHECKS, headers=headers, transport_kwargs={"app": application})


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_role_within_its_schema(
    case, world, db, application, wsgi_in_test_transaction, server_errors
):
    operation = f"{case.operation.method.upper()} {case.operation.path.removeprefix(PREFIX)}"
    roles = sorted(USERS)
    args = _own_args(operation)
    # A case of the coverage phase (boundary values, wrong types, missing fields, other methods; there are
    # many) goes once, as one role in turn, at side A's objects; a generated example goes as every role at
    # side A's objects and once, as one role in turn, at the ids it was generated with.
    turn = roles[next(TURNS) % len(roles)]
    coverage = case.meta is not None and case.meta.phase.name.value == "coverage"
    generated = dict(case.path_parameters or {})
    try:
        for role in [turn] if coverage else roles:
            if args:
                case.path_parameters = {**generated, **_own_ids(world, args, role)}
            _send(case, application, _token(world, role), server_errors)
    finally:
        case.path_parameters = generated
    if args and not coverage:
        _send(case, application, _token(world, turn), server_errors)
