"""The JSON API at /api/v1/. Endpoints live in each app's `api.py` and call the same services as the pages.

Errors are mapped to responses here and nowhere else, so every endpoint answers them the same way:
a service's ValidationError is 400 with the errors by field, NotAllowed 403, anything the caller
cannot see 404 (the same answer whether it exists elsewhere or not at all), bad input 422.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as InputError

from qorgau.accounts.api import API_AUTH
from qorgau.accounts.api import router as accounts_router
from qorgau.checklists.api import router as checklists_router
from qorgau.core.errors import InvalidTransition, NotAllowed
from qorgau.inspections.api import router as inspections_router
from qorgau.registry.api import router as registry_router

api = NinjaAPI(title="Qorgau API", version="1", urls_namespace="api", auth=API_AUTH)
api.add_router("/auth", accounts_router)
api.add_router("/", registry_router)
api.add_router("/checklists", checklists_router)
api.add_router("/", inspections_router)
api.add_router("/", "qorgau.orders.api.router")

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
