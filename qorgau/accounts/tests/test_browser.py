"""Signing in, the menu each role gets and the language switch, in a real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from qorgau.tests.browser_helpers import htmx_loaded, login

pytestmark = pytest.mark.browser

POLICE_OVERSIGHT = {"dashboard", "risk", "concerns"}
MENU = {
    "city_supervisor": {
        "schools", "firms", "checklists", "inspections", "campaigns", "orders", "import", "admin", "audit",
        "budget", *POLICE_OVERSIGHT,
    },
    "chief_x": {
        "schools", "firms", "checklists", "inspections", "campaigns", "orders", "overdue", "import", "budget",
        *POLICE_OVERSIGHT,
    },
    "inspector_x": {"schools", "firms", "checklists", "inspections", "orders", "verify", *POLICE_OVERSIGHT},
    "school_admin_a": {"school", "to_fix"},
    "education_user": {
        "dashboard", "schools", "firms", "checklists", "inspections", "campaigns", "orders", "budget",
    },
    "firm_user": {"firm", "schools"},
}  # fmt: skip
HOME = {
    "city_supervisor": r"/dashboard/$",
    "education_user": r"/dashboard/$",
    "chief_x": r"/dashboard/$",
    "inspector_x": r"/inspections/$",
    "firm_user": r"/firms/\d+/$",
}


def menu_keys(page) -> set[str]:
    keys = page.locator("#mainnav [data-menu]").evaluate_all("links => links.map(a => a.dataset.menu)")
    return set(keys) - {"profile"}


@pytest.mark.parametrize("persona", list(MENU))
def test_each_role_signs_in_and_gets_its_menu(request, page, school_a, persona):
    user = request.getfixturevalue(persona)

    login(page, user)

    if persona == "school_admin_a":  # goes straight to the own school's passport
        expect(page).to_have_url(re.compile(rf"/schools/{school_a.pk}/$"))
        expect(page.locator('[data-menu="school"]')).to_have_attribute("href", f"/schools/{school_a.pk}/")
    else:
        expect(page).to_have_url(re.compile(HOME[persona]))
    for key in MENU[persona]:
        expect(page.locator(f'#mainnav [data-menu="{key}"]')).to_be_visible()
    assert menu_keys(page) == MENU[persona]
    expect(page.locator('#mainnav [data-menu="profile"]')).to_have_text(user.display_name)
    assert htmx_loaded(page)


def test_a_wrong_password_keeps_the_user_out(page, inspector_x):
    page.goto("/accounts/login/")
    page.fill("#id_username", inspector_x.username)
    page.fill("#id_password", "not-the-password")
    page.click("main form button[type=submit]")

    expect(page.locator(".errors[role=alert]")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("#mainnav")).to_have_count(0)


def test_on_a_phone_the_menu_opens_from_the_toggle(phone_page, chief_x):
    page = phone_page
    login(page, chief_x)
    toggle = page.locator(".menu-toggle")
    schools = page.locator('#mainnav [data-menu="schools"]')

    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(schools).to_be_hidden()

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    for key in MENU["chief_x"]:
        expect(page.locator(f'#mainnav [data-menu="{key}"]')).to_be_visible()

    schools.click()
    expect(page).to_have_url(re.compile(r"/schools/$"))
    expect(page.locator("h1")).to_be_visible()


def test_the_kk_button_switches_the_page_to_kazakh(page, city_supervisor):
    login(page, city_supervisor)
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    page.click(".langs button[value=kk]")

    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator(".langs button[value=kk]")).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))  # back on the page the switch was made from
    page.reload()  # the choice is kept with the account
    expect(page.locator("html")).to_have_attribute("lang", "kk")


def test_in_kazakh_the_menu_is_translated(page, city_supervisor):
    login(page, city_supervisor)

    page.click(".langs button[value=kk]")

    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator('#mainnav [data-menu="schools"]')).to_have_text("Мектептер")
