"""In a real Chromium: the Content-Security-Policy holds on pages that use htmx (search, autosave, photo
upload) with not one violation; the city supervisor reads and filters the audit log; screenshots."""

import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from qorgau.core.models import AuditEntry
from qorgau.tests.browser_helpers import SCREENSHOTS, login, shot
from qorgau.tests.factories import InspectionFactory, SchoolFactory, default_version

pytestmark = pytest.mark.browser

CSP_WORDS = re.compile(r"Content Security Policy|Refused to (execute|apply|load|evaluate)", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def watch_csp(page: Page) -> list[str]:
    """Every CSP violation the page reports: in the console, and as securitypolicyviolation events."""
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if CSP_WORDS.search(m.text) else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    # The live server's first answer can take long on a busy machine (it loads the URL conf and its views).
    page.goto("/accounts/login/", timeout=60_000)
    return violations


def test_the_school_search_runs_under_the_policy_without_violations(
    make_page, city_supervisor, school_a, school_b
):
    SchoolFactory(district=school_a.district, name_ru="Гимназия Жамбыла")
    page = make_page("desktop")
    violations = watch_csp(page)
    login(page, city_supervisor)
    response = page.goto("/schools/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#id_q", "Жамбыл")
    expect(page.locator("#school-table")).to_contain_text("Гимназия Жамбыла")
    expect(page.locator("#school-table")).not_to_contain_text(school_b.name)
    assert "q=" in page.url  # hx-push-url worked: htmx ran
    # htmx added no <style> of its own (the indicator rules come from qorgau.css).
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert violations == []


def test_the_inspection_form_autosaves_and_uploads_under_the_policy(make_page, inspector_x, school_a):
    default_version()
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    page = make_page("phone")
    violations = watch_csp(page)
    login(page, inspector_x)
    page.goto(f"/inspections/{inspection.pk}/conduct/")
    card = page.locator(".cf-step:visible .cf-item").first
    card.locator(".cf-opt.opt-yes").click()
    expect(page.locator("#conduct")).to_have_attribute("data-pending", "0")
    expect(card.locator("[data-testid=result] .badge.result-pass")).to_be_visible()
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "navy").save(buffer, "JPEG")
    card.get_by_test_id("photo-input").set_input_files(
        {"name": "p.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}
    )
    expect(card.locator(".cf-thumbs img")).to_have_count(1)
    assert inspection.answers.count() == 1 and inspection.photos.count() == 1
    assert violations == []


def test_the_city_supervisor_reads_and_filters_the_audit_log(
    make_page, city_supervisor, inspector_x, school_b
):
    # Something to find: an inspector probing another district's school, and a failed sign-in.
    now = timezone.now()
    probe = f"registry:school_detail pk={school_b.pk}"
    AuditEntry.objects.create(
        action="not_found", user=inspector_x, username="inspector_x", ip="10.2.0.17", method="GET",
        path=f"/schools/{school_b.pk}/", status=404, object=probe, at=now,
    )  # fmt: skip
    AuditEntry.objects.create(
        action="login_failed", username="admin", ip="203.0.113.9", method="POST", path="/accounts/login/",
        status=200, at=now,
    )  # fmt: skip
    for width, viewport in (("1280", "desktop"), ("390", "phone")):
        page = make_page(viewport)
        violations = watch_csp(page)
        login(page, city_supervisor)
        page.locator('#mainnav a[data-menu="audit"]').click() if viewport == "desktop" else page.goto(
            "/audit/"
        )
        expect(page.get_by_test_id("audit-row").first).to_be_visible()
        shot(page, f"audit-{width}")
        page.select_option("#id_action", "not_found")
        expect(page.get_by_test_id("audit-row")).to_have_count(1)
        expect(page.get_by_test_id("audit-row")).to_contain_text("inspector_x")
        assert "action=not_found" in page.url
        page.fill("#id_ip", "203.0.")
        expect(page.get_by_test_id("audit-row")).to_have_count(0)
        page.select_option("#id_action", "")
        expect(page.get_by_test_id("audit-row")).to_have_count(1)
        expect(page.get_by_test_id("audit-row")).to_contain_text("admin")
        shot(page, f"audit-filtered-{width}")
        with page.expect_download() as download:
            page.get_by_test_id("export-csv").click()
        assert download.value.suggested_filename.startswith("qorgau-audit-")
        assert violations == []
    assert SCREENSHOTS.exists()
