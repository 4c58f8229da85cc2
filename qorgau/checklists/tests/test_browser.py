"""Checklist versions in a real Chromium: draft, edit, publish; the pages at phone and desktop width."""

import re

import pytest
from playwright.sync_api import Page, expect

from qorgau.checklists import services
from qorgau.checklists.models import TemplateVersion
from qorgau.tests.browser_helpers import login, shot
from qorgau.tests.factories import default_version

pytestmark = pytest.mark.browser

NEW_TEXT = "Контрольное нажатие КТС: сигнал принят пультом, время прибытия наряда записано в акт"


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_the_city_supervisor_drafts_edits_and_publishes_a_new_version(page, city_supervisor):
    v1 = default_version()
    page.on("dialog", lambda dialog: dialog.accept())  # "Publish version 2? It cannot be changed afterwards."
    login(page, city_supervisor)

    page.locator('#mainnav [data-menu="checklists"]').click()
    expect(page).to_have_url(re.compile(r"/checklists/$"))
    page.get_by_test_id("template-atz-edu").locator("form button[type=submit]").click()

    draft = TemplateVersion.objects.get(template=v1.template, status="draft")
    expect(page).to_have_url(re.compile(rf"/checklists/versions/{draft.pk}/$"))
    expect(page.get_by_test_id("version-status")).to_have_class(re.compile(r"\bversion-draft\b"))
    expect(page.locator(".item-card")).to_have_count(31)

    page.get_by_test_id("item-PA-3").locator(".item-edit").click()
    expect(page.locator("#id_code")).to_have_value("PA-3")
    page.wait_for_load_state()
    shot(page, "checklists-item-form-desktop")
    page.fill("#id_text_ru", NEW_TEXT)
    page.click("main form.item-form button[type=submit]")

    item = draft.items.get(code="PA-3")
    expect(page).to_have_url(re.compile(rf"/checklists/versions/{draft.pk}/#item-{item.pk}$"))
    expect(page.get_by_test_id("item-PA-3").get_by_test_id("item-text")).to_have_text(NEW_TEXT)

    page.fill("#id_notes", "PA-3: уточнена формулировка контрольного нажатия")
    page.get_by_test_id("publish").click()

    expect(page.get_by_test_id("version-status")).to_have_class(re.compile(r"\bversion-published\b"))
    expect(page.locator(".item-edit")).to_have_count(0)
    expect(page.locator(".facts")).to_contain_text("PA-3: уточнена формулировка контрольного нажатия")
    shot(page, "checklists-version-desktop")

    page.goto("/checklists/")
    template = page.get_by_test_id("template-atz-edu")
    expect(template.get_by_test_id("version-2").locator(".badge")).to_have_class(
        re.compile(r"\bversion-published\b")
    )
    expect(template.get_by_test_id("version-1")).to_be_visible()
    expect(template.get_by_test_id("version-1").locator(".badge")).to_have_class(
        re.compile(r"\bversion-published\b")
    )
    shot(page, "checklists-list-desktop")

    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by == city_supervisor
    assert draft.items.get(code="PA-3").text_ru == NEW_TEXT
    assert v1.items.get(code="PA-3").text_ru != NEW_TEXT


def test_the_version_page_and_the_item_form_fit_a_phone(phone_page, city_supervisor):
    v1 = default_version()
    draft = services.draft_create(actor=city_supervisor, template=v1.template)
    page = phone_page
    login(page, city_supervisor)

    page.goto(f"/checklists/versions/{draft.pk}/")
    card = page.get_by_test_id("item-PA-1")
    expect(card).to_be_visible()
    assert no_sideways_scroll(page)
    # The other language's text is there on demand, not in the way.
    kk = card.locator(".item-langs dd[lang=kk]")
    expect(kk).to_be_hidden()
    card.locator(".item-langs summary").click()
    expect(kk).to_be_visible()
    edit = card.locator(".item-edit")
    assert edit.bounding_box()["height"] >= 44
    shot(page, "checklists-version-phone")

    edit.click()
    expect(page.locator("#id_code")).to_have_value("PA-1")
    assert no_sideways_scroll(page)
    for option in page.locator(".tier-option").all():
        assert option.bounding_box()["height"] >= 44
    page.wait_for_load_state()
    shot(page, "checklists-item-form-phone")

    page.goto("/checklists/")
    assert no_sideways_scroll(page)
    shot(page, "checklists-list-phone")
