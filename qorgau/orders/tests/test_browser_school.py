"""The school's side in a real Chromium on a phone: confirm receipt, report a fix with a photo, ask for more
time; screenshots of the pages at phone and desktop width."""

import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from qorgau.orders import services
from qorgau.orders.models import Notification, OrderItem, SchoolReport
from qorgau.tests.browser_helpers import login, shot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("fake_documents")]


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "seagreen").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def order(approved_inspection, inspector_x, chief_x, school_admin_a):
    """An order of three items issued to school A, one of them already overdue."""
    school_admin_a.first_name, school_admin_a.last_name = "Гульнара", "Ахметова"
    school_admin_a.save()
    draft = services.order_draft(actor=inspector_x, inspection=approved_inspection)
    texts = [
        "Журнал посетителей не ведётся, документы на входе не проверяются (главный вход)",
        "Ограждение повреждено на участке 12 м со стороны ул. Абая",
        "Паспорт антитеррористической защищённости не разработан",
    ]
    for item, text in zip(draft.items.order_by("position"), texts, strict=True):
        OrderItem.objects.filter(pk=item.pk).update(found=text)
    issued = services.order_issue(actor=chief_x, order=draft)  # notifies the school (on commit)
    overdue = issued.items.get(position=3)
    OrderItem.objects.filter(pk=overdue.pk).update(deadline=timezone.localdate() - dt.timedelta(days=2))
    return issued


def test_the_school_confirms_receipt_reports_a_fix_and_asks_for_more_time(phone_page, school_admin_a, order):
    page = phone_page
    login(page, school_admin_a)
    # The passport page leads to the list; the bell shows the notice of the issued order.
    expect(page.get_by_test_id("bell")).to_be_visible()  # in the top bar, not hidden in the folded menu
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    box = page.get_by_test_id("orders-box")
    expect(box).to_contain_text("3")
    box.click()
    expect(page).to_have_url(re.compile(r"/our-orders/$"))
    expect(page.get_by_test_id("fix-item")).to_have_count(3)
    first = page.get_by_test_id("fix-item").first
    expect(first.get_by_test_id("due")).to_have_class(re.compile(r"\bdue-overdue\b"))  # the overdue one first
    shot(page, "orders-to-fix-phone")

    # Confirm receipt: the name is prefilled with the user's.
    ack = page.get_by_test_id("acknowledge")
    expect(ack.locator("input[type=text]")).to_have_value("Гульнара Ахметова")
    ack.get_by_test_id("confirm-receipt").click()
    expect(page.locator(".msg-success")).to_contain_text(order.number)
    expect(page.get_by_test_id("acknowledge")).to_have_count(0)
    order.refresh_from_db()
    assert order.delivery == "online" and order.received_by_name == "Гульнара Ахметова"

    # Report the fix of item 1 with a photo.
    item1 = order.items.get(position=1)
    card = page.locator(f"#item-{item1.pk}")
    card.get_by_test_id("report").click()
    expect(page.get_by_test_id("item-summary")).to_contain_text("Журнал посетителей")
    page.fill("#id_comment", "Журнал заведён 12 мая, охранник проверяет документы у всех посетителей")
    page.get_by_test_id("files-input").set_input_files(
        [{"name": "journal.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}]
    )
    expect(page.locator(".chosen-files li")).to_have_text(re.compile(r"journal\.jpg"))
    shot(page, "orders-report-phone")
    page.get_by_test_id("send-report").click()
    expect(page).to_have_url(re.compile(r"/our-orders/$"))
    expect(page.locator(".msg-success")).to_be_visible()
    expect(card.get_by_test_id("item-status")).to_have_class(re.compile(r"\bfix-reported\b"))
    expect(card.get_by_test_id("report")).to_have_count(0)
    expect(card.get_by_test_id("extension")).to_have_count(0)
    assert SchoolReport.objects.get(item=item1).evidence.get().original_name == "journal.jpg"

    # Ask for more time on item 2.
    item2 = order.items.get(position=2)
    card2 = page.locator(f"#item-{item2.pk}")
    card2.get_by_test_id("extension").click()
    wanted = item2.deadline + dt.timedelta(days=30)
    page.fill("#id_requested_deadline", wanted.isoformat())
    page.fill("#id_reason", "Подрядчик начнёт ремонт ограждения после окончания учебного года")
    page.get_by_test_id("send-extension").click()
    expect(page).to_have_url(re.compile(r"/our-orders/$"))
    expect(card2.get_by_test_id("extension-status")).to_contain_text(wanted.strftime("%d.%m.%Y"))
    expect(card2.get_by_test_id("extension")).to_have_count(0)
    assert SchoolReport.objects.get(item=item2, kind="extension").requested_deadline == wanted
    shot(page, "orders-to-fix-after-phone")


def test_a_file_that_is_not_a_photo_is_named_in_the_error(phone_page, school_admin_a, order):
    page = phone_page
    login(page, school_admin_a)
    item = order.items.get(position=2)
    page.goto(f"/orders/{order.pk}/items/{item.pk}/report/")
    page.fill("#id_comment", "Договор на ремонт")
    page.get_by_test_id("files-input").set_input_files(
        [
            {"name": "scan.docx", "mimeType": "application/msword", "buffer": b"PK\x03\x04 word"},
            {"name": "fence.jpg", "mimeType": "image/jpeg", "buffer": jpeg()},
        ]
    )
    page.get_by_test_id("send-report").click()
    expect(page.get_by_test_id("file-errors")).to_contain_text("«scan.docx»")
    expect(page.get_by_test_id("file-errors")).not_to_contain_text("fence.jpg")
    assert not SchoolReport.objects.exists()
    shot(page, "orders-report-errors-phone")


def test_screenshots_at_desktop_width(page, make_page, school_admin_a, order, inspector_x):
    Notification.objects.filter(recipient=school_admin_a).update(read_at=timezone.now())
    item = order.items.get(position=1)
    report = services.report_fix(
        actor=school_admin_a, item=item, comment="Журнал заведён", files=[("journal.jpg", jpeg())]
    )
    services.report_decide(actor=inspector_x, report=report, accept=False, reason="На фото не видно подписи")
    login(page, school_admin_a)
    page.goto("/our-orders/")
    expect(page.get_by_test_id("refusal")).to_contain_text("На фото не видно подписи")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")  # the decision
    shot(page, "orders-to-fix-desktop")
    page.goto(f"/orders/{order.pk}/items/{item.pk}/report/")
    expect(page.get_by_test_id("report-form")).to_be_visible()
    shot(page, "orders-report-desktop")
    page.goto("/notifications/")
    expect(page.get_by_test_id("notification")).to_have_count(2)
    expect(page.locator(".notif.unread")).to_have_count(1)
    shot(page, "orders-notifications-desktop")
    # Opening the unread one marks it read and leads to the item.
    page.locator(".notif.unread .notif-subject").click()
    expect(page).to_have_url(re.compile(rf"/our-orders/#item-{item.pk}$"))
    expect(page.get_by_test_id("unread-count")).to_have_count(0)

    phone = make_page("phone")
    login(phone, school_admin_a)
    phone.goto("/notifications/")
    expect(phone.get_by_test_id("notification")).to_have_count(2)
    shot(phone, "orders-notifications-phone")
    phone.goto(f"/schools/{order.school_id}/")
    shot(phone, "orders-passport-phone")
