"""The audit log: what is written (sign-ins, refusals, probing ids, exports and downloads), that writing it
never breaks or follows a failed request, and the city supervisor's page with its filters and export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from qorgau.core import audit
from qorgau.core.context_processors import menu_for
from qorgau.core.models import AuditEntry, ChangeRecord
from qorgau.inspections import photos
from qorgau.tests.factories import InspectionFactory, default_version

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def entries(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(**filters).order_by("id"))


# What is written -------------------------------------------------------------------------------------------


def test_sign_in_failure_and_sign_out_are_logged_with_the_address(client, inspector_x):
    client.post(reverse("accounts:login"), {"username": "inspector_x", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "inspector_x", "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    failed, ok, out = entries()
    assert (failed.action, failed.username, failed.user, failed.ip) == (
        "login_failed",
        "inspector_x",
        None,
        "127.0.0.1",
    )
    assert (ok.action, ok.user, ok.username, ok.path) == (
        "login_ok",
        inspector_x,
        "inspector_x",
        "/accounts/login/",
    )
    assert (out.action, out.user) == ("logout", inspector_x)


def test_a_username_that_does_not_exist_is_kept_as_typed(client, db):
    client.post(reverse("accounts:login"), {"username": "admin' OR 1=1", "password": "x"})
    assert entries(action="login_failed")[0].username == "admin' OR 1=1"


def test_a_refused_page_is_logged_as_denied(client, education_user):
    client.force_login(education_user)
    response = client.get(reverse("registry:school_create"))
    assert response.status_code == 403
    [entry] = entries(action="denied")
    assert (entry.user, entry.status, entry.method, entry.path) == (
        education_user,
        403,
        "GET",
        "/schools/new/",
    )
    assert entry.object == "registry:school_create"


def test_an_id_outside_the_scope_is_logged_as_denied_or_not_found(client, inspector_x, school_b):
    client.force_login(inspector_x)
    assert client.get(reverse("registry:school_detail", args=[school_b.pk])).status_code == 404
    [entry] = entries(action="not_found")
    assert entry.user == inspector_x
    assert entry.object == f"registry:school_detail pk={school_b.pk}"


def test_a_404_without_an_object_or_for_a_visitor_is_not_logged(client, inspector_x, school_b):
    assert client.get(reverse("registry:school_detail", args=[school_b.pk])).status_code == 302
    client.force_login(inspector_x)
    AuditEntry.objects.all().delete()  # force_login's own "signed in" entry
    assert client.get("/no-such-page/").status_code == 404
    assert client.get(reverse("registry:school_list")).status_code == 200
    assert not AuditEntry.objects.exists()


def test_a_missing_csrf_token_is_logged_as_denied(db):
    from django.test import Client

    Client(enforce_csrf_checks=True).post(reverse("accounts:logout"))
    [entry] = entries(action="denied")
    assert entry.user is None and entry.status == 403


def test_an_export_is_logged_with_its_file_name(client, city_supervisor, school_a):
    client.force_login(city_supervisor)
    response = client.get(reverse("registry:school_export", args=["csv"]) + "?q=x")
    b"".join(response.streaming_content)
    [entry] = entries(action="export")
    assert entry.user == city_supervisor
    assert entry.object.startswith("schools-") and entry.object.endswith(".csv")
    assert entry.path == "/schools/export.csv"


@pytest.fixture
def photo(settings, tmp_path, school_a, inspector_x):
    settings.MEDIA_ROOT = tmp_path
    default_version()
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return photos.photo_add(actor=inspector_x, inspection=inspection, data=buffer.getvalue())


def test_a_photo_original_is_logged_and_its_thumbnail_is_not(client, inspector_x, photo):
    client.force_login(inspector_x)
    args = [photo.inspection_id, photo.pk]
    for name in ("inspections:photo_thumb", "inspections:photo_file"):
        response = client.get(reverse(name, args=args))
        b"".join(response.streaming_content)
    [entry] = entries(action="download")
    assert entry.object == f"inspection-{photo.inspection_id}-photo-{photo.pk}.jpg"


@pytest.mark.urls("qorgau.core.tests.audit_urls")
def test_a_refusal_inside_a_rolled_back_transaction_stays_logged(client, inspector_x):
    client.force_login(inspector_x)
    assert client.get("/refused/7/").status_code == 403
    assert not ChangeRecord.objects.filter(object_type="test").exists()  # the view's own write is gone
    [entry] = entries(action="denied")
    assert entry.path == "/refused/7/"


@pytest.mark.urls("qorgau.core.tests.audit_urls")
def test_a_failing_log_never_breaks_the_answer(client, inspector_x, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AuditEntry.objects, "bulk_create", broken)
    client.force_login(inspector_x)
    assert client.get("/refused/7/").status_code == 403
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "could not write the audit log" in caplog.text


def test_prune_deletes_entries_older_than_the_retention(db, settings):
    old = AuditEntry.objects.create(action="logout", at=timezone.now() - dt.timedelta(days=400))
    recent = AuditEntry.objects.create(action="logout", at=timezone.now() - dt.timedelta(days=10))
    call_command("audit-prune", stdout=io.StringIO())
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert audit.prune(days=5) == 1


# The page --------------------------------------------------------------------------------------------------


def _entry(**fields) -> AuditEntry:
    defaults = {"action": "download", "username": "someone", "ip": "10.2.0.1", "method": "GET", "path": "/x/"}
    return AuditEntry.objects.create(**{**defaults, **fields})


@pytest.fixture
def as_city(client, city_supervisor):
    city_supervisor.language = "en"
    city_supervisor.save(update_fields=["language"])
    client.force_login(city_supervisor)
    AuditEntry.objects.all().delete()  # force_login's own "signed in" entry
    return client


def test_the_menu_has_the_audit_log_for_the_city_supervisor_only(city_supervisor, education_user, chief_x):
    assert "audit" in [key for key, _label, _url in menu_for(city_supervisor)]
    for user in (education_user, chief_x):
        assert "audit" not in [key for key, _label, _url in menu_for(user)]


def test_others_are_refused_the_page_and_the_export(client, education_user, chief_x):
    for user in (education_user, chief_x):
        client.force_login(user)
        assert client.get(reverse("core:audit_list")).status_code == 403
        assert client.get(reverse("core:audit_list_export", args=["csv"])).status_code == 403


def test_the_page_filters_by_user_event_address_and_dates(as_city):
    now = timezone.now()
    _entry(username="inspector_alm", action="login_failed", ip="10.2.0.9", at=now - dt.timedelta(days=3))
    _entry(username="chief_alm", action="export", ip="192.168.1.4", at=now)
    _entry(username="inspector_alm", action="download", ip="10.2.0.9", at=now)
    url = reverse("core:audit_list")

    def rows(query: str) -> int:
        response = as_city.get(url + query)
        assert response.status_code == 200
        return len(response.context["page"].object_list)

    assert rows("") == 3
    assert rows("?username=INSPECTOR") == 2
    assert rows("?action=login_failed") == 1
    assert rows("?ip=10.2.") == 2
    today = timezone.localdate(now).isoformat()
    assert rows(f"?date_from={today}&date_to={today}") == 2
    assert (
        rows(f"?username=inspector&date_to={(timezone.localdate(now) - dt.timedelta(days=2)).isoformat()}")
        == 1
    )


def test_a_wrong_date_range_is_explained(as_city):
    response = as_city.get(reverse("core:audit_list") + "?date_from=2026-03-10&date_to=2026-03-01")
    assert "The end date is before the start date." in response.content.decode()
    response = as_city.get(reverse("core:audit_list") + "?ip=<script>")
    assert "Only digits, dots and colons" in response.content.decode()


def test_htmx_gets_the_rows_alone(as_city):
    _entry()
    response = as_city.get(reverse("core:audit_list"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'data-testid="audit-row"' in html and "<html" not in html


@pytest.mark.parametrize("count", [3, 120])
def test_the_page_costs_a_fixed_number_of_queries(as_city, count, django_assert_max_num_queries):
    AuditEntry.objects.bulk_create(
        AuditEntry(action="download", username=f"u{n}", path="/x/") for n in range(count)
    )
    as_city.get(reverse("core:audit_list"))  # warm the session
    # session, user, count, page, unread notifications, and the session's new expiry (3 with its savepoint)
    with django_assert_max_num_queries(8):
        response = as_city.get(reverse("core:audit_list") + "?action=download")
    assert response.context["page"].paginator.count == count


def test_the_export_carries_the_filters(as_city):
    _entry(username="inspector_alm", action="login_failed")
    _entry(username="chief_alm", action="export")
    response = as_city.get(reverse("core:audit_list_export", args=["csv"]) + "?action=login_failed")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "inspector_alm" in body and "chief_alm" not in body
    assert response["Content-Disposition"].startswith('attachment; filename="qorgau-audit-')
    assert as_city.get(reverse("core:audit_list_export", args=["pdf"])).status_code == 404
