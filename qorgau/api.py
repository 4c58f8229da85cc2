"""The JSON API at /api/v1/. Endpoints live in each app's `api.py` and call the same services as the pages.

Errors are mapped to responses here and nowhere else, so every endpoint answers them the same way:
a service's ValidationError is 400 with the errors by field, NotAllowed 403, anything the caller
cannot see 404 (the same answer whether it exists elsewhere or not at all), bad input 422.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputError
from ninja.parser import Parser

from qorgau.accounts.api import API_AUTH
from qorgau.accounts.api import router as accounts_router
from qorgau.checklists.api import router as checklists_router
from qorgau.core.errors import InvalidTransition, NotAllowed
from qorgau.inspections.api import router as inspections_router
from qorgau.registry.api import router as registry_router

# The errors every operation may answer, by the handlers below; the schema documents them on each operation
# so that a client (and the fuzz test, qorgau/tests/test_api_fuzz.py) knows every status it can get.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "The messages by field name, for 400 and 422.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail"],
}
ERRORS = {
    400: "The data is not valid: `errors` has the messages by field.",
    401: "Authentication required: no valid API token.",
    403: "The role may not do this.",
    404: "Not found, or not visible to the caller.",
    409: "The object's state does not allow this (e.g. an order already issued).",
    422: "The request does not match the input schema: `errors` has the messages by field.",
}
READ_ERRORS = (401, 404, 422)
WRITE_ERRORS = (400, 401, 403, 404, 409, 422)


class UnsafeInput(ValueError):
    """Input no field of ours can hold, refused at the door with the field's name: a NUL character, which
    PostgreSQL cannot store in text, or an integer beyond 64 bits, which no database column holds."""

    def __init__(self, field: str, message: str):
        super().__init__(field)
        self.field = field
        self.message = message


INT_LIMIT = 2**63 - 1


def _check_safe(value, path: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise UnsafeInput(path or "non_field_errors", _("Null characters are not allowed."))
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > INT_LIMIT:
            raise UnsafeInput(path or "non_field_errors", _("This number is too large."))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_safe(key, path)
            _check_safe(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_safe(item, f"{path}.{index}" if path else str(index))


class SafeInputParser(Parser):
    def parse_body(self, request):
        data = super().parse_body(request)
        _check_safe(data, "")
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        for name, value in result.items():
            if not hasattr(value, "read"):  # uploaded files are checked by content elsewhere
                _check_safe(value, name)
        return result


class QorgauAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                codes = set(READ_ERRORS if method == "get" else WRITE_ERRORS)
                if not any(p["in"] == "path" for p in operation.get("parameters", ())):
                    codes.discard(404)
                if "security" not in operation:  # public (the token itself): no role, no object
                    codes -= {401, 403, 409}
                responses = operation.setdefault("responses", {})
                for code in sorted(codes - {int(c) for c in responses}):
                    responses[code] = {"description": ERRORS[code], **ref}
        return schema


api = QorgauAPI(
    title="Qorgau API", version="1", urls_namespace="api", auth=API_AUTH, parser=SafeInputParser()
)
api.add_router("/auth", accounts_router)
api.add_router("/", registry_router)
api.add_router("/checklists", checklists_router)
api.add_router("/", inspections_router)
api.add_router("/", "qorgau.orders.api.router")
api.add_router("/", "qorgau.oversight.api.router")
api.add_router("/", "qorgau.public.api.router")

# The API takes foreign keys by id (`firm_id`) while model validation names the relation (`firm`);
# errors are keyed by the name the client sent.
FIELD_NAMES = {NON_FIELD_ERRORS: "non_field_errors", "district": "district_id", "firm": "firm_id"}


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {FIELD_NAMES.get(name, name): messages for name, messages in error.message_dict.items()}
    return {"non_field_errors": error.messages}


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    errors = _field_errors(exc)
    return api.create_response(request, {"detail": _("The data is not valid."), "errors": errors}, status=400)


@api.exception_handler(InputError)
def input_error(request, exc: InputError):
    # ninja reports where each error is, e.g. ("body", "payload", "bin") or ("query", "limit");
    # the field is what follows the source and, for a body, the parameter name.
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        path = loc[2:] if loc[:1] == ["body"] else loc[1:]
        errors.setdefault(".".join(path) or "non_field_errors", []).append(error.get("msg", ""))
    return api.create_response(
        request, {"detail": _("The request is not valid."), "errors": errors}, status=422
    )


def _unsafe_response(request, exc: UnsafeInput):
    errors = {exc.field: [exc.message]}
    return api.create_response(
        request, {"detail": _("The request is not valid."), "errors": errors}, status=422
    )


@api.exception_handler(UnsafeInput)
def unsafe_input(request, exc: UnsafeInput):
    return _unsafe_response(request, exc)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # ninja wraps what the parser raises for a JSON body into "Cannot parse request body".
    if isinstance(exc.__cause__, UnsafeInput):
        return _unsafe_response(request, exc.__cause__)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(NotAllowed)
def not_allowed(request, exc: NotAllowed):
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(InvalidTransition)
def invalid_transition(request, exc: InvalidTransition):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    # Never the exception's text: it could name what was looked for.
    return api.create_response(request, {"detail": _("Not found")}, status=404)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc: AuthenticationError):
    response = api.create_response(
        request, {"detail": _("Authentication required: send a valid API token.")}, status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response
