"""The school's pages: what we must fix, confirming receipt, reporting a fix, asking for more time; and
everyone's notifications with the unread count in the header."""

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from qorgau.accounts.models import Role
from qorgau.inspections import services as inspection_services
from qorgau.inspections.tests.test_services import answer_all
from qorgau.orders import services
from qorgau.orders.models import Evidence, Notification, Order, OrderEvent, OrderItem, SchoolReport
from qorgau.tests.factories import InspectionFactory, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_documents")]


def jpeg(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.effect_noise(size, 64).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def photo(name="fence.jpg", size=(64, 48)) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg(size), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def media_files(tmp_path) -> list:
    return sorted(p for p in tmp_path.rglob("*") if p.is_file())


def approved(school, inspector, chief, fail=("AC-2", "PE-1", "DO-1")):
    inspection = InspectionFactory(school=school, inspector=inspector)
    answer_all(inspection, inspector, fail=fail)
    inspection_services.inspection_submit(actor=inspector, inspection=inspection)
    return inspection_services.inspection_approve(actor=chief, inspection=inspection)


@pytest.fixture
def issued(approved_inspection, inspector_x, chief_x):
    draft = services.order_draft(actor=inspector_x, inspection=approved_inspection)
    return services.order_issue(actor=chief_x, order=draft)


@pytest.fixture
def issued_b(school_b, inspector_y, district_y):
    """The canary: an issued order of school B in the other district."""
    chief_y = make_user(Role.DISTRICT_CHIEF, district=district_y, username="chief_y")
    inspection = approved(school_b, inspector_y, chief_y, fail=("AC-1",))
    order = services.order_issue(
        actor=chief_y, order=services.order_draft(actor=inspector_y, inspection=inspection)
    )
    order.items.update(found="CANARY of school B")
    return order


def items(order) -> list[OrderItem]:
    return list(order.items.order_by("position"))


def report_url(item) -> str:
    return reverse("orders:report", args=[item.order_id, item.pk])


def extension_url(item) -> str:
    return reverse("orders:extension", args=[item.order_id, item.pk])


TO_FIX = reverse("orders:to_fix")


# What we must fix ------------------------------------------------------------------------------------------


def test_the_school_sees_only_its_own_open_items(login, school_admin_a, issued, issued_b):
    response = login(school_admin_a).get(TO_FIX)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="fix-item"') == 3
    assert issued.number in page
    assert "CANARY" not in page
    assert issued_b.number not in page


def test_a_draft_order_is_invisible_to_the_school(login, school_admin_a, approved_inspection, inspector_x):
    draft = services.order_draft(actor=inspector_x, inspection=approved_inspection)
    draft.items.update(found="DRAFT not yet issued")
    client = login(school_admin_a)
    page = client.get(TO_FIX).content.decode()
    assert "DRAFT not yet issued" not in page
    assert 'data-testid="nothing-to-fix"' in page
    item = draft.items.first()
    assert client.get(report_url(item)).status_code == 404
    assert client.get(extension_url(item)).status_code == 404
    assert (
        client.post(reverse("orders:acknowledge", args=[draft.pk]), {f"ack{draft.pk}-name": "x"}).status_code
        == 404
    )


def test_items_come_by_deadline_with_days_left_and_overdue_in_red(login, school_admin_a, issued):
    first, second, third = items(issued)
    today = timezone.localdate()
    OrderItem.objects.filter(pk=first.pk).update(deadline=today + dt.timedelta(days=12))
    OrderItem.objects.filter(pk=second.pk).update(deadline=today - dt.timedelta(days=4))
    OrderItem.objects.filter(pk=third.pk).update(deadline=today)
    page = login(school_admin_a).get(TO_FIX).content.decode()
    order_of_ids = [int(i) for i in re.findall(r'data-item="(\d+)"', page)]
    assert order_of_ids == [second.pk, third.pk, first.pk]
    dues = re.findall(r'<strong class="([^"]*)" data-testid="due">([^<]*)<', page)
    assert dues[0][0] == "due due-overdue" and re.search(r"\b4\b", dues[0][1])  # overdue by 4 days, in red
    assert dues[1][0] == "due due-today"
    assert dues[2][0] == "due" and re.search(r"\b12\b", dues[2][1])  # 12 days left
    assert f'class="fix-item overdue" id="item-{second.pk}"' in page
    summary = re.search(r'data-testid="fix-summary">(.*?)</p>', page, re.S).group(1)
    assert re.search(r"\b3\b", summary) and re.search(r"\b1\b", summary)  # 3 open, 1 overdue


def test_a_refused_report_shows_the_police_s_reason(login, school_admin_a, inspector_x, issued):
    item = items(issued)[0]
    report = services.report_fix(
        actor=school_admin_a, item=item, comment="Сделано", files=[("a.jpg", jpeg())]
    )
    services.report_decide(actor=inspector_x, report=report, accept=False, reason="На фото другой вход")
    page = login(school_admin_a).get(TO_FIX).content.decode()
    assert "На фото другой вход" in page
    services.report_fix(actor=school_admin_a, item=item, comment="Ещё раз", files=[("b.jpg", jpeg())])
    page = login(school_admin_a).get(TO_FIX).content.decode()
    assert "На фото другой вход" not in page  # answered by the new report


def test_done_items_of_the_last_90_days_are_listed(login, school_admin_a, inspector_x, issued):
    item = items(issued)[0]
    services.item_verify(actor=inspector_x, item=item, done=True, reason="Проверено на месте")
    page = login(school_admin_a).get(TO_FIX).content.decode()
    assert page.count('data-testid="fix-item"') == 2
    assert page.count('data-testid="done-item"') == 1
    OrderItem.objects.filter(pk=item.pk).update(done_at=timezone.now() - dt.timedelta(days=91))
    page = login(school_admin_a).get(TO_FIX).content.decode()
    assert page.count('data-testid="done-item"') == 0


def test_the_page_links_each_order_s_pdf(login, school_admin_a, issued):
    page = login(school_admin_a).get(TO_FIX).content.decode()
    assert reverse("orders:order_document", args=[issued.pk, "pdf"]) in page


def test_the_page_takes_a_fixed_number_of_queries(
    login, school_admin_a, issued, inspector_x, chief_x, school_a, django_assert_max_num_queries
):
    client = login(school_admin_a)
    with CaptureQueriesContext(connection) as one_order:
        client.get(TO_FIX)
    second = approved(school_a, inspector_x, chief_x, fail=("AC-1", "AC-2", "PE-1", "DO-1"))
    services.order_issue(actor=chief_x, order=services.order_draft(actor=inspector_x, inspection=second))
    with django_assert_max_num_queries(len(one_order.captured_queries)):
        response = client.get(TO_FIX)
    assert response.content.decode().count('data-testid="fix-item"') == 7


def test_the_menu_and_the_passport_lead_the_school_to_it(login, school_admin_a, school_a, issued):
    OrderItem.objects.filter(pk=items(issued)[0].pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=1)
    )
    page = login(school_admin_a).get(reverse("registry:school_detail", args=[school_a.pk])).content.decode()
    assert f'href="{TO_FIX}" data-menu="to_fix"' in page
    box = re.search(r'data-testid="orders-box">(.*?)</a>', page, re.S).group(1)
    assert "3" in box and "1" in box


def test_the_police_do_not_see_the_school_s_box(login, inspector_x, school_a, issued):
    page = login(inspector_x).get(reverse("registry:school_detail", args=[school_a.pk])).content.decode()
    assert 'data-testid="orders-box"' not in page
    assert 'data-menu="to_fix"' not in page


# Who may answer ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["inspector_x", "chief_x", "education_user", "city_supervisor"])
def test_the_police_and_education_may_not_answer_for_the_school(request, login, persona, issued):
    client = login(request.getfixturevalue(persona))
    item = items(issued)[0]
    assert client.get(TO_FIX).status_code == 403
    assert client.get(report_url(item)).status_code == 403
    assert client.get(extension_url(item)).status_code == 403
    assert client.post(reverse("orders:acknowledge", args=[issued.pk]), {}).status_code == 403
    assert not SchoolReport.objects.exists()


def test_police_of_another_district_get_404(login, inspector_y, issued):
    item = items(issued)[0]
    assert login(inspector_y).get(report_url(item)).status_code == 404


def test_another_school_gets_404_on_our_items(login, school_admin_b, issued):
    client = login(school_admin_b)
    item = items(issued)[0]
    assert client.get(report_url(item)).status_code == 404
    assert client.post(report_url(item), {"comment": "x", "files": [photo()]}).status_code == 404
    assert client.get(extension_url(item)).status_code == 404
    assert client.post(reverse("orders:acknowledge", args=[issued.pk]), {}).status_code == 404
    assert not SchoolReport.objects.exists()


def test_an_item_of_another_order_under_this_order_is_404(
    login, school_admin_a, issued, school_a, inspector_x, chief_x
):
    other = services.order_issue(
        actor=chief_x,
        order=services.order_draft(
            actor=inspector_x, inspection=approved(school_a, inspector_x, chief_x, fail=("AC-1",))
        ),
    )
    foreign_item = other.items.get()
    client = login(school_admin_a)
    guessed = reverse("orders:report", args=[issued.pk, foreign_item.pk])
    assert client.get(guessed).status_code == 404
    assert client.get(reverse("orders:extension", args=[issued.pk, foreign_item.pk])).status_code == 404
    assert client.get(report_url(foreign_item)).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, issued):
    response = client.get(TO_FIX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Confirming receipt --------------------------------------------------------------------------------------


def test_the_school_confirms_receipt_once(login, school_admin_a, issued):
    school_admin_a.first_name, school_admin_a.last_name = "Гульнара", "Ахметова"
    school_admin_a.save()
    client = login(school_admin_a)
    page = client.get(TO_FIX).content.decode()
    assert 'data-testid="acknowledge"' in page
    assert 'value="Гульнара Ахметова"' in page  # prefilled with the user's name
    url = reverse("orders:acknowledge", args=[issued.pk])
    response = client.post(url, {f"ack{issued.pk}-name": "Ахметова Г. С."})
    assert response.status_code == 302 and response["Location"] == TO_FIX
    issued.refresh_from_db()
    assert (issued.delivery, issued.received_by_name) == ("online", "Ахметова Г. С.")
    assert issued.delivered_at.date() == timezone.now().date()
    response = client.post(url, {f"ack{issued.pk}-name": "Кто-то другой"}, follow=True)
    assert response.status_code == 200
    issued.refresh_from_db()
    assert issued.received_by_name == "Ахметова Г. С."
    assert OrderEvent.objects.filter(order=issued, action="delivered").count() == 1
    assert 'data-testid="acknowledge"' not in client.get(TO_FIX).content.decode()


def test_the_receipt_page_shows_the_form_until_receipt_is_recorded(login, school_admin_a, issued):
    client = login(school_admin_a)
    url = reverse("orders:acknowledge", args=[issued.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert f'name="ack{issued.pk}-name"' in response.content.decode()
    services.order_acknowledge(actor=school_admin_a, order=issued, name="Ахметова Г. С.")
    assert client.get(url)["Location"] == TO_FIX


def test_receipt_needs_a_name(login, school_admin_a, issued):
    response = login(school_admin_a).post(
        reverse("orders:acknowledge", args=[issued.pk]), {f"ack{issued.pk}-name": "  "}
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    issued.refresh_from_db()
    assert issued.delivery == ""


def test_a_receipt_recorded_on_paper_needs_no_confirmation(login, school_admin_a, inspector_x, issued):
    services.order_record_delivery(actor=inspector_x, order=issued, kind="paper", received_by_name="Завуч")
    assert 'data-testid="acknowledge"' not in login(school_admin_a).get(TO_FIX).content.decode()


# Reporting a fix -----------------------------------------------------------------------------------------


def test_the_report_page_shows_the_limits(login, school_admin_a, issued, settings):
    settings.EVIDENCE_MAX_BYTES = 8 * 2**20
    page = login(school_admin_a).get(report_url(items(issued)[0])).content.decode()
    limits = re.search(r'data-testid="limits">(.*?)</p>', page, re.S).group(1)
    assert "10" in limits and "8" in limits
    assert 'accept="image/*,application/pdf"' in page and "multiple" in page and "capture" in page


def test_a_fix_reported_with_a_photo_waits_for_verification(login, school_admin_a, issued, tmp_path):
    item = items(issued)[0]
    client = login(school_admin_a)
    response = client.post(
        report_url(item),
        {"comment": "Журнал заведён", "files": [photo("journal.jpg"), photo("journal-2.jpg")]},
    )
    assert response.status_code == 302 and response["Location"] == TO_FIX
    item.refresh_from_db()
    assert item.status == "reported"
    report = SchoolReport.objects.get(item=item)
    assert sorted(report.evidence.values_list("original_name", flat=True)) == ["journal-2.jpg", "journal.jpg"]
    assert all((tmp_path / e.file).is_file() for e in report.evidence.all())
    page = client.get(TO_FIX).content.decode()
    card = page.split(f'id="item-{item.pk}"')[1].split("</li>")[0]
    assert (
        "fix-reported" in card
        and 'data-testid="report"' not in card
        and 'data-testid="extension"' not in card
    )
    # A second report on the same item waits until the police have decided.
    assert client.get(report_url(item)).status_code == 302


def test_a_pdf_act_is_accepted_as_evidence(login, school_admin_a, issued):
    item = items(issued)[0]
    act = SimpleUploadedFile("act.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF\n", content_type="application/pdf")
    response = login(school_admin_a).post(
        report_url(item), {"comment": "Акт выполненных работ", "files": [act]}
    )
    assert response.status_code == 302
    assert Evidence.objects.get().content_type == "application/pdf"


def test_an_html_file_named_jpg_is_refused_by_name_and_nothing_is_written(
    login, school_admin_a, issued, tmp_path
):
    item = items(issued)[0]
    before = media_files(tmp_path)
    fake = SimpleUploadedFile(
        "scan.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"
    )
    doc = SimpleUploadedFile("act.docx", b"PK\x03\x04 not a pdf", content_type="application/msword")
    response = login(school_admin_a).post(
        report_url(item), {"comment": "Сделано", "files": [photo("good.jpg"), fake, doc]}
    )
    assert response.status_code == 200
    errors = re.search(r'data-testid="file-errors">(.*?)</div>', response.content.decode(), re.S).group(1)
    assert "«scan.jpg»" in errors and "«act.docx»" in errors and "good.jpg" not in errors
    assert not SchoolReport.objects.exists() and not Evidence.objects.exists()
    assert media_files(tmp_path) == before
    item.refresh_from_db()
    assert item.status == "open"


def test_too_many_files_are_refused(login, school_admin_a, issued, tmp_path):
    item = items(issued)[0]
    before = media_files(tmp_path)
    files = [photo(f"p{n}.jpg") for n in range(11)]
    response = login(school_admin_a).post(report_url(item), {"comment": "Сделано", "files": files})
    assert response.status_code == 200
    assert 'data-testid="file-errors"' in response.content.decode()
    assert "11" in re.search(r'data-testid="file-errors">(.*?)</div>', response.content.decode(), re.S).group(
        1
    )
    assert not SchoolReport.objects.exists()
    assert media_files(tmp_path) == before


def test_too_large_a_file_is_refused(login, school_admin_a, issued, settings, tmp_path):
    settings.EVIDENCE_MAX_BYTES = 2**20
    item = items(issued)[0]
    big = photo("big.jpg", size=(1600, 1600))
    assert big.size > 2**20
    response = login(school_admin_a).post(report_url(item), {"comment": "Сделано", "files": [big]})
    assert response.status_code == 200
    errors = re.search(r'data-testid="file-errors">(.*?)</div>', response.content.decode(), re.S).group(1)
    assert "«big.jpg»" in errors
    assert not SchoolReport.objects.exists()


def test_a_report_needs_a_comment_and_a_file(login, school_admin_a, issued):
    response = login(school_admin_a).post(report_url(items(issued)[0]), {"comment": ""})
    assert response.status_code == 200
    assert response.content.decode().count('class="field-error" role="alert"') == 1  # the comment
    assert 'data-testid="file-errors"' in response.content.decode()
    assert not SchoolReport.objects.exists()


# Asking for more time ------------------------------------------------------------------------------------


def test_an_extension_to_a_date_before_the_deadline_is_refused(login, school_admin_a, issued):
    item = items(issued)[0]
    response = login(school_admin_a).post(
        extension_url(item),
        {"requested_deadline": (item.deadline - dt.timedelta(days=1)).isoformat(), "reason": "Поставка"},
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not SchoolReport.objects.exists()


def test_the_school_asks_for_more_time_once(login, school_admin_a, issued):
    item = items(issued)[0]
    client = login(school_admin_a)
    page = client.get(extension_url(item)).content.decode()
    assert f'min="{(item.deadline + dt.timedelta(days=1)).isoformat()}"' in page
    wanted = item.deadline + dt.timedelta(days=20)
    response = client.post(
        extension_url(item), {"requested_deadline": wanted.isoformat(), "reason": "Поставка турникета в июне"}
    )
    assert response.status_code == 302 and response["Location"] == TO_FIX
    report = SchoolReport.objects.get(item=item, kind="extension")
    assert report.requested_deadline == wanted and report.decision == ""
    card = client.get(TO_FIX).content.decode().split(f'id="item-{item.pk}"')[1].split("</li>")[0]
    assert 'data-testid="extension-status"' in card and wanted.strftime("%d.%m.%Y") in card
    assert 'data-testid="extension"' not in card
    page = client.get(extension_url(item)).content.decode()
    assert 'data-testid="extension-pending"' in page and 'data-testid="extension-form"' not in page
    client.post(extension_url(item), {"requested_deadline": wanted.isoformat(), "reason": "Ещё раз"})
    assert SchoolReport.objects.filter(item=item, kind="extension").count() == 1


# Notifications -------------------------------------------------------------------------------------------


def note(user, order, n: int, **kwargs) -> Notification:
    return Notification.objects.create(
        recipient=user, kind="issued", key=f"test:{n}", order=order, subject=f"Subject {n}",
        body=f"Body {n}\n\nOpen Qorgau.", **kwargs,
    )  # fmt: skip


NOTIFICATIONS = reverse("orders:notifications")


def test_a_user_sees_only_their_own_notifications_newest_first(login, school_admin_a, inspector_x, issued):
    older = note(school_admin_a, issued, 1, created_at=timezone.now() - dt.timedelta(hours=2))
    newer = note(school_admin_a, issued, 2)
    note(inspector_x, issued, 3)
    page = login(school_admin_a).get(NOTIFICATIONS).content.decode()
    ids = [int(i) for i in re.findall(r'data-notification="(\d+)"', page)]
    assert ids == [newer.pk, older.pk]
    assert "Subject 3" not in page
    assert "Open Qorgau." not in page  # the email's closing line


def test_another_user_s_notification_is_404(login, school_admin_a, school_admin_b, issued):
    theirs = note(school_admin_a, issued, 1)
    client = login(school_admin_b)
    assert client.post(reverse("orders:notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_a_post(login, school_admin_a, issued):
    mine = note(school_admin_a, issued, 1)
    assert login(school_admin_a).get(reverse("orders:notification_read", args=[mine.pk])).status_code == 405


def test_opening_a_notification_marks_it_read_and_leads_to_the_item(login, school_admin_a, issued):
    item = items(issued)[0]
    mine = note(school_admin_a, issued, 1, item=item)
    client = login(school_admin_a)
    page = client.get(NOTIFICATIONS).content.decode()
    assert 'class="notif unread"' in page
    response = client.post(reverse("orders:notification_read", args=[mine.pk]), {"open": "1"})
    assert response["Location"] == f"{TO_FIX}#item-{item.pk}"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert 'class="notif unread"' not in client.get(NOTIFICATIONS).content.decode()


def test_the_police_s_notification_leads_to_the_order(login, inspector_x, issued):
    mine = note(inspector_x, issued, 1)
    response = login(inspector_x).post(reverse("orders:notification_read", args=[mine.pk]), {"open": "1"})
    assert response["Location"] == reverse("orders:order_detail", args=[issued.pk])


def test_mark_all_read_touches_only_the_user_s_own(login, school_admin_a, inspector_x, issued):
    note(school_admin_a, issued, 1)
    note(school_admin_a, issued, 2)
    theirs = note(inspector_x, issued, 3)
    login(school_admin_a).post(reverse("orders:notification_read_all"))
    assert not Notification.objects.filter(recipient=school_admin_a, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_is_paginated(login, school_admin_a, issued, settings):
    settings.PAGE_SIZE = 5
    for n in range(12):
        note(school_admin_a, issued, n)
    client = login(school_admin_a)
    assert client.get(NOTIFICATIONS).content.decode().count('data-testid="notification"') == 5
    assert client.get(NOTIFICATIONS + "?page=3").content.decode().count('data-testid="notification"') == 2


def unread_badge(html: str) -> str | None:
    found = re.search(r'data-testid="unread-count">([^<]*)<', html)
    return found.group(1) if found else None


@pytest.mark.parametrize("persona", ["school_admin_a", "inspector_x", "chief_x", "education_user"])
def test_the_header_shows_the_unread_count_for_every_role(request, login, persona, issued):
    user = request.getfixturevalue(persona)
    client = login(user)
    assert unread_badge(client.get(NOTIFICATIONS).content.decode()) is None
    note(user, issued, 1)
    note(user, issued, 2, read_at=timezone.now())
    note(user, issued, 3)
    assert unread_badge(client.get(NOTIFICATIONS).content.decode()) == "2"


def test_the_unread_count_costs_one_query_and_none_for_visitors(login, client, school_admin_a, issued):
    note(school_admin_a, issued, 1)
    with CaptureQueriesContext(connection) as anonymous:
        client.get(reverse("accounts:login"))
    assert not [q for q in anonymous.captured_queries if "orders_notification" in q["sql"]]
    signed_in = login(school_admin_a)
    with CaptureQueriesContext(connection) as queries:
        html = signed_in.get(TO_FIX).content.decode()
    notes = [q["sql"] for q in queries.captured_queries if "orders_notification" in q["sql"]]
    assert len(notes) == 1 and "COUNT" in notes[0].upper()
    assert unread_badge(html) == "1"


def test_the_issue_notifies_the_school_and_shows_in_its_list(
    login, school_admin_a, approved_inspection, inspector_x, chief_x, django_capture_on_commit_callbacks
):
    draft = services.order_draft(actor=inspector_x, inspection=approved_inspection)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_issue(actor=chief_x, order=draft)
    page = login(school_admin_a).get(NOTIFICATIONS).content.decode()
    assert Order.objects.get(pk=draft.pk).number in page
    assert unread_badge(page) == "1"
