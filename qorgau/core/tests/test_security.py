"""Secure defaults: the Content-Security-Policy on every page and no inline code for it to block, file answers
that cannot be sniffed into HTML, CSRF on htmx requests, cookies, and sessions that end after inactivity."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qorgau.core.middleware import CONTENT_SECURITY_POLICY
from qorgau.inspections.tests.test_services import passing_raw
from qorgau.tests.factories import InspectionFactory, default_version

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[3]
# Templates rendered only into PDF documents by WeasyPrint, never sent to a browser: a print layout needs
# its own <style>, and no Content-Security-Policy applies to a PDF.
PDF_ONLY_TEMPLATES = "templates/documents/"

# A <script type="application/json"> is data that no browser runs; the policy leaves it alone.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=|\shx-on[:\-=]|javascript:", re.IGNORECASE)


def _templates() -> list[Path]:
    files = sorted((REPO / "qorgau").glob("**/templates/**/*.html"))
    return [path for path in files if PDF_ONLY_TEMPLATES not in path.as_posix()]


TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)


def _inline_code(text: str) -> list[str]:
    text = TEMPLATE_COMMENT.sub("", text)
    found = []
    for name, pattern in (("inline <script>", INLINE_SCRIPT), ("inline style", INLINE_STYLE)):
        found += [f"{name}: {m.group(0).strip()}" for m in pattern.finditer(text)]
    found += [f"inline handler: {m.group(0).strip()}" for m in INLINE_HANDLER.finditer(text)]
    return found


def test_no_template_has_inline_scripts_styles_or_handlers():
    templates = _templates()
    assert len(templates) > 30
    problems = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        problems += [f"{path.relative_to(REPO)}: {found}" for found in _inline_code(text)]
    assert not problems, "The Content-Security-Policy would block these:\n" + "\n".join(problems)


def test_the_static_check_finds_what_it_looks_for():
    assert _inline_code('<script>alert(1)</script><p style="color:red" onclick="x()"><a href="javascript:x">')
    assert _inline_code("<style>p {}</style>")
    assert _inline_code('<button hx-on:click="x()">')
    assert not _inline_code('<script src="/static/qorgau/qorgau.js" defer></script><p class="x" data-on="1">')


def test_the_policy_allows_no_inline_code_and_no_framing():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_htmx_is_told_to_add_no_styles_and_evaluate_nothing(client, inspector_x):
    client.force_login(inspector_x)
    html = client.get(reverse("registry:school_list")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1)
    assert '"includeIndicatorStyles": false' in config
    assert '"allowEval": false' in config
    assert "style" not in config.split("attributesToSettle")[1]
    css = (REPO / "qorgau/static/qorgau/qorgau.css").read_text(encoding="utf-8")
    assert ".htmx-request .htmx-indicator" in css


# CSRF -------------------------------------------------------------------------------------------------------


@pytest.fixture
def conducting(school_a, inspector_x):
    default_version()
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    item = inspection.template_version.items.order_by("id").first()
    return inspection, item


def test_an_htmx_post_without_the_csrf_token_is_refused(conducting, inspector_x):
    inspection, item = conducting
    client = Client(enforce_csrf_checks=True)
    client.force_login(inspector_x)
    url = reverse("inspections:answer_save", args=[inspection.pk, item.pk])
    response = client.post(url, {**passing_raw(item), "version": 0}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert not inspection.answers.exists()


def test_an_htmx_post_with_the_token_from_the_page_header_is_accepted(conducting, inspector_x):
    inspection, item = conducting
    client = Client(enforce_csrf_checks=True)
    client.force_login(inspector_x)
    page = client.get(reverse("inspections:conduct", args=[inspection.pk])).content.decode()
    # base.html hands htmx the token in hx-headers: every htmx request from the page carries it.
    token = re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page).group(1)
    url = reverse("inspections:answer_save", args=[inspection.pk, item.pk])
    response = client.post(
        url, {**passing_raw(item), "version": 0}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
    assert inspection.answers.filter(item=item).exists()


def test_a_cross_site_sign_out_is_refused():
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("accounts:logout")).status_code == 403


# Cookies and sessions -------------------------------------------------------------------------------------


def test_cookies_are_http_only_and_same_site(client, inspector_x):
    from qorgau.tests.browser_helpers import PASSWORD

    client.get(reverse("accounts:login"))
    response = client.post(
        reverse("accounts:login"), {"username": inspector_x.username, "password": PASSWORD}
    )
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert int(session["max-age"]) == 8 * 60 * 60
    csrf = client.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"


def test_production_settings_mark_cookies_secure(monkeypatch):
    import importlib

    import qorgau.settings as project_settings

    monkeypatch.setenv("QORGAU_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-this-test-only-0123456789")
    monkeypatch.setenv("ALLOWED_HOSTS", "qorgau.example.kz")
    monkeypatch.delenv("DEBUG", raising=False)
    try:
        production = importlib.reload(project_settings)
        assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
        assert production.SESSION_COOKIE_HTTPONLY and production.CSRF_COOKIE_HTTPONLY
        assert production.SECURE_SSL_REDIRECT and production.SECURE_HSTS_SECONDS > 0
    finally:
        monkeypatch.undo()
        importlib.reload(project_settings)


def test_a_session_ends_after_the_inactivity_limit(client, inspector_x, settings):
    client.force_login(inspector_x)
    assert client.get(reverse("registry:school_list")).status_code == 200
    key = client.cookies["sessionid"].value
    # Eight hours and a minute without a request: the stored session has expired.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(minutes=1))
    response = client.get(reverse("registry:school_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_request_moves_the_session_expiry_on(client, inspector_x):
    client.force_login(inspector_x)
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    client.get(reverse("registry:school_list"))
    expiry = Session.objects.get(session_key=key).expire_date
    assert expiry > timezone.now() + timedelta(hours=7, minutes=59)


def test_the_session_is_saved_again_only_after_the_refresh_interval(client, inspector_x, settings):
    settings.SESSION_REFRESH_SECONDS = 300
    client.force_login(inspector_x)
    key = client.cookies["sessionid"].value
    client.get(reverse("registry:school_list"))  # saves the session with the time of this save
    soon = timezone.now() + timedelta(hours=1)
    Session.objects.filter(session_key=key).update(expire_date=soon)
    client.get(reverse("registry:school_list"))  # within the interval: no write
    assert Session.objects.get(session_key=key).expire_date == soon
    # Six minutes later (the saved time moved back): the next request saves it and moves the expiry on.
    session = client.session
    session["_refreshed"] -= 360
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=soon)
    client.get(reverse("registry:school_list"))
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + timedelta(hours=7, minutes=59)


def test_a_stale_session_cookie_brings_no_new_session(client):
    client.cookies["sessionid"] = "ended0000000000000000000000000000"
    assert client.get(reverse("accounts:login")).status_code == 200
    assert not Session.objects.exists()
