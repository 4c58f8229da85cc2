import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


def test_healthz_says_the_database_answers_without_a_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from qorgau.core import views

    class Broken:
        def __enter__(self):
            raise DatabaseError("down")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views.connection, "cursor", lambda: Broken())
    response = client.get("/healthz")
    assert response.status_code == 503


def test_serve_refuses_to_run_with_debug_on(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError):
        call_command("serve", "--print")


def test_serve_runs_gunicorn_on_the_wsgi_application(settings, capsys):
    settings.DEBUG = False
    call_command("serve", "--print", "--bind", "0.0.0.0:8080", "--workers", "2")
    command = capsys.readouterr().out
    assert "qorgau.wsgi:application" in command
    assert "--bind 0.0.0.0:8080" in command and "--workers 2" in command
