"""A parent on a phone finds a school, reports a concern, keeps the reference and checks the status; an
inspector at a desk triages it. Screenshots of every public page at phone and desktop width."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qorgau.inspections.models import Inspection
from qorgau.public.models import Concern
from qorgau.tests.browser_helpers import login, shot
from qorgau.tests.factories import InspectionFactory, SchoolFactory

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _warm_server(live_server):
    # The live server's first answer imports the URL conf and compiles templates; on a busy machine that
    # alone can outlast the browser's timeout, so it is paid here, outside the browser.
    import urllib.request

    urllib.request.urlopen(live_server.url + "/public/", timeout=120).read()


@pytest.fixture
def schools(school_a, district_x):
    # Several schools whose names share a word, so the search has something to tell apart.
    for n in range(2, 5):
        SchoolFactory(
            district=district_x, name_ru=f"Школа-гимназия № {n}", name_kk=f"№ {n} мектеп-гимназиясы"
        )
    InspectionFactory(school=school_a, status=Inspection.Status.APPROVED, approved_at=timezone.now())
    return school_a


def test_a_parent_reports_a_concern_and_an_inspector_triages_it(make_page, schools, inspector_x):
    school = schools
    page = make_page("phone")
    page.goto("/public/")
    shot(page, "public-home-phone")
    page.fill("#id_q", "ШКОЛА-гимназия № 1")
    page.get_by_test_id("search").click()
    expect(page.get_by_test_id("school-result")).to_have_count(1)
    shot(page, "public-search-phone")
    page.get_by_test_id("school-result").get_by_role("link").click()
    expect(page.get_by_test_id("school-name")).to_have_text(school.name_ru)
    expect(page.get_by_test_id("inspected")).to_have_class(re.compile(r"\bfact-ok\b"))
    shot(page, "public-school-phone")

    page.get_by_test_id("report-concern").click()
    page.get_by_test_id("send").click()  # empty: each field says what is missing
    expect(page.locator(".field.has-error")).to_have_count(3)
    expect(page.locator("#id_website")).not_to_be_in_viewport()  # the honeypot stays out of sight
    page.fill("#id_what", "Калитка со стороны стадиона открыта во время уроков")
    page.fill("#id_where", "Калитка у стадиона")
    page.fill("#id_when", "Каждое утро")
    page.fill("#id_contact", "+7 701 555 12 34")
    shot(page, "public-concern-form-phone")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("received")).to_be_visible()
    reference = page.get_by_test_id("reference").inner_text().strip()
    assert re.fullmatch(r"Q-[2-9A-Z]{4}-[2-9A-Z]{4}", reference)
    shot(page, "public-concern-received-phone")

    # Later, from the menu of public pages: the status by the reference, typed in lower case.
    page.get_by_test_id("nav-status").click()
    page.fill("#id_ref", reference.lower())
    page.get_by_test_id("check").click()
    expect(page.get_by_test_id("status-box")).to_be_visible()
    expect(page.locator(".status-steps li.current")).to_have_count(1)
    expect(page.locator(".status-steps li").first).to_have_class(re.compile(r"\bcurrent\b"))
    expect(page.locator("main")).not_to_contain_text("Калитка")
    shot(page, "public-concern-status-phone")

    # The inspector of the district finds it in the queue and starts an unplanned inspection.
    desk = make_page("desktop")
    login(desk, inspector_x)
    desk.locator('#mainnav [data-menu="concerns"]').click()
    expect(desk.get_by_test_id("concern-row")).to_have_count(1)
    expect(desk.get_by_test_id("new-count")).to_be_visible()
    shot(desk, "concerns-list-desktop")
    desk.get_by_test_id("concern-row").get_by_role("link").click()
    expect(desk.get_by_test_id("contact")).to_have_text("+7 701 555 12 34")
    desk.get_by_test_id("open-dismiss").click()
    desk.get_by_test_id("submit-dismiss").click()  # no reason: refused on the field
    expect(desk.locator("#id_dismiss_reason")).to_be_visible()
    expect(desk.locator(".field.has-error")).to_have_count(1)
    shot(desk, "concern-detail-desktop")
    desk.get_by_test_id("open-inspect").click()
    desk.get_by_test_id("submit-inspect").click()
    expect(desk).to_have_url(re.compile(r"/inspections/\d+/$"))
    concern = Concern.objects.get(reference=reference)
    assert concern.status == "in_work" and concern.inspection.kind == "adhoc"

    # The parent sees "in work", and still nothing else.
    page.reload()
    expect(page.locator(".status-steps li").nth(1)).to_have_class(re.compile(r"\bcurrent\b"))


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_public_and_police_pages_fit_the_screen(make_page, schools, inspector_x, viewport):
    from qorgau.public import services

    concern = services.concern_report(
        school=schools, what="Во дворе не горит освещение после второй смены, темно", where="Школьный двор",
        when="Всю неделю после 18:00", contact="mama@example.kz", ip=None,
    )  # fmt: skip
    services.concern_note(actor=inspector_x, concern=concern, comment="Позвонил заместителю директора")
    page = make_page(viewport)
    urls = {
        "public-home": "/public/?q=гимназия",
        "public-school": f"/public/schools/{schools.bin}/",
        "public-concern-form": f"/public/schools/{schools.bin}/concern/",
        "public-concern-status": f"/public/concerns/status/?ref={concern.reference}",
    }
    for name, url in urls.items():
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name
        shot(page, f"{name}-{viewport}")
    login(page, inspector_x)
    for name, url in {"concerns-list": "/concerns/", "concern-detail": f"/concerns/{concern.pk}/"}.items():
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name
        shot(page, f"{name}-{viewport}")
