"""Sign-in throttling by the client's real address: per username, and across usernames per address."""

from datetime import timedelta

import pytest
from django.utils import timezone

from qorgau.accounts.models import LoginAttempt
from qorgau.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
PROXY = "10.0.0.5"


def _login(client, username, password, **meta):
    return client.post("/accounts/login/", {"username": username, "password": password}, **meta)


@pytest.fixture
def behind_proxy(settings):
    settings.QORGAU_TRUSTED_PROXIES = [PROXY]


def test_behind_a_trusted_proxy_the_lock_follows_the_forwarded_address(client, inspector_x, behind_proxy):
    for _ in range(5):
        _login(client, "inspector_x", "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert set(LoginAttempt.objects.values_list("ip", flat=True)) == {"198.51.100.1"}
    locked = _login(client, "inspector_x", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert locked.status_code == 200
    # Another client behind the same proxy is not locked out by the first one's failures.
    other = _login(client, "inspector_x", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.status_code == 302


def test_a_forged_forwarded_header_does_not_escape_the_lock(client, inspector_x, behind_proxy):
    for number in range(5):
        _login(
            client, "inspector_x", "wrong", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"1.1.1.{number}"
        )
    response = _login(
        client, "inspector_x", PASSWORD, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="9.9.9.9"
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_one_address_trying_many_usernames_is_paused(client, inspector_x, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 6
    inspector_x.language = "en"
    inspector_x.save(update_fields=["language"])
    for number in range(6):  # one failure each: no single username is locked
        _login(client, f"someone{number}", "wrong")
    response = _login(client, "inspector_x", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Too many failed sign-ins from your network" in response.content.decode()
    # From another address the same user signs in.
    assert _login(client, "inspector_x", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_a_success_does_not_reopen_the_address(client, inspector_x, chief_x, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 3
    for number in range(2):
        _login(client, f"someone{number}", "wrong")
    assert _login(client, "chief_x", PASSWORD).status_code == 302
    client.logout()
    _login(client, "someone9", "wrong")
    assert _login(client, "inspector_x", PASSWORD).status_code == 200


def test_the_address_pause_ends_after_the_window(client, inspector_x, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 3
    for number in range(3):
        _login(client, f"someone{number}", "wrong")
    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES + 1))
    assert _login(client, "inspector_x", PASSWORD).status_code == 302


def test_the_api_token_endpoint_shares_the_address_cap(client, inspector_x, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 3
    for number in range(3):
        _login(client, f"someone{number}", "wrong")
    response = client.post(
        "/api/v1/auth/token",
        {"username": "inspector_x", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_a_refused_locked_attempt_is_in_the_audit_log(client, inspector_x, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 2
    for number in range(2):
        _login(client, f"someone{number}", "wrong")
    _login(client, "inspector_x", PASSWORD)
    last = AuditEntry.objects.order_by("-id").first()
    assert (last.action, last.username, last.object) == ("login_failed", "inspector_x", "locked")
