import pytest
from django.conf import settings
from django.test import Client

from qorgau.accounts import services
from qorgau.accounts.models import ApiToken, LoginAttempt

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # what UserFactory sets


def issue(client, username, password=PASSWORD, **extra):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password, **extra},
        content_type="application/json",
    )


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_it_issues_a_token_for_a_correct_password(client, inspector_x):
    response = issue(client, "inspector_x", name="Dispatch console")

    assert response.status_code == 200
    body = response.json()
    assert body["token"].startswith("qg_")
    token = ApiToken.objects.get(pk=body["token_id"])
    assert token.user == inspector_x
    assert token.name == "Dispatch console"
    assert token.key_hash == ApiToken.hash_key(body["token"])


def test_the_issued_token_opens_the_api(client, inspector_x):
    key = issue(client, "inspector_x").json()["token"]

    response = Client().get("/api/v1/auth/me", **bearer(key))

    assert response.status_code == 200
    assert response.json()["username"] == "inspector_x"


def test_it_answers_401_with_a_message_for_a_wrong_password(client, inspector_x):
    response = issue(client, "inspector_x", password="wrong-password")

    assert response.status_code == 401
    assert response.json()["detail"]
    assert not ApiToken.objects.exists()
    assert LoginAttempt.objects.filter(username="inspector_x", succeeded=False).count() == 1


def test_it_answers_401_for_an_unknown_user(client, db):
    response = issue(client, "nobody")

    assert response.status_code == 401


def test_it_answers_401_for_a_deactivated_user(client, inspector_x):
    inspector_x.is_active = False
    inspector_x.save()

    assert issue(client, "inspector_x").status_code == 401


def test_it_locks_the_username_after_too_many_failures_even_with_the_right_password(client, inspector_x):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        assert issue(client, "inspector_x", password="wrong-password").status_code == 401

    response = issue(client, "inspector_x")

    assert response.status_code == 429
    assert response.json()["detail"]
    assert int(response["Retry-After"]) > 0
    assert not ApiToken.objects.exists()


def test_the_lock_is_shared_with_the_sign_in_page(client, inspector_x):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/accounts/login/", {"username": "inspector_x", "password": "wrong-password"})

    assert issue(client, "inspector_x").status_code == 429


def test_the_lock_is_per_address(client, inspector_x):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        issue(client, "inspector_x", password="wrong-password")

    other = Client(REMOTE_ADDR="10.0.0.2")
    assert issue(other, "inspector_x").status_code == 200


def test_it_requires_a_username_and_password(client, db):
    response = client.post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")

    assert response.status_code == 422
    assert "password" in response.json()["errors"]


def test_a_revoked_token_is_refused(client, inspector_x):
    token, key = services.token_create(user=inspector_x, name="old")
    services.token_revoke(user=inspector_x, token_id=token.pk)

    response = client.get("/api/v1/auth/me", **bearer(key))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_unknown_token_is_refused(client, db):
    assert client.get("/api/v1/auth/me", **bearer("qg_not-a-real-token")).status_code == 401


def test_a_request_without_a_token_is_refused(client, db):
    response = client.get("/api/v1/auth/me")

    assert response.status_code == 401
    assert response.json()["detail"]


def test_the_owner_can_revoke_a_token_through_the_api(client, inspector_x):
    token, key = services.token_create(user=inspector_x, name="old")

    response = client.delete(f"/api/v1/auth/tokens/{token.pk}", **bearer(key))

    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/auth/me", **bearer(key)).status_code == 401


def test_nobody_else_can_revoke_a_token(client, inspector_x, inspector_y):
    token, _key = services.token_create(user=inspector_x, name="theirs")
    _own, key_y = services.token_create(user=inspector_y, name="mine")

    response = client.delete(f"/api/v1/auth/tokens/{token.pk}", **bearer(key_y))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_me_tells_the_caller_who_they_are_and_what_they_see(client, school_admin_a):
    _token, key = services.token_create(user=school_admin_a, name="t")

    body = client.get("/api/v1/auth/me", **bearer(key)).json()

    assert body["username"] == "head_a"
    assert body["role"] == "school_admin"
    assert body["organisation"] == school_admin_a.organisation.name
    assert body["scope_level"] == "school"


def test_a_signed_in_page_may_read_with_its_session(login, inspector_x):
    client = login(inspector_x)

    response = client.get("/api/v1/auth/me")

    assert response.status_code == 200
    assert response.json()["scope_level"] == "district"


def test_a_session_write_needs_the_csrf_token(inspector_x):
    token, _key = services.token_create(user=inspector_x, name="t")
    client = Client(enforce_csrf_checks=True)
    client.force_login(inspector_x)

    response = client.delete(f"/api/v1/auth/tokens/{token.pk}")

    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
