"""What to inspect next in Chromium: the chief opens the ranking and plans a campaign from its top 5."""

import re

import pytest
from playwright.sync_api import expect

from qorgau.inspections.models import Campaign
from qorgau.oversight import risk
from qorgau.oversight.tests.test_risk import clean_school, inspected, overdue_items
from qorgau.registry.models import EquipmentStatus, School
from qorgau.tests.browser_helpers import login, shot
from qorgau.tests.factories import CameraFactory, SchoolFactory, default_version

pytestmark = pytest.mark.browser


@pytest.fixture
def ranked_district(district_x, chief_x, inspector_x, school_b):
    default_version()  # the browser tests' flushed database has lost the migration's checklist
    inspector_x.first_name, inspector_x.last_name = "Ержан", "Сапаров"
    inspector_x.save()
    for n in range(7):
        school = clean_school(
            district_x, name=f"Школа-гимназия № {n + 10} имени Абая", pupils=300 + 150 * n,
            inspected_days_ago=30 + 60 * n,
        )  # fmt: skip
        overdue_items(school, n % 3, drafted_by=chief_x)
        if n == 4:
            CameraFactory(school=school, status=EquipmentStatus.FAULTY)
    never = SchoolFactory(district=district_x, name_ru="Лицей № 77 (никогда не проверялся)")
    inspected(clean_school(district_x, name="Школа № 5", inspected_days_ago=None), days_ago=500, gross=3)
    return never


def test_the_chief_plans_a_campaign_from_the_top_five(make_page, ranked_district, chief_x, school_b):
    page = make_page("desktop")
    login(page, chief_x)
    page.locator('#mainnav [data-menu="risk"]').click()
    expect(page).to_have_url(re.compile(r"/planning/next/$"))
    rows = page.get_by_test_id("risk-row")
    expect(rows).to_have_count(9)
    expect(rows.first).to_contain_text(ranked_district.name_ru)  # never inspected, no equipment, no contract
    expect(rows.first.locator(".chip.bad")).to_have_count(4)
    expect(page.locator("main")).not_to_contain_text(school_b.name_ru)
    expect(page.get_by_test_id("export-xlsx")).to_be_visible()
    shot(page, "risk-list-1280")

    top5 = risk.top_school_ids(user=chief_x, n=5)
    page.get_by_test_id("plan-box").locator("summary").click()
    page.fill("#id_n", "5")
    page.fill("#id_name", "Весна по риску")
    page.select_option("#id_inspector", label="Ержан Сапаров")
    shot(page, "risk-plan-open-1280")
    page.get_by_test_id("plan-submit").click()

    expect(page).to_have_url(re.compile(r"/campaigns/\d+/$"))
    expect(page.locator(".msg-success")).to_contain_text("5")
    expect(page.get_by_test_id("campaign-rows").locator("tbody tr")).to_have_count(5)
    campaign = Campaign.objects.get(name="Весна по риску")
    assert sorted(campaign.inspections.values_list("school_id", flat=True)) == sorted(top5)
    # Planned now: the next plan from the top would take the five after them, and the list says so.
    assert not set(risk.top_school_ids(user=chief_x, n=5)) & set(top5)
    page.goto("/planning/next/")
    expect(page.get_by_test_id("in-hand")).to_have_count(5)
    shot(page, "risk-list-planned-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    chip = page.get_by_test_id("in-hand").first
    assert chip.bounding_box()["x"] + chip.bounding_box()["width"] <= 390  # the chip wraps, never overflows
    shot(page, "risk-list-planned-390")
    assert set(campaign.inspections.values_list("inspector__last_name", flat=True)) == {"Сапаров"}


def test_the_ranking_on_a_phone(make_page, ranked_district, inspector_x, chief_x):
    page = make_page("phone")
    login(page, inspector_x)
    page.goto("/planning/next/")
    expect(page.get_by_test_id("risk-row")).to_have_count(9)
    expect(page.get_by_test_id("plan-box")).to_have_count(0)  # an inspector reads, the chief plans
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "risk-list-390")

    # A school falls behind after the facts were gathered: the ranking shows it once brought up to date.
    expect(page.get_by_test_id("risk-as-of")).not_to_be_empty()
    last = page.get_by_test_id("risk-row").last
    name = last.locator(".school-name").inner_text()
    overdue_items(School.objects.get(name_ru=name), 12, drafted_by=chief_x)
    page.get_by_test_id("risk-refresh").get_by_role("button").click()
    expect(page.locator(".msg-success")).to_contain_text("9")  # the district's nine schools
    expect(page.get_by_test_id("risk-row").first).to_contain_text(name)
    shot(page, "risk-list-refreshed-390")

    chief = make_page("phone")
    login(chief, chief_x)
    chief.goto("/planning/next/")
    chief.get_by_test_id("plan-box").locator("summary").click()
    chief.fill("#id_n", "0")
    chief.get_by_test_id("plan-submit").click()
    # The form comes back on its own page, naming the field.
    expect(chief).to_have_url(re.compile(r"/planning/next/campaign/"))
    expect(chief.locator(".field.has-error #id_n")).to_have_count(1)
    assert chief.evaluate("document.documentElement.scrollWidth") <= 390
    shot(chief, "risk-plan-errors-390")
