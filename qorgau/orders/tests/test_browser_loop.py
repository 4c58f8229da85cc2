"""The whole life of an order in a real Chromium, each person in their own browser: the inspector drafts it
from the approved inspection, the district chief signs it (and downloads the real PDF), the school confirms
receipt and reports both items with a photo, the inspector rejects one and accepts the other, the school
reports the rejected one again, the inspector accepts it and the order is closed.

The documents are the real ones (no fake_documents), stored under a temporary MEDIA_ROOT. Screenshots of
every step at 390 px: screenshots/loop-*.png."""

import hashlib
import io
import re

import pytest
from django.utils import translation
from PIL import Image
from playwright.sync_api import Page, expect

from qorgau.inspections import services as inspection_services
from qorgau.inspections.tests.test_services import answer_all
from qorgau.orders.models import Order, OrderEvent, SchoolReport
from qorgau.tests.browser_helpers import login, shot
from qorgau.tests.factories import InspectionFactory

pytestmark = pytest.mark.browser

REJECTION = "На фото не видно подписи охранника в журнале"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def inspection(school_a, inspector_x, chief_x, school_admin_a):
    """Inspection of school A approved with exactly two failed items."""
    for user, first, last in (
        (inspector_x, "Ержан", "Сапаров"),
        (chief_x, "Серик", "Абенов"),
        (school_admin_a, "Гульнара", "Ахметова"),
    ):
        user.first_name, user.last_name = first, last
        user.save()
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    answer_all(inspection, inspector_x, fail=("AC-2", "PE-1"))
    inspection_services.inspection_submit(actor=inspector_x, inspection=inspection)
    return inspection_services.inspection_approve(actor=chief_x, inspection=inspection)


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, "JPEG")
    return out.getvalue()


def report_fix(page: Page, item_pk: int, comment: str, colour: str, step: str) -> None:
    """From the school's list: open the item's report form, describe the fix, attach a photo, send."""
    card = page.locator(f"#item-{item_pk}")
    card.get_by_test_id("report").click()
    expect(page.get_by_test_id("report-form")).to_be_visible()
    page.fill("#id_comment", comment)
    page.get_by_test_id("files-input").set_input_files(
        [{"name": "fix.jpg", "mimeType": "image/jpeg", "buffer": jpeg(colour)}]
    )
    expect(page.locator(".chosen-files li")).to_have_text(re.compile(r"fix\.jpg"))
    shot(page, f"loop-{step}")
    page.get_by_test_id("send-report").click()
    expect(page).to_have_url(re.compile(r"/our-orders/$"))
    expect(card.get_by_test_id("item-status")).to_have_class(re.compile(r"\bfix-reported\b"))
    expect(card.get_by_test_id("report")).to_have_count(0)


def test_an_order_goes_from_draft_to_closed_through_the_pages(
    make_page, inspection, inspector_x, chief_x, school_admin_a
):
    # 1. The inspector drafts the order from the inspection page, on a phone.
    inspector = make_page("phone")
    login(inspector, inspector_x)
    inspector.goto(f"/inspections/{inspection.pk}/")
    shot(inspector, "loop-01-inspection")
    inspector.get_by_test_id("draft-order").click()
    expect(inspector.get_by_test_id("findings-count")).to_have_text("2")
    inspector.get_by_test_id("submit").click()
    expect(inspector).to_have_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get(inspection=inspection)
    order_url = f"/orders/{order.pk}/"
    expect(inspector.get_by_test_id("order-status")).to_have_class(re.compile(r"\border-draft\b"))
    expect(inspector.locator("tbody.order-item")).to_have_count(2)
    shot(inspector, "loop-02-draft")
    first, second = order.items.order_by("position")

    # 2. The district chief signs it and downloads the stored PDF.
    chief = make_page("phone")
    login(chief, chief_x)
    chief.goto(order_url)
    chief.get_by_test_id("issue").click()
    expect(chief.get_by_test_id("issue-warning")).to_be_visible()
    shot(chief, "loop-03-sign")
    chief.once("dialog", lambda dialog: dialog.accept())
    chief.get_by_test_id("confirm-issue").click()
    expect(chief).to_have_url(re.compile(rf"{order_url}$"))
    expect(chief.get_by_test_id("order-status")).to_have_class(re.compile(r"\border-issued\b"))
    order.refresh_from_db()
    expect(chief.get_by_test_id("order-title")).to_contain_text(order.number)
    expect(chief.get_by_test_id("pdf")).to_be_visible()
    with chief.expect_download() as download_info:
        chief.get_by_test_id("pdf").click()
    download = download_info.value
    assert download.suggested_filename == f"order-{order.number.replace('/', '-')}.pdf"
    with open(download.path(), "rb") as pdf:
        data = pdf.read()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == order.pdf_sha256  # the stored file, as shown on the page
    shot(chief, "loop-04-issued")

    # 3. The school confirms receipt and reports both items with a photo each.
    school = make_page("phone")
    login(school, school_admin_a)
    school.goto("/our-orders/")
    expect(school.get_by_test_id("fix-item")).to_have_count(2)
    ack = school.get_by_test_id("acknowledge")
    expect(ack.locator("input[type=text]")).to_have_value("Гульнара Ахметова")
    shot(school, "loop-05-school-new-order")
    ack.get_by_test_id("confirm-receipt").click()
    expect(school.locator(".msg-success")).to_contain_text(order.number)
    expect(school.get_by_test_id("acknowledge")).to_have_count(0)
    report_fix(
        school,
        first.pk,
        "Журнал посетителей заведён, охранник проверяет документы",
        "seagreen",
        "06-report-1",
    )
    report_fix(school, second.pk, "Ограждение отремонтировано на всём участке", "steelblue", "07-report-2")
    shot(school, "loop-08-school-reported")

    # 4. The inspector rejects item 1 from the verification queue…
    inspector.goto("/orders/verification/")
    rows = inspector.get_by_test_id("queue-row")
    expect(rows).to_have_count(2)
    shot(inspector, "loop-09-queue")
    rows.filter(has=inspector.locator(f'a[href$="#item-{first.pk}"]')).get_by_test_id("decide").click()
    expect(inspector.get_by_test_id("evidence")).to_have_text("fix.jpg")
    inspector.locator("input[name=decision][value=reject]").check()
    inspector.fill("#id_reason", REJECTION)
    shot(inspector, "loop-10-reject")
    inspector.get_by_test_id("submit").click()
    expect(inspector).to_have_url(re.compile(rf"{order_url}#item-{first.pk}$"))
    item1 = inspector.get_by_test_id("item-1")
    expect(item1.get_by_test_id("item-status")).to_have_class(re.compile(r"\bitem-open\b"))
    expect(item1.get_by_test_id("report")).to_contain_text(REJECTION)

    # …and accepts item 2 on the order page.
    item2 = inspector.get_by_test_id("item-2")
    item2.get_by_test_id("accept").click()
    expect(inspector).to_have_url(re.compile(rf"{order_url}#item-{second.pk}$"))
    expect(item2.get_by_test_id("item-status")).to_have_class(re.compile(r"\bitem-done\b"))
    expect(inspector.get_by_test_id("order-status")).to_have_class(re.compile(r"\border-issued\b"))
    shot(inspector, "loop-11-decided")

    # 5. The school sees why item 1 was rejected and reports it again with another photo.
    school.goto("/our-orders/")
    expect(school.get_by_test_id("fix-item")).to_have_count(1)
    expect(school.get_by_test_id("done-item")).to_have_count(1)
    card = school.locator(f"#item-{first.pk}")
    expect(card.get_by_test_id("refusal")).to_contain_text(REJECTION)
    shot(school, "loop-12-school-rejected")
    report_fix(
        school, first.pk, "Переснято: подпись охранника в журнале видна", "darkorange", "13-report-again"
    )
    expect(card.get_by_test_id("refusal")).to_have_count(0)

    # 6. The inspector accepts the new report: the order is closed.
    inspector.goto(order_url)
    reports = item1.get_by_test_id("report")
    expect(reports).to_have_count(2)
    reports.last.get_by_test_id("accept").click()
    expect(item1.get_by_test_id("item-status")).to_have_class(re.compile(r"\bitem-done\b"))
    status = inspector.get_by_test_id("order-status")
    expect(status).to_have_class(re.compile(r"\border-closed\b"))
    with translation.override("ru"):
        expect(status).to_have_text(str(Order.Status.CLOSED.label))
    expect(inspector.get_by_test_id("accept")).to_have_count(0)
    shot(inspector, "loop-14-closed")

    school.goto("/our-orders/")
    expect(school.get_by_test_id("nothing-to-fix")).to_be_visible()
    expect(school.get_by_test_id("done-item")).to_have_count(2)
    shot(school, "loop-15-school-done")

    # The database agrees.
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED and order.closed_at is not None
    assert order.delivery == Order.Delivery.ONLINE
    assert set(order.items.values_list("status", flat=True)) == {"done"}
    actions = list(order.events.values_list("action", flat=True))
    A = OrderEvent.Action
    for action in (A.DRAFTED, A.ISSUED, A.DELIVERED, A.REPORTED, A.REJECTED, A.ACCEPTED, A.CLOSED):
        assert action in actions
    assert (
        actions.count(A.REPORTED) == 3 and actions.count(A.ACCEPTED) == 2 and actions.count(A.REJECTED) == 1
    )
    assert actions[-1] == A.CLOSED
    decisions = list(SchoolReport.objects.filter(item=first).values_list("decision", flat=True))
    assert decisions == ["rejected", "accepted"]
    assert all(r.evidence.count() == 1 for r in SchoolReport.objects.filter(item__order=order))
