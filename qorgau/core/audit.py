"""The audit log: sign-ins, refusals, exports and document downloads, written without touching the views.

Most entries come from `AuditMiddleware`, which looks at each finished response:
- 403 (a PermissionDenied, a NotAllowed turned into 403, a CSRF failure) → "denied";
- 404 to a signed-in user on a URL that names an object id → "denied or not found" (outsiders get 404 on
  purpose, so a 404 is how probing for another district's objects shows up);
- a response carrying a file (Content-Disposition): exports (`…/export.<fmt>`) and document downloads
  (act and order documents, amendments, evidence, photo originals); thumbnails are left out as noise.
Sign-in, failed sign-in and sign-out come from Django's auth signals. Those fire inside the view, so they are
kept on the request and written by the middleware once the view is done: like every other entry they are
written outside the view's transaction and stay even when the request fails.

Writing an entry never breaks the request: an error is logged and the answer goes out as it was.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from qorgau.core.net import client_ip

logger = logging.getLogger(__name__)

_PENDING = "_qorgau_audit_pending"
# URL names whose files are shown on pages by the dozen: logging each would bury the real downloads.
QUIET_FILE_VIEWS = ("thumb",)


def _clip(value, length: int) -> str:
    return str(value or "")[:length]


def _write(entries: list[dict]) -> None:
    from qorgau.core.models import AuditEntry

    try:
        # A savepoint of its own: a failed insert must not spoil a transaction the caller may be in.
        with transaction.atomic():
            AuditEntry.objects.bulk_create([AuditEntry(**entry) for entry in entries])
    except Exception:  # the log must never cost the user their answer
        logger.exception("could not write the audit log")


def entry_for(request, *, action: str, user=None, username: str = "", status=None, obj: str = "") -> dict:
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    return {
        "action": action,
        "user": user if signed_in else None,
        "username": _clip(user.get_username() if signed_in else username, 150),
        "ip": client_ip(request) if request is not None else None,
        "method": _clip(getattr(request, "method", ""), 10),
        "path": _clip(getattr(request, "path", ""), 500),
        "status": status,
        "object": _clip(obj, 300),
    }


def record(request, *, action: str, user=None, username: str = "", status=None, obj: str = "") -> None:
    """Log one event. With a request it is written after the view (outside its transaction); without, now."""
    try:
        entry = entry_for(request, action=action, user=user, username=username, status=status, obj=obj)
    except Exception:
        logger.exception("could not prepare an audit entry")
        return
    if request is not None and hasattr(request, _PENDING):
        getattr(request, _PENDING).append(entry)
    else:
        _write([entry])


def _view_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    ids = " ".join(f"{key}={value}" for key, value in sorted(match.kwargs.items()))
    return f"{match.view_name} {ids}".strip()


def _names_an_object(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return any(isinstance(value, int) or key in ("pk", "id") for key, value in match.kwargs.items())


def _filename(disposition: str) -> str:
    # Django writes filename="…" for ASCII names and filename*=utf-8''… otherwise; either is good enough here.
    for part in disposition.split(";"):
        part = part.strip()
        if part.startswith("filename="):
            return part[len("filename=") :].strip('"')
        if part.startswith("filename*="):
            return part.split("''", 1)[-1]
    return ""


def _response_entry(request, response) -> dict | None:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    status = response.status_code
    if status == 403:
        return entry_for(request, action="denied", user=user, status=status, obj=_view_label(request))
    if status == 404 and signed_in and _names_an_object(request):
        return entry_for(request, action="not_found", user=user, status=status, obj=_view_label(request))
    disposition = response.get("Content-Disposition", "")
    if disposition and status == 200:
        match = getattr(request, "resolver_match", None)
        url_name = match.url_name if match else ""
        if url_name and any(word in url_name for word in QUIET_FILE_VIEWS):
            return None
        action = (
            "export" if (url_name or "").endswith("_export") or "/export." in request.path else "download"
        )
        label = _filename(disposition) or _view_label(request)
        return entry_for(request, action=action, user=user, status=status, obj=label)
    return None


class AuditMiddleware:
    """Write the audit entries of a request after its view has answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        setattr(request, _PENDING, [])
        response = self.get_response(request)
        try:
            entries = getattr(request, _PENDING)
            entry = _response_entry(request, response)
            if entry is not None:
                entries.append(entry)
        except Exception:
            logger.exception("could not prepare an audit entry")
            entries = getattr(request, _PENDING, [])
        if entries:
            _write(entries)
        delattr(request, _PENDING)
        return response


@receiver(user_logged_in, dispatch_uid="qorgau_audit_login")
def _logged_in(sender, request, user, **kwargs):
    record(request, action="login_ok", user=user)


@receiver(user_login_failed, dispatch_uid="qorgau_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    record(request, action="login_failed", username=str(credentials.get("username") or ""))


@receiver(user_logged_out, dispatch_uid="qorgau_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    record(request, action="logout", user=user)


def prune(*, days: int) -> int:
    """Delete entries older than `days` days; returns how many went."""
    from qorgau.core.models import AuditEntry

    deleted, _by_model = AuditEntry.objects.filter(at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
