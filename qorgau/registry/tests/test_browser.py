"""The registry pages in a real Chromium: editing equipment on a phone, the htmx filter, screenshots."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from qorgau.registry import services
from qorgau.registry.models import Camera, CameraZone, EquipmentStatus
from qorgau.tests.browser_helpers import htmx_loaded, login, shot, static_files_found
from qorgau.tests.factories import GuardContractFactory, SchoolFactory, SecurityFirmFactory

pytestmark = pytest.mark.browser


def test_static_files_are_found():
    """The CSS and htmx must be found by the static-files finders (and so by collectstatic and whitenoise),
    not only thanks to the stopgap in qorgau.tests.browser."""
    assert static_files_found(), "qorgau/static is not in settings.STATICFILES_DIRS"


def test_a_school_admin_adds_a_camera_and_marks_it_faulty_on_a_phone(phone_page, school_admin_a, school_a):
    school_admin_a.first_name, school_admin_a.last_name = "Гульнара", "Ахметова"
    school_admin_a.save()
    page = phone_page
    login(page, school_admin_a)
    expect(page).to_have_url(re.compile(rf"/schools/{school_a.pk}/$"))
    count = page.get_by_test_id("count-cameras")
    expect(count).to_have_text("0/0")

    page.get_by_test_id("add-cameras").click()
    page.fill("#id_location", "Главный вход, снаружи")
    page.select_option("#id_zone", CameraZone.ENTRANCE)
    page.select_option("#id_placement", Camera.Placement.OUTDOOR)
    page.fill("#id_archive_days", "30")
    page.click("main form.form button[type=submit]")

    expect(page).to_have_url(re.compile(rf"/schools/{school_a.pk}/#cameras$"))
    row = page.locator("#cameras tbody tr", has_text="Главный вход, снаружи")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(4)).to_have_text("30")
    expect(count).to_have_text("1/1")

    row.get_by_role("link", name="Главный вход, снаружи").click()
    expect(page.locator("#id_location")).to_have_value("Главный вход, снаружи")
    page.select_option("#id_status", EquipmentStatus.FAULTY)
    page.click("main form.form button[type=submit]")

    expect(page).to_have_url(re.compile(rf"/schools/{school_a.pk}/#cameras$"))
    expect(count).to_have_text("0/1")
    expect(row.locator(".badge")).to_have_class(re.compile(r"\bstatus-faulty\b"))
    entries = page.locator("#history .timeline > li", has_text="Главный вход, снаружи")
    expect(entries).to_have_count(2)  # created, then updated
    for entry in entries.all():
        expect(entry).to_contain_text("Гульнара Ахметова")
    change = entries.filter(has=page.locator(".changes"))
    expect(change).to_have_count(1)
    expect(change.locator(".changes li")).to_have_count(1)  # only the status changed
    assert Camera.objects.get(school=school_a).status == EquipmentStatus.FAULTY


@pytest.fixture
def more_schools(district_x, district_y, firm):
    """Four schools in district X besides school A, so the filters have something to narrow."""
    for n in range(3):
        school = SchoolFactory(district=district_x, name_ru=f"Школа № {10 + n}", pupils=400 + 300 * n)
        GuardContractFactory(school=school, firm=firm)
    SchoolFactory(district=district_x, name_ru="Гимназия № 15")


def test_the_school_list_filters_in_place_with_htmx(page, city_supervisor, school_a, school_b, more_schools):
    login(page, city_supervisor)
    page.goto("/schools/")
    expect(page).to_have_url(re.compile(r"/schools/$"))
    assert htmx_loaded(page)
    count = page.get_by_test_id("school-count")
    expect(count).to_have_text(re.compile(r"^\s*6\b"))
    page.evaluate("window.sameDocument = true")  # gone if the browser loads a new page

    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true") as response:
        page.fill("#id_q", "Лицей")
    assert "q=" in response.value.url

    expect(count).to_have_text(re.compile(r"^\s*1\b"))
    expect(page.locator("#school-table .school-name")).to_have_text([school_b.name_ru])
    expect(page).to_have_url(re.compile(r"/schools/\?.*q=%D0%9B%D0%B8%D1%86%D0%B5%D0%B9"))

    page.fill("#id_q", "")
    expect(count).to_have_text(re.compile(r"^\s*6\b"))
    page.select_option("#id_district", str(school_b.district_id))
    expect(count).to_have_text(re.compile(r"^\s*1\b"))
    expect(page).to_have_url(re.compile(rf"district={school_b.district_id}"))
    assert page.evaluate("window.sameDocument") is True


@pytest.fixture
def showcase(city_supervisor, school_admin_a, school_a, school_b, more_schools, firm):
    """School A with a bit of everything for the screenshots, and a few firms for the firm list."""
    today = date.today()

    def add(actor, equipment, **data):
        return services.equipment_create(actor=actor, school=school_a, kind=equipment, data=data)

    add(school_admin_a, "cameras", location="Центральный вход", zone=CameraZone.ENTRANCE, archive_days=30)
    add(school_admin_a, "cameras", location="Коридор 2 этажа", zone=CameraZone.CORRIDOR, archive_days=14)
    yard = add(
        school_admin_a,
        "cameras",
        location="Спортивная площадка, северный угол",
        zone=CameraZone.SPORTS,
        placement=Camera.Placement.OUTDOOR,
        linked_to_police=True,
        archive_days=30,
    )
    services.equipment_update(
        actor=school_admin_a,
        item=yard,
        kind="cameras",
        data={"status": EquipmentStatus.FAULTY, "notes": "Нет изображения с 12.03"},
    )
    add(
        city_supervisor,
        "panic-buttons",
        location="Пост охраны, 1 этаж",
        contract_no="КТС-2025/114",
        contract_until=today + timedelta(days=200),
        last_checked=today - timedelta(days=3),
    )
    add(city_supervisor, "panic-buttons", location="Кабинет директора", kind="mobile")
    add(city_supervisor, "access-points", location="Центральный вход", has_turnstile=True)
    add(city_supervisor, "guard-posts", location="Пост № 1", firm=firm, hours="24/7", has_radio=True)
    SecurityFirmFactory(name="ТОО «Алатау Күзет»", licence_expiry=today - timedelta(days=10))
    SecurityFirmFactory(name="ТОО «Служба безопасности „Қалқан“ Алматы»")
    return yard


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_screenshots(make_page, viewport, city_supervisor, school_a, showcase):
    page = make_page(viewport)
    width = page.viewport_size["width"]

    page.goto("/accounts/login/")
    expect(page.locator("#id_username")).to_be_visible()
    shot(page, f"login-{width}")

    login(page, city_supervisor)
    page.goto("/schools/")
    expect(page.get_by_test_id("school-count")).to_be_visible()
    shot(page, f"schools-{width}")
    if viewport == "phone":
        page.click(".menu-toggle")
        expect(page.locator('#mainnav [data-menu="admin"]')).to_be_visible()
        shot(page, f"menu-{width}")

    page.goto(f"/schools/{school_a.pk}/")
    expect(page.get_by_test_id("count-cameras")).to_have_text("2/3")
    shot(page, f"passport-{width}")

    page.goto(f"/schools/{school_a.pk}/cameras/{showcase.pk}/edit/")
    expect(page.locator("#id_location")).to_be_visible()
    shot(page, f"equipment-form-{width}")

    page.goto("/firms/")
    expect(page.locator(".school-row")).to_have_count(3)
    shot(page, f"firms-{width}")

    # Nothing may stick out sideways on any of these pages (tables scroll inside their own box).
    for url in ("/schools/", f"/schools/{school_a.pk}/", "/firms/"):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than the {width}px screen"


def test_a_chief_opens_the_faulty_cameras_from_the_dashboard_on_a_phone(phone_page, chief_x, school_a):
    from qorgau.tests.factories import CameraFactory, PanicButtonFactory

    CameraFactory(school=school_a, location="Главный вход")
    CameraFactory(school=school_a, location="Спортзал", status=EquipmentStatus.FAULTY, linked_to_police=False)
    PanicButtonFactory(school=school_a, location="Вахта")
    page = phone_page
    login(page, chief_x)
    page.goto("/dashboard/")
    page.get_by_test_id("fig-cameras-working").click()
    expect(page).to_have_url(re.compile(r"/equipment/\?kind=cameras&status=working$"))
    expect(page.get_by_test_id("equipment-row")).to_have_count(1)
    expect(page.get_by_test_id("equipment-count")).to_have_attribute("data-count", "1")
    assert htmx_loaded(page)
    page.select_option("#id_status", EquipmentStatus.FAULTY)  # the htmx filter swaps the list in place
    expect(page.get_by_test_id("equipment-row")).to_have_text(re.compile("Спортзал"))
    expect(page).to_have_url(re.compile(r"status=faulty"))
    export = page.get_by_test_id("export-csv")
    expect(export).to_have_attribute("href", re.compile(r"kind=cameras.*status=faulty"))
    shot(page, "equipment-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    page.get_by_test_id("equipment-row").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/schools/{school_a.pk}/$"))


def test_the_city_sees_the_equipment_list_on_a_desktop(page, city_supervisor, school_a, school_b):
    from qorgau.tests.factories import PanicButtonFactory

    PanicButtonFactory(school=school_a, location="Кабинет директора")
    PanicButtonFactory(school=school_b, location="Приёмная", signal_to="none")
    login(page, city_supervisor)
    page.goto("/equipment/?kind=panic-buttons")
    expect(page.get_by_test_id("equipment-row")).to_have_count(2)
    page.select_option("#id_link", "no")
    expect(page.get_by_test_id("equipment-row")).to_have_count(1)
    expect(page.get_by_test_id("equipment-row")).to_contain_text(school_b.district.name)
    shot(page, "equipment-desktop")
    # Another kind: the connection filter is swapped with the list, and says what it means for cameras.
    page.select_option("#id_kind", "cameras")
    expect(page.locator("#id_link option:checked")).to_have_text("Не выведена в ЦОУ полиции")
    page.select_option("#id_kind", "access-points")
    expect(page.locator("#id_link")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"kind=access-points"))
