"""The police side of an order in a real Chromium, on a phone: the inspector drafts it from the approved
inspection and edits a deadline, the district chief signs it, the inspector records the paper receipt.
Screenshots of the order page (draft and issued) and of the overdue list at 390 and 1280 px."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qorgau.orders.models import Order, OrderItem
from qorgau.tests.browser_helpers import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fake_documents")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def named(user, first: str, last: str):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def test_an_order_is_drafted_edited_signed_and_delivered_on_a_phone(
    make_page, approved_inspection, inspector_x, chief_x, school_a
):
    named(inspector_x, "Ержан", "Сапаров")
    named(chief_x, "Серик", "Абенов")
    today = timezone.localdate()

    # The inspector drafts the order from the approved inspection.
    phone = make_page("phone")
    login(phone, inspector_x)
    phone.goto(f"/inspections/{approved_inspection.pk}/")
    phone.get_by_test_id("draft-order").click()
    expect(phone.get_by_test_id("findings-count")).to_have_text("3")
    phone.get_by_test_id("submit").click()
    expect(phone).to_have_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get()
    expect(phone.get_by_test_id("order-status")).to_have_class(re.compile(r"\border-draft\b"))
    expect(phone.get_by_test_id("draft-note")).to_be_visible()
    expect(phone.locator("tbody.order-item")).to_have_count(3)
    expect(phone.get_by_test_id("pdf")).to_have_count(0)
    shot(phone, "order-draft-390")

    # …and moves the deadline of item 1, seeing the default rule next to the field.
    first = phone.get_by_test_id("item-1")
    first.get_by_test_id("edit-item").click()
    expect(phone.get_by_test_id("deadline-rule")).to_be_visible()
    new_deadline = today + dt.timedelta(days=21)
    phone.fill("#id_deadline", new_deadline.isoformat())
    phone.get_by_test_id("submit").click()
    expect(phone).to_have_url(re.compile(rf"/orders/{order.pk}/#item-\d+$"))
    expect(first.get_by_test_id("deadline")).to_have_text(new_deadline.strftime("%d.%m.%Y"))
    assert order.items.get(position=1).deadline == new_deadline

    # A desktop look at the draft.
    desk = make_page("desktop")
    login(desk, inspector_x)
    desk.goto(f"/orders/{order.pk}/")
    shot(desk, "order-draft-1280")

    # The district chief signs it, after a warning that it cannot be changed afterwards.
    chief = make_page("phone")
    login(chief, chief_x)
    chief.goto(f"/orders/{order.pk}/")
    chief.get_by_test_id("issue").click()
    expect(chief.get_by_test_id("issue-warning")).to_be_visible()
    chief.once("dialog", lambda dialog: dialog.accept())
    chief.get_by_test_id("confirm-issue").click()
    expect(chief).to_have_url(re.compile(rf"/orders/{order.pk}/$"))
    order.refresh_from_db()
    expect(chief.get_by_test_id("order-title")).to_contain_text(order.number)
    expect(chief.get_by_test_id("pdf")).to_be_visible()
    expect(chief.get_by_test_id("pdf-sha")).to_have_text(order.pdf_sha256)
    expect(chief.get_by_test_id("edit-item")).to_have_count(0)

    # The inspector records that the school signed the receipt on paper.
    phone.goto(f"/orders/{order.pk}/")
    phone.get_by_test_id("record-delivery").click()
    expect(phone.locator("#id_kind_0")).to_be_checked()
    phone.fill("#id_received_by_name", "Ахметова Г. С., директор")
    phone.get_by_test_id("submit").click()
    expect(phone).to_have_url(re.compile(rf"/orders/{order.pk}/$"))
    expect(phone.get_by_test_id("delivery")).to_contain_text("Ахметова Г. С.")
    expect(phone.get_by_test_id("record-delivery")).to_have_count(0)
    expect(phone.get_by_test_id("timeline").locator("li")).to_have_count(3)  # drafted, issued, delivered
    order.refresh_from_db()
    assert order.delivery == "paper"

    # Item 2 is overdue: the order page marks it, the chief's overdue list offers the referral.
    item = order.items.get(position=2)
    OrderItem.objects.filter(pk=item.pk).update(
        deadline=today - dt.timedelta(days=6), overdue_since=today - dt.timedelta(days=5)
    )
    phone.reload()
    expect(phone.get_by_test_id("item-2").get_by_test_id("overdue")).to_be_visible()
    shot(phone, "order-issued-390")
    desk.goto(f"/orders/{order.pk}/")
    shot(desk, "order-issued-1280")

    chief.goto("/orders/overdue/")
    row = chief.get_by_test_id("overdue-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("days-overdue")).to_contain_text("6")
    shot(chief, "orders-overdue-390")
    chief_desk = make_page("desktop")
    login(chief_desk, chief_x)
    chief_desk.goto("/orders/overdue/")
    shot(chief_desk, "orders-overdue-1280")
    row.get_by_test_id("refer").click()
    chief.fill("#id_note", "Материалы направлены в АП")
    chief.get_by_test_id("submit").click()
    expect(chief).to_have_url(re.compile(r"/orders/overdue/$"))
    expect(row.get_by_test_id("referred")).to_contain_text("Серик Абенов")
    expect(row.get_by_test_id("refer")).to_have_count(0)
    chief_desk.goto("/orders/")
    shot(chief_desk, "orders-list-1280")
    chief.goto("/orders/")
    shot(chief, "orders-list-390")
