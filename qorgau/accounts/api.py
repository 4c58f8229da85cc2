"""API authentication: bearer tokens, the token endpoints and who the caller is."""

from django.contrib.auth import authenticate
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import HttpBearer, SessionAuth

from qorgau.accounts import services
from qorgau.accounts.forms import lock_message
from qorgau.accounts.scoping import scope_for
from qorgau.core import audit
from qorgau.core.net import client_ip

router = Router(tags=["auth"])


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = services.token_authenticate(token)
        if user is not None:
            # The scoping layer and the services read the user from the request, as they do for pages.
            request.user = user
        return user


class BrowserSession(SessionAuth):
    """A signed-in page calling the API; ninja checks its CSRF token."""

    def __call__(self, request: HttpRequest):
        # Without a session this is simply an anonymous request (401), not a failed CSRF check (403).
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


API_AUTH = [BearerToken(), BrowserSession()]


class Message(Schema):
    detail: str


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1)
    name: str = Field("API", max_length=100, description="What the token is for, shown on the profile page.")


class TokenOut(Schema):
    token: str
    token_id: int


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    organisation: str | None
    scope_level: str


@router.post("/token", auth=None, response={200: TokenOut, 401: Message, 429: Message})
def token_issue(request: HttpRequest, payload: TokenIn, response: HttpResponse):
    """Exchange a username and password for a bearer token. Throttled like the sign-in page."""
    ip = client_ip(request)
    locked = lock_message(username=payload.username, ip=ip)
    if locked is not None:
        audit.record(request, action="login_failed", username=payload.username, obj="locked (API token)")
        response["Retry-After"] = str(locked[1])
        return Status(429, {"detail": locked[0]})
    user = authenticate(request, username=payload.username, password=payload.password)
    services.login_attempt_record(username=payload.username, ip=ip, succeeded=user is not None)
    if user is None:
        return Status(401, {"detail": _("Wrong username or password.")})
    token, key = services.token_create(user=user, name=payload.name)
    audit.record(request, action="login_ok", user=user, obj="API token")
    return {"token": key, "token_id": token.pk}


@router.delete("/tokens/{token_id}", response={204: None})
def token_delete(request: HttpRequest, token_id: int):
    """Revoke one of the caller's own tokens."""
    if not services.token_revoke(user=request.user, token_id=token_id):
        raise Http404
    return Status(204, None)


@router.get("/me", response=MeOut)
def me(request: HttpRequest):
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "organisation": user.organisation.name if user.organisation else None,
        "scope_level": scope_for(user).level,
    }
