"""Writes for accounts: login throttling, API tokens, the user's language."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qorgau.accounts.models import ApiToken, LoginAttempt, User


def login_lock_remaining(*, username: str, ip: str | None) -> timedelta | None:
    """How long this username is still locked for this IP after too many failures, or None."""
    window = timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    since = timezone.now() - window
    attempts = LoginAttempt.objects.filter(username__iexact=username, ip=ip, at__gte=since).order_by("-at")
    failures = []
    for attempt in attempts[: settings.LOGIN_MAX_FAILURES]:
        if attempt.succeeded:
            break
        failures.append(attempt)
    if len(failures) < settings.LOGIN_MAX_FAILURES:
        return None
    return failures[0].at + window - timezone.now()


def address_lock_remaining(*, ip: str | None) -> timedelta | None:
    """How long sign-in from this address stays refused after too many failures across all usernames.

    The per-username lock stops guessing one password; this one stops trying one common password on many
    usernames. A success does not reset it: one valid account must not reopen the door for the rest.
    """
    if not ip:
        return None
    window = timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    limit = settings.LOGIN_MAX_FAILURES_PER_IP
    failures = list(
        LoginAttempt.objects.filter(ip=ip, succeeded=False, at__gte=timezone.now() - window)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(failures) < limit:
        return None
    return failures[-1] + window - timezone.now()


def login_attempt_record(*, username: str, ip: str | None, succeeded: bool) -> None:
    LoginAttempt.objects.create(username=username[:150], ip=ip, succeeded=succeeded)


def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token; the plain key is returned once and never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name[:100] or "API", prefix=key[3:11], key_hash=ApiToken.hash_key(key)
    )
    return token, key


def token_revoke(*, user: User, token_id: int) -> bool:
    return bool(
        ApiToken.objects.filter(user=user, pk=token_id, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def token_authenticate(key: str) -> User | None:
    if not key or not key.startswith("qg_"):
        return None
    token = (
        ApiToken.objects.select_related("user__organisation__school")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Write last use at most once a minute: a busy client should not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
