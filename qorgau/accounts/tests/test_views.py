from datetime import timedelta

import pytest
from django.utils import timezone

from qorgau.accounts.models import LoginAttempt

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_it_signs_in_with_username_and_password(client, inspector_x):
    response = _login(client, "inspector_x", PASSWORD)
    assert response.status_code == 302
    assert client.get("/schools/").status_code == 200


def test_it_locks_a_username_after_five_failures_from_one_address(client, inspector_x):
    for _ in range(5):
        response = _login(client, "inspector_x", "wrong password")
        assert response.status_code == 200
    response = _login(client, "inspector_x", PASSWORD)
    assert response.status_code == 200  # the right password does not help while locked
    assert "Too many failed attempts" in response.content.decode() or "попыток" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_empty_password_does_not_reset_the_failure_count(client, inspector_x):
    for _ in range(4):
        _login(client, "inspector_x", "wrong password")
    _login(client, "inspector_x", "")
    response = _login(client, "inspector_x", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_the_window(client, inspector_x, settings):
    for _ in range(5):
        _login(client, "inspector_x", "wrong password")
    LoginAttempt.objects.update(at=timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES + 1))
    assert _login(client, "inspector_x", PASSWORD).status_code == 302


def test_the_lock_is_per_address(client, inspector_x):
    for _ in range(5):
        _login(client, "inspector_x", "wrong password")
    response = client.post(
        "/accounts/login/", {"username": "inspector_x", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302


def test_a_success_resets_the_count(client, inspector_x):
    for _ in range(4):
        _login(client, "inspector_x", "wrong password")
    assert _login(client, "inspector_x", PASSWORD).status_code == 302
    client.logout()
    _login(client, "inspector_x", "wrong password")
    assert _login(client, "inspector_x", PASSWORD).status_code == 302


def test_sign_out_ends_the_session(client, inspector_x):
    client.force_login(inspector_x)
    client.post("/accounts/logout/")
    assert client.get("/schools/").status_code == 302


def test_pages_need_a_signed_in_user(client, school_a):
    for url in ("/", "/schools/", f"/schools/{school_a.pk}/", "/firms/", "/schools/export.csv", "/import/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


def test_the_language_choice_is_kept_with_the_account(client, inspector_x):
    client.force_login(inspector_x)
    client.post("/accounts/language/", {"language": "kk", "next": "/schools/"})
    inspector_x.refresh_from_db()
    assert inspector_x.language == "kk"
    other_device = type(client)()
    other_device.force_login(inspector_x)
    response = other_device.get("/schools/")
    assert response["Content-Language"] == "kk"
    assert "Мектептер" in response.content.decode()


def test_the_language_switch_refuses_a_foreign_redirect(client, inspector_x):
    client.force_login(inspector_x)
    response = client.post("/accounts/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_user_creates_and_revokes_an_api_token(client, inspector_x):
    client.force_login(inspector_x)
    response = client.post("/accounts/profile/", {"action": "token", "name": "ERP"})
    assert response.status_code == 200
    token = inspector_x.api_tokens.get()
    assert token.prefix in response.content.decode()
    client.post("/accounts/profile/", {"action": "revoke", "token": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_user_cannot_revoke_someone_elses_token(client, inspector_x, inspector_y):
    from qorgau.accounts.services import token_create

    token, _key = token_create(user=inspector_y, name="theirs")
    client.force_login(inspector_x)
    client.post("/accounts/profile/", {"action": "revoke", "token": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_admin_is_for_the_city_supervisor_only(client, city_supervisor, chief_x):
    client.force_login(city_supervisor)
    assert client.get("/admin/").status_code == 200
    chief_x.is_staff = True
    chief_x.is_superuser = True  # even with every flag, a district chief is not let into the admin
    chief_x.save()
    client.force_login(chief_x)
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    ("persona", "expected", "absent"),
    [
        ("city_supervisor", {"schools", "firms", "import", "admin"}, set()),
        ("chief_x", {"schools", "firms", "import"}, {"admin"}),
        ("inspector_x", {"schools", "firms"}, {"import", "admin"}),
        ("school_admin_a", {"school"}, {"schools", "import", "admin"}),
        ("education_user", {"schools", "firms"}, {"import", "admin"}),
        ("firm_user", {"firm", "schools"}, {"import", "admin"}),
    ],
)
def test_each_role_gets_its_menu(request, client, persona, expected, absent):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.get("/", follow=True)
    keys = {key for key, _label, _url in response.context["menu"]}
    assert expected <= keys
    assert not (absent & keys)
