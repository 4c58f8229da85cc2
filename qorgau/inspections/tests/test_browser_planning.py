"""Planning in a real Chromium: a campaign from the city, assignment by the district chief on a phone, the
inspector's list, and the chief's review of submitted results."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qorgau.inspections import services
from qorgau.inspections.models import Inspection
from qorgau.inspections.tests.test_services import passing_raw
from qorgau.registry.models import District
from qorgau.tests.browser_helpers import login, shot
from qorgau.tests.factories import DistrictFactory, InspectionFactory, SchoolFactory, default_version

pytestmark = pytest.mark.browser


def named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save()
    return user


@pytest.fixture
def people(city_supervisor, chief_x, inspector_x, district_y):
    default_version()  # the browser tests' flushed database has lost the migration's checklist
    named(chief_x, "Серик", "Абенов")
    named(inspector_x, "Ержан", "Сапаров")
    return city_supervisor, chief_x, inspector_x


def test_a_campaign_goes_from_the_city_to_the_chief_to_the_inspector(
    make_page, people, school_a, district_x, district_y, school_b
):
    city_supervisor, chief_x, inspector_x = people
    SchoolFactory(district=district_x, name_ru="Гимназия № 12")
    today = timezone.localdate()

    # The city supervisor creates a campaign over district X on a desktop.
    page = make_page("desktop")
    login(page, city_supervisor)
    page.locator('#mainnav [data-menu="campaigns"]').click()
    page.get_by_test_id("new-campaign").click()
    page.fill("#id_name", "Весна-2026")
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + dt.timedelta(days=30)).isoformat())
    page.get_by_label("Район Икс").check()
    expect(page.locator("#id_template_version option:checked")).to_have_count(1)
    page.click("main form.form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/campaigns/\d+/$"))
    expect(page.locator(".msg-success")).to_contain_text("2")
    expect(page.get_by_test_id("campaign-rows").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("campaign-rows")).not_to_contain_text(school_b.name_ru)

    # The district chief assigns inspector X to school A with a date, on a phone.
    phone = make_page("phone")
    login(phone, chief_x)
    phone.locator(".menu-toggle").click()
    phone.locator('#mainnav [data-menu="campaigns"]').click()
    phone.get_by_role("link", name="Весна-2026").click()
    row = phone.locator("tr", has_text=school_a.name_ru)
    row.locator('input[name="inspections"]').check()
    phone.select_option("#id_inspector", label="Ержан Сапаров")
    phone.fill("#id_planned_on", today.isoformat())
    phone.get_by_test_id("assign").click()
    expect(phone.locator(".msg-success")).to_contain_text("Ержан Сапаров")
    expect(row).to_contain_text("Ержан Сапаров")
    expect(row).to_contain_text(today.strftime("%d.%m.%Y"))
    other = phone.locator("tr", has_text="Гимназия № 12")
    expect(other.locator(".chip.warn")).to_have_count(1)  # still not assigned

    # The inspector finds it in "My inspections", under today, with a link to conduct it.
    mine = make_page("phone")
    login(mine, inspector_x)
    mine.goto("/inspections/")
    rows = mine.get_by_test_id("inspection-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(school_a.name_ru)
    expect(rows.first.get_by_role("link", name=re.compile("Conduct|Провести|Жүргізу"))).to_be_visible()
    inspection = Inspection.objects.get(school=school_a)
    expect(rows.first.locator(f'a[href="/inspections/{inspection.pk}/"]')).to_be_visible()


@pytest.fixture
def reviewed_world(people, school_a, district_x):
    """A campaign with a few schools in every state, and school A's results submitted with two violations."""
    city_supervisor, chief_x, inspector_x = people
    for n in range(4):
        SchoolFactory(district=district_x, name_ru=f"Школа-лицей № {20 + n} имени Абая")
    today = timezone.localdate()
    campaign = services.campaign_create(
        actor=city_supervisor, name="Весна-2026", starts_on=today - dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=25), districts=[district_x], template_version=default_version(),
    )  # fmt: skip
    rows = list(campaign.inspections.order_by("school__name_ru"))
    services.inspections_assign(actor=chief_x, inspections=rows[:3], inspector=inspector_x, planned_on=today)
    submitted = campaign.inspections.get(school=school_a)
    for item in services.applicable_items(submitted):
        raw = {"value": "no"} if item.code in ("AC-1", "PE-2") else passing_raw(item)
        services.answer_save(actor=inspector_x, inspection=submitted, item=item, raw=raw, base_version=0)
    services.inspection_submit(actor=inspector_x, inspection=submitted)
    InspectionFactory(
        school=school_a, inspector=inspector_x, planned_on=today - dt.timedelta(days=2), reason="Жалоба"
    )
    return campaign, submitted


def test_the_chief_reviews_and_approves_on_a_phone(phone_page, people, reviewed_world):
    _city, chief_x, _inspector = people
    campaign, submitted = reviewed_world
    page = phone_page
    login(page, chief_x)
    page.goto(f"/campaigns/{campaign.pk}/")
    shot(page, "planning-campaign-detail-390")
    page.goto(f"/inspections/{submitted.pk}/")
    expect(page.get_by_test_id("status")).to_have_class(re.compile(r"\binsp-submitted\b"))
    shot(page, "planning-inspection-detail-390")

    # Returning needs a comment: the browser sends an empty one (novalidate) and the page says why.
    page.get_by_test_id("return").click()
    expect(page.locator("#return .field-error")).to_be_visible()
    page.fill("#review form.review-form >> nth=0 >> textarea", "Проверено, замечания верны")
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("status")).to_have_class(re.compile(r"\binsp-approved\b"))
    submitted.refresh_from_db()
    expect(page.get_by_test_id("act-number")).to_contain_text(submitted.act_number)
    expect(page.get_by_test_id("act-ru")).to_be_visible()
    expect(page.locator("#history")).to_contain_text("Проверено, замечания верны")
    shot(page, "planning-inspection-detail-approved-390")


def test_screenshots_of_the_planning_pages_on_a_desktop(make_page, people, reviewed_world, district_x):
    city_supervisor, chief_x, inspector_x = people
    campaign, submitted = reviewed_world
    page = make_page("desktop")
    login(page, chief_x)
    page.goto(f"/campaigns/{campaign.pk}/")
    shot(page, "planning-campaign-detail-1280")
    page.goto("/inspections/")
    shot(page, "planning-inspection-list-chief-1280")
    page.goto(f"/inspections/{submitted.pk}/")
    shot(page, "planning-inspection-detail-1280")

    # The city's eight districts (the migration's, unless an earlier browser test flushed them).
    names = ("Алатауский", "Алмалинский", "Ауэзовский", "Бостандыкский", "Наурызбайский", "Турксибский")
    for name in names[: max(0, 8 - District.objects.count())]:
        DistrictFactory(code=name[:4].upper(), name_ru=f"{name} район", name_kk=name)
    city = make_page("desktop")
    login(city, city_supervisor)
    city.goto(f"/campaigns/{campaign.pk}/")
    expect(city.get_by_test_id("district-counts")).to_be_visible()
    shot(city, "planning-campaign-detail-city-1280")
    expect(city.get_by_test_id("assign")).to_have_count(0)  # inspectors are chosen within a district
    city.select_option("#id_district", label=district_x.name_ru)
    expect(city).to_have_url(re.compile(rf"[?&]district={district_x.pk}$"))
    expect(city.get_by_test_id("assign")).to_be_visible()
    city.goto("/campaigns/")
    shot(city, "planning-campaign-list-1280")
    city.goto("/campaigns/new/")
    shot(city, "planning-campaign-form-1280")

    for viewport, width in (("phone", 390), ("desktop", 1280)):
        mine = make_page(viewport)
        login(mine, inspector_x)
        mine.goto("/inspections/")
        expect(mine.locator(".group-title")).to_have_count(3)  # overdue, today, awaiting approval
        shot(mine, f"planning-inspection-list-{width}")
        mine.goto(f"/schools/{submitted.school_id}/")
        expect(mine.locator("#inspections tbody tr")).to_have_count(2)
        expect(mine.get_by_test_id("new-inspection")).to_be_visible()
        shot(mine, f"planning-passport-inspections-{width}")

    phone = make_page("phone")
    login(phone, city_supervisor)
    phone.goto("/campaigns/new/")
    expect(phone.locator('input[name="districts"]')).to_have_count(District.objects.count())
    assert District.objects.count() >= 8
    shot(phone, "planning-campaign-form-390")
    phone.goto("/campaigns/")
    shot(phone, "planning-campaign-list-390")
