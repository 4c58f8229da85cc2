"""The police pages of orders: who may see and do what (outsiders 404, read-only 403), forms that put the
services' errors on their fields and write nothing, the stored documents served as stored, the lists with a
fixed number of queries, and an admin that cannot change an issued order."""

import datetime as dt
import hashlib
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from qorgau.core.context_processors import menu_for
from qorgau.inspections.models import Inspection
from qorgau.orders import services
from qorgau.orders.models import Amendment, Order, OrderEvent, OrderItem, SchoolReport
from qorgau.tests.factories import InspectionFactory, SchoolFactory, order_item

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(out, "JPEG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj\n%%EOF\n"


@pytest.fixture
def real_documents():
    """Requested by a test that renders the real PDF and DOCX."""


@pytest.fixture(autouse=True)
def _documents_and_media(request, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    if "real_documents" not in request.fixturenames:
        request.getfixturevalue("fake_documents")


@pytest.fixture
def draft(approved_inspection, inspector_x):
    return services.order_draft(actor=inspector_x, inspection=approved_inspection)


@pytest.fixture
def issued(draft, chief_x):
    return services.order_issue(actor=chief_x, order=draft)


@pytest.fixture
def reported(issued, school_admin_a):
    """The issued order with a fix reported on item 1 (a photo and a PDF) and an amendment on item 3."""
    first = issued.items.get(position=1)
    report = services.report_fix(
        actor=school_admin_a,
        item=first,
        comment="Журнал заведён",
        files=[("journal.jpg", jpeg()), ("contract.pdf", PDF)],
    )
    third = issued.items.get(position=3)
    services.amendment_create(
        actor=issued.issued_by,
        item=third,
        kind="extend",
        reason="Поставка",
        new_deadline=third.deadline + dt.timedelta(days=5),
    )
    return report


def url(name: str, *args) -> str:
    return reverse(f"orders:{name}", args=args)


def order_urls(order: Order) -> dict[str, str]:
    """Every page of one order, each reaching its children through this order."""
    item = order.items.order_by("position").first()
    report = SchoolReport.objects.filter(item__order=order).first()
    amendment = order.amendments.first()
    evidence = report.evidence.first() if report else None
    urls = {
        "order_detail": url("order_detail", order.pk),
        "order_edit": url("order_edit", order.pk),
        "item_edit": url("item_edit", order.pk, item.pk),
        "order_issue": url("order_issue", order.pk),
        "delivery_record": url("delivery_record", order.pk),
        "follow_up": url("follow_up", order.pk),
        "amend": url("amend", order.pk, item.pk),
        "verify": url("verify", order.pk, item.pk),
        "refer": url("refer", order.pk, item.pk),
        "order_document_pdf": url("order_document", order.pk, "pdf"),
        "order_document_docx": url("order_document", order.pk, "docx"),
    }
    if report:
        urls["decide"] = url("decide", order.pk, report.pk)
        urls["evidence_file"] = url("evidence_file", order.pk, evidence.pk)
    if amendment:
        urls["amendment_document"] = url("amendment_document", order.pk, amendment.pk)
    return urls


WRITES = (
    "order_edit",
    "item_edit",
    "order_issue",
    "delivery_record",
    "follow_up",
    "amend",
    "verify",
    "refer",
    "decide",
)


def snapshot() -> tuple:
    """Everything a write could touch: if this is unchanged, nothing was written."""
    return (
        list(
            Order.objects.order_by("pk").values_list("status", "seq", "delivery", "follow_up_on", "language")
        ),
        list(OrderItem.objects.order_by("pk").values_list("status", "deadline", "remedy", "referred_at")),
        OrderEvent.objects.count(),
        Amendment.objects.count(),
        list(SchoolReport.objects.order_by("pk").values_list("decision", flat=True)),
        Inspection.objects.count(),
    )


# Outsiders, read-only users, wrong roles -------------------------------------------------------------------


@pytest.mark.parametrize("outsider", ["inspector_y", "school_admin_b"])
def test_an_outsider_gets_404_on_every_page_of_an_issued_order(request, login, reported, outsider):
    client = login(request.getfixturevalue(outsider))
    before = snapshot()
    for name, address in order_urls(reported.item.order).items():
        assert client.get(address).status_code == 404, name
        if name in WRITES:
            assert client.post(address, {"reason": "x", "note": "x"}).status_code == 404, name
    assert snapshot() == before


@pytest.mark.parametrize("outsider", ["inspector_y", "school_admin_a", "school_admin_b"])
def test_a_draft_order_is_404_for_its_school_and_for_outsiders(request, login, draft, outsider):
    client = login(request.getfixturevalue(outsider))
    before = snapshot()
    for name, address in order_urls(draft).items():
        assert client.get(address).status_code == 404, name
        if name in WRITES:
            assert client.post(address, {}).status_code == 404, name
    assert snapshot() == before


def test_an_outsider_cannot_draft_from_another_districts_inspection(login, approved_inspection, inspector_y):
    client = login(inspector_y)
    address = url("order_draft", approved_inspection.pk)
    assert client.get(address).status_code == 404
    assert client.post(address, {"language": "ru"}).status_code == 404
    assert not Order.objects.exists()


def test_the_education_department_reads_but_every_write_is_403(login, reported, education_user):
    client = login(education_user)
    order = reported.item.order
    urls = order_urls(order)
    assert client.get(urls["order_detail"]).status_code == 200
    assert client.get(urls["order_document_pdf"]).status_code == 200
    before = snapshot()
    for name in WRITES:
        assert client.post(urls[name], {"reason": "x", "decision": "accept"}).status_code == 403, name
    assert snapshot() == before


def test_the_education_department_cannot_draft_an_order(login, approved_inspection, education_user):
    response = login(education_user).post(url("order_draft", approved_inspection.pk), {"language": "ru"})
    assert response.status_code == 403
    assert not Order.objects.exists()


def test_an_inspector_may_not_issue(login, draft, inspector_x):
    client = login(inspector_x)
    assert client.get(url("order_issue", draft.pk)).status_code == 403
    assert client.post(url("order_issue", draft.pk)).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.seq is None


def test_an_inspector_may_not_refer(login, issued, inspector_x):
    item = issued.items.first()
    OrderItem.objects.filter(pk=item.pk).update(
        deadline=TODAY() - dt.timedelta(days=3), overdue_since=TODAY()
    )
    assert login(inspector_x).post(url("refer", issued.pk, item.pk), {"note": "x"}).status_code == 403
    item.refresh_from_db()
    assert item.referred_at is None


def test_the_school_sees_its_issued_order_but_may_not_act_for_the_police(login, reported, school_admin_a):
    client = login(school_admin_a)
    urls = order_urls(reported.item.order)
    assert client.get(urls["order_detail"]).status_code == 200
    before = snapshot()
    for name in WRITES:
        assert client.post(urls[name], {"reason": "x", "decision": "accept"}).status_code == 403, name
    assert snapshot() == before


def test_unknown_ids_are_404(login, reported, chief_x):
    client = login(chief_x)
    order = reported.item.order
    item = order.items.first()
    assert client.get(url("order_detail", 999999)).status_code == 404
    assert client.get(url("item_edit", order.pk, 999999)).status_code == 404
    assert client.post(url("verify", order.pk, 999999), {"result": "done", "reason": "x"}).status_code == 404
    assert client.post(url("decide", order.pk, 999999), {"decision": "accept"}).status_code == 404
    assert client.get(url("evidence_file", order.pk, 999999)).status_code == 404
    assert client.get(url("amendment_document", order.pk, 999999)).status_code == 404
    assert client.get(url("order_document", order.pk, "html")).status_code == 404
    assert client.get(url("order_draft", 999999)).status_code == 404
    assert client.get(url("amend", 999999, item.pk)).status_code == 404


@pytest.fixture
def other_order(school_a, inspector_x, chief_x, approved_inspection):
    """A second issued order of the same district, whose children must not be reachable under the first."""
    order = Order.objects.create(
        inspection=approved_inspection, school=school_a, district=school_a.district, drafted_by=inspector_x
    )
    order_item(
        order, position=1, found="Другое", remedy="Исправить", severity="S", fix_kind="organisational",
        deadline=TODAY() + dt.timedelta(days=10),
    )  # fmt: skip
    return services.order_issue(actor=chief_x, order=order)


def test_a_child_of_another_order_is_404_under_this_orders_address(
    login, reported, other_order, chief_x, school_admin_a
):
    order = reported.item.order
    evidence = reported.evidence.first()
    amendment = order.amendments.first()
    foreign_item = other_order.items.first()
    client = login(chief_x)
    assert client.get(url("evidence_file", other_order.pk, evidence.pk)).status_code == 404
    assert client.get(url("amendment_document", other_order.pk, amendment.pk)).status_code == 404
    assert client.get(url("decide", other_order.pk, reported.pk)).status_code == 404
    assert client.get(url("verify", order.pk, foreign_item.pk)).status_code == 404
    assert client.post(url("item_edit", order.pk, foreign_item.pk), {}).status_code == 404
    assert login(school_admin_a).get(url("evidence_file", other_order.pk, evidence.pk)).status_code == 404


# Drafting and editing ---------------------------------------------------------------------------------------


def test_the_inspector_drafts_from_the_approved_inspection_after_a_confirm_page(
    login, approved_inspection, inspector_x
):
    client = login(inspector_x)
    address = url("order_draft", approved_inspection.pk)
    page = client.get(address)
    assert page.status_code == 200
    assert page.context["findings"] == 3
    assert not Order.objects.exists()
    response = client.post(address, {"language": "kk"})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == url("order_detail", order.pk)
    assert order.language == "kk" and order.items.count() == 3
    # Drafting again opens the same order.
    assert client.post(address, {"language": "ru"})["Location"] == url("order_detail", order.pk)
    assert Order.objects.count() == 1


def test_the_inspection_page_offers_to_draft_then_to_open_the_order(login, approved_inspection, inspector_x):
    client = login(inspector_x)
    detail = reverse("inspections:inspection_detail", args=[approved_inspection.pk])
    assert url("order_draft", approved_inspection.pk) in client.get(detail).content.decode()
    order = services.order_draft(actor=inspector_x, inspection=approved_inspection)
    assert url("order_detail", order.pk) in client.get(detail).content.decode()


def test_an_order_is_not_drafted_from_an_inspection_not_yet_approved(login, school_a, inspector_x):
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    assert login(inspector_x).post(url("order_draft", inspection.pk), {"language": "ru"}).status_code == 409
    assert not Order.objects.exists()


def test_editing_an_item_saves_it_and_shows_the_default_deadline_rule(login, draft, inspector_x):
    item = draft.items.get(position=1)
    client = login(inspector_x)
    page = client.get(url("item_edit", draft.pk, item.pk))
    assert page.status_code == 200
    assert 'data-testid="deadline-rule"' in page.content.decode()
    new_deadline = TODAY() + dt.timedelta(days=45)
    data = {
        "found": "Журнал не ведётся (вахта)", "legal_ref": item.legal_ref, "remedy": "Завести журнал",
        "severity": "G", "fix_kind": "organisational", "deadline": new_deadline.isoformat(),
    }  # fmt: skip
    response = client.post(url("item_edit", draft.pk, item.pk), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.deadline, item.remedy, item.severity) == (new_deadline, "Завести журнал", "G")


def test_a_deadline_before_today_is_a_field_error_and_nothing_is_saved(login, draft, inspector_x):
    item = draft.items.get(position=1)
    before = snapshot()
    data = {
        "found": "x", "legal_ref": "", "remedy": "y", "severity": "G", "fix_kind": "organisational",
        "deadline": (TODAY() - dt.timedelta(days=1)).isoformat(),
    }  # fmt: skip
    response = login(inspector_x).post(url("item_edit", draft.pk, item.pk), data)
    assert response.status_code == 200
    assert "deadline" in response.context["form"].errors
    assert snapshot() == before


def test_an_order_with_a_follow_up_date_in_the_past_is_refused(login, draft, inspector_x):
    before = snapshot()
    data = {
        "language": "ru",
        "report_by_days": 3,
        "follow_up_on": (TODAY() - dt.timedelta(days=2)).isoformat(),
    }
    response = login(inspector_x).post(url("order_edit", draft.pk), data)
    assert response.status_code == 200
    assert "follow_up_on" in response.context["form"].errors
    assert snapshot() == before


def test_the_order_details_are_edited_while_a_draft(login, draft, inspector_x):
    data = {"language": "kk", "report_by_days": 5, "follow_up_on": ""}
    assert login(inspector_x).post(url("order_edit", draft.pk), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.language, draft.report_by_days) == ("kk", 5)


def test_an_issued_order_is_never_edited_in_place(login, issued, inspector_x):
    client = login(inspector_x)
    item = issued.items.first()
    before = snapshot()
    assert client.get(url("order_edit", issued.pk)).status_code == 409
    assert (
        client.post(url("order_edit", issued.pk), {"language": "kk", "report_by_days": 1}).status_code == 409
    )
    data = {
        "found": "x",
        "remedy": "иное",
        "severity": "M",
        "fix_kind": "organisational",
        "deadline": "2099-01-01",
    }
    assert client.post(url("item_edit", issued.pk, item.pk), data).status_code == 409
    assert snapshot() == before


# Issue ------------------------------------------------------------------------------------------------------


def test_the_chief_signs_after_a_clear_warning_and_issuing_twice_is_409(login, draft, chief_x):
    chief_x.language = "en"  # the assertion reads the English wording
    chief_x.save(update_fields=["language"])
    client = login(chief_x)
    page = client.get(url("order_issue", draft.pk))
    assert page.status_code == 200
    assert "After signing the order cannot be changed." in page.content.decode()
    response = client.post(url("order_issue", draft.pk))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.seq == 1
    before = snapshot()
    assert client.post(url("order_issue", draft.pk)).status_code == 409
    assert snapshot() == before


def test_an_order_with_a_passed_deadline_is_not_issued(login, draft, chief_x):
    OrderItem.objects.filter(order=draft, position=2).update(deadline=TODAY() - dt.timedelta(days=1))
    before = snapshot()
    response = login(chief_x).post(url("order_issue", draft.pk))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert snapshot() == before


# Documents and evidence -------------------------------------------------------------------------------------


def test_the_served_pdf_is_the_stored_file(login, issued, school_admin_a):
    response = login(school_admin_a).get(url("order_document", issued.pk, "pdf"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == issued.pdf_sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_docx_is_served_for_editing(login, issued, inspector_x):
    response = login(inspector_x).get(url("order_document", issued.pk, "docx"))
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == issued.docx_sha256
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_draft_has_no_documents(login, draft, inspector_x):
    client = login(inspector_x)
    assert client.get(url("order_document", draft.pk, "pdf")).status_code == 404
    assert client.get(url("order_document", draft.pk, "docx")).status_code == 404


def test_a_stored_path_outside_the_media_root_is_never_served(login, issued, inspector_x):
    Order.objects.filter(pk=issued.pk).update(pdf_file="../../etc/passwd")
    assert login(inspector_x).get(url("order_document", issued.pk, "pdf")).status_code == 404


def test_evidence_photos_show_inline_and_pdfs_download(login, reported, inspector_x):
    client = login(inspector_x)
    order = reported.item.order
    photo, contract = reported.evidence.order_by("id")
    response = client.get(url("evidence_file", order.pk, photo.pk))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == photo.sha256
    response = client.get(url("evidence_file", order.pk, contract.pk))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_amendment_has_its_own_stored_pdf(login, reported, school_admin_a):
    order = reported.item.order
    amendment = order.amendments.get()
    response = login(school_admin_a).get(url("amendment_document", order.pk, amendment.pk))
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == amendment.pdf_sha256
    assert response["Content-Disposition"].startswith("attachment;")


def test_the_real_documents_are_served_as_stored(real_documents, login, draft, chief_x):
    pytest.importorskip("qorgau.orders.documents")
    client = login(chief_x)
    assert client.post(url("order_issue", draft.pk)).status_code == 302
    draft.refresh_from_db()
    body = b"".join(client.get(url("order_document", draft.pk, "pdf")).streaming_content)
    assert body.startswith(b"%PDF-") and hashlib.sha256(body).hexdigest() == draft.pdf_sha256


# Delivery, follow-up, decisions, verification, amendments, referral -----------------------------------------


def test_the_inspector_records_a_paper_receipt(login, issued, inspector_x):
    data = {
        "kind": "paper",
        "received_by_name": "Ахметова Г. С., директор",
        "delivered_on": TODAY().isoformat(),
    }
    assert login(inspector_x).post(url("delivery_record", issued.pk), data).status_code == 302
    issued.refresh_from_db()
    assert issued.delivery == "paper" and issued.received_by_name.startswith("Ахметова")
    assert OrderEvent.objects.filter(order=issued, action="delivered").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "paper", "received_by_name": ""}, "received_by_name"),
        ({"kind": "refused", "note": ""}, "note"),
        ({"kind": "paper", "received_by_name": "Иванов", "delivered_on": "2099-01-01"}, "delivered_on"),
        ({"kind": "lost"}, "kind"),
    ],
)
def test_a_delivery_without_what_it_needs_is_a_field_error(login, issued, inspector_x, data, field):
    before = snapshot()
    response = login(inspector_x).post(url("delivery_record", issued.pk), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert snapshot() == before


def test_a_follow_up_inspection_is_scheduled_from_the_order(login, issued, inspector_x):
    planned = TODAY() + dt.timedelta(days=20)
    response = login(inspector_x).post(url("follow_up", issued.pk), {"planned_on": planned.isoformat()})
    inspection = Inspection.objects.get(kind="follow_up")
    assert response["Location"] == reverse("inspections:inspection_detail", args=[inspection.pk])
    issued.refresh_from_db()
    assert issued.follow_up_on == planned


def test_a_follow_up_in_the_past_is_refused(login, issued, inspector_x):
    before = snapshot()
    response = login(inspector_x).post(url("follow_up", issued.pk), {"planned_on": "2001-01-01"})
    assert "planned_on" in response.context["form"].errors
    assert snapshot() == before


def test_rejecting_a_report_needs_a_reason(login, reported, inspector_x):
    order = reported.item.order
    client = login(inspector_x)
    before = snapshot()
    response = client.post(url("decide", order.pk, reported.pk), {"decision": "reject", "reason": ""})
    assert "reason" in response.context["form"].errors
    assert snapshot() == before
    response = client.post(
        url("decide", order.pk, reported.pk), {"decision": "reject", "reason": "Фото не то"}
    )
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.decision == "rejected" and reported.item.status == "open"


def test_accepting_a_report_from_the_order_page_marks_the_item_done(login, reported, inspector_x):
    order = reported.item.order
    client = login(inspector_x)
    assert client.post(url("decide", order.pk, reported.pk), {"decision": "accept"}).status_code == 302
    reported.item.refresh_from_db()
    assert reported.item.status == "done"
    # A decided report is not decided again.
    assert (
        client.post(url("decide", order.pk, reported.pk), {"decision": "reject", "reason": "x"}).status_code
        == 409
    )


def test_on_site_verification_needs_a_reason_and_can_close_the_order(login, issued, inspector_x, chief_x):
    client = login(inspector_x)
    first, second, third = issued.items.order_by("position")
    before = snapshot()
    response = client.post(url("verify", issued.pk, first.pk), {"result": "done", "reason": ""})
    assert "reason" in response.context["form"].errors
    assert snapshot() == before
    for item in (first, second):
        data = {"result": "done", "reason": "Проверено при повторной проверке"}
        assert client.post(url("verify", issued.pk, item.pk), data).status_code == 302
    data = {"kind": "withdraw", "reason": "Объект на капремонте"}
    assert client.post(url("amend", issued.pk, third.pk), data).status_code == 302
    issued.refresh_from_db()
    assert issued.status == "closed"
    assert client.get(url("verify", issued.pk, first.pk)).status_code == 409


def test_an_extension_needs_a_later_deadline(login, issued, chief_x):
    item = issued.items.first()
    client = login(chief_x)
    before = snapshot()
    data = {"kind": "extend", "reason": "Поставка", "new_deadline": item.deadline.isoformat()}
    response = client.post(url("amend", issued.pk, item.pk), data)
    assert "new_deadline" in response.context["form"].errors
    response = client.post(
        url("amend", issued.pk, item.pk), {"kind": "extend", "reason": "", "new_deadline": ""}
    )
    assert "reason" in response.context["form"].errors
    assert snapshot() == before
    data["new_deadline"] = (item.deadline + dt.timedelta(days=14)).isoformat()
    assert client.post(url("amend", issued.pk, item.pk), data).status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.number == f"{issued.number}-И1"
    page = client.get(url("order_detail", issued.pk)).content.decode()
    assert url("amendment_document", issued.pk, amendment.pk) in page


def test_the_chief_refers_an_overdue_item_once(login, issued, chief_x):
    item = issued.items.first()
    client = login(chief_x)
    assert client.post(url("refer", issued.pk, item.pk), {"note": "x"}).status_code == 409  # not overdue
    OrderItem.objects.filter(pk=item.pk).update(
        deadline=TODAY() - dt.timedelta(days=4), overdue_since=TODAY()
    )
    response = client.post(url("refer", issued.pk, item.pk), {"note": "Материалы в АП", "next": "overdue"})
    assert response["Location"] == url("overdue_list")
    item.refresh_from_db()
    assert item.referred_by == chief_x and item.referral_note == "Материалы в АП"
    assert OrderEvent.objects.filter(item=item, action="referred", actor=chief_x).exists()
    assert client.post(url("refer", issued.pk, item.pk), {"note": "again"}).status_code == 409


# The order page ---------------------------------------------------------------------------------------------


def test_the_order_page_shows_documents_items_and_timeline(login, reported, inspector_x):
    order = reported.item.order
    OrderItem.objects.filter(order=order, position=2).update(deadline=TODAY() - dt.timedelta(days=2))
    page = login(inspector_x).get(url("order_detail", order.pk)).content.decode()
    assert order.number in page
    assert order.pdf_sha256 in page and order.docx_sha256 in page
    assert url("order_document", order.pk, "pdf") in page
    assert url("evidence_file", order.pk, reported.evidence.first().pk) in page
    assert url("decide", order.pk, reported.pk) in page
    assert 'data-testid="overdue"' in page  # item 2, in red
    for action in ("drafted", "issued", "reported", "amended"):
        assert f'class="event-{action}"' in page


def test_the_order_page_takes_a_fixed_number_of_queries(
    login, reported, inspector_x, school_admin_a, django_assert_max_num_queries
):
    order = reported.item.order
    client = login(inspector_x)
    client.get(url("order_detail", order.pk))  # warm the session
    with django_assert_max_num_queries(20) as small:
        client.get(url("order_detail", order.pk))
    for position in (2, 3):
        services.report_fix(
            actor=school_admin_a, item=order.items.get(position=position), comment="Сделано",
            files=[("a.jpg", jpeg()), ("b.jpg", jpeg())],
        )  # fmt: skip
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url("order_detail", order.pk))


# Lists ------------------------------------------------------------------------------------------------------


def make_orders(n: int, *, school, inspection, drafted_by, overdue: bool = False) -> list[Order]:
    """Issued orders with three items each, made directly: the list does not care how they came to be."""
    orders = []
    for _ in range(n):
        order = Order.objects.create(
            inspection=inspection, school=school, district=school.district, drafted_by=drafted_by,
            status="issued", year=2025, seq=Order.objects.filter(district=school.district).count() + 1,
            issued_at=timezone.now(),
        )  # fmt: skip
        for position in (1, 2, 3):
            late = overdue and position == 1
            order_item(
                order, position=position, found=f"Нарушение {position}", remedy="Устранить",
                severity="S", fix_kind="organisational",
                deadline=TODAY() + dt.timedelta(days=-5 if late else 20),
                overdue_since=TODAY() if late else None,
                status="reported" if position == 2 else "open",
            )  # fmt: skip
        orders.append(order)
    return orders


@pytest.fixture
def canary(school_b, inspector_y):
    """An order in the other district: it must never show up for district X."""
    inspection = InspectionFactory(school=school_b, inspector=inspector_y)
    canary_school = SchoolFactory(district=school_b.district, name_ru="Канарейка № 99")
    return make_orders(1, school=canary_school, inspection=inspection, drafted_by=inspector_y, overdue=True)[
        0
    ]


def test_the_order_list_filters_counts_and_never_shows_another_district(
    login, school_a, approved_inspection, inspector_x, chief_x, canary
):
    make_orders(2, school=school_a, inspection=approved_inspection, drafted_by=inspector_x, overdue=True)
    make_orders(3, school=school_a, inspection=approved_inspection, drafted_by=inspector_x)
    client = login(chief_x)
    response = client.get(url("order_list"))
    page = response.content.decode()
    assert response.context["page"].paginator.count == 5
    assert "Канарейка" not in page
    assert response.context["counts"] == {"drafts": 0, "open": 5, "overdue": 2, "reported": 5}
    assert client.get(url("order_list"), {"overdue": "on"}).context["page"].paginator.count == 2
    assert client.get(url("order_list"), {"status": "closed"}).context["page"].paginator.count == 0
    assert client.get(url("order_list"), {"q": "Канарейка"}).context["page"].paginator.count == 0
    htmx = client.get(url("order_list"), {"q": "гимназия"}, HTTP_HX_REQUEST="true")
    assert htmx.context["page"].paginator.count == 5
    assert "<html" not in htmx.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_the_order_list_takes_a_fixed_number_of_queries(
    login, school_a, approved_inspection, inspector_x, chief_x, settings, size, django_assert_max_num_queries
):
    settings.PAGE_SIZE = 10
    make_orders(size, school=school_a, inspection=approved_inspection, drafted_by=inspector_x, overdue=True)
    client = login(chief_x)
    client.get(url("order_list"))
    with django_assert_max_num_queries(10):
        response = client.get(url("order_list"))
    assert len(response.context["page"].object_list) == min(size, 10)


def test_the_overdue_list_shows_days_overdue_and_the_referral_action(
    login, school_a, approved_inspection, inspector_x, chief_x, canary, django_assert_max_num_queries
):
    orders = make_orders(
        3, school=school_a, inspection=approved_inspection, drafted_by=inspector_x, overdue=True
    )
    client = login(chief_x)
    client.get(url("overdue_list"))
    with django_assert_max_num_queries(10):
        response = client.get(url("overdue_list"))
    page = response.content.decode()
    assert response.context["page"].paginator.count == 3
    assert [i.days_overdue for i in response.context["page"].object_list] == [5, 5, 5]
    assert "Канарейка" not in page
    item = orders[0].items.get(position=1)
    assert url("refer", orders[0].pk, item.pk) in page
    services.item_refer(actor=chief_x, item=item, note="АП")
    page = client.get(url("overdue_list")).content.decode()
    assert url("refer", orders[0].pk, item.pk) not in page
    assert 'data-testid="referred"' in page
    # An inspector sees the list but has no referral action.
    assert (
        url("refer", orders[1].pk, orders[1].items.get(position=1).pk)
        not in login(inspector_x).get(url("overdue_list")).content.decode()
    )


def test_the_verification_queue_lists_reports_waiting_for_a_decision(
    login, reported, inspector_x, inspector_y, django_assert_max_num_queries
):
    client = login(inspector_x)
    client.get(url("verification_queue"))
    with django_assert_max_num_queries(10):
        response = client.get(url("verification_queue"))
    assert list(response.context["page"].object_list) == [reported]
    assert url("decide", reported.item.order_id, reported.pk) in response.content.decode()
    assert not login(inspector_y).get(url("verification_queue")).context["page"].object_list


# Menu -----------------------------------------------------------------------------------------------------


def test_the_menu_has_orders_for_the_police_and_education(
    chief_x, inspector_x, education_user, city_supervisor, school_admin_a
):
    def keys(user):
        return [key for key, _label, _url in menu_for(user)]

    assert {"orders", "overdue"} <= set(keys(chief_x)) and "verify" not in keys(chief_x)
    assert {"orders", "verify"} <= set(keys(inspector_x)) and "overdue" not in keys(inspector_x)
    assert "orders" in keys(education_user) and "orders" in keys(city_supervisor)
    assert "orders" not in keys(school_admin_a)


# Admin: to look, never to change ----------------------------------------------------------------------------


def test_the_admin_cannot_add_change_or_delete_an_issued_order(login, reported, city_supervisor):
    order = reported.item.order
    client = login(city_supervisor)
    before = snapshot()
    assert client.get(reverse("admin:orders_order_change", args=[order.pk])).status_code == 200  # to look
    assert (
        client.post(reverse("admin:orders_order_change", args=[order.pk]), {"language": "kk"}).status_code
        == 403
    )
    assert client.get(reverse("admin:orders_order_add")).status_code == 403
    assert (
        client.post(reverse("admin:orders_order_delete", args=[order.pk]), {"post": "yes"}).status_code == 403
    )
    item = order.items.first()
    assert (
        client.post(reverse("admin:orders_orderitem_change", args=[item.pk]), {"remedy": "x"}).status_code
        == 403
    )
    assert (
        client.post(reverse("admin:orders_orderitem_delete", args=[item.pk]), {"post": "yes"}).status_code
        == 403
    )
    amendment = order.amendments.first()
    assert (
        client.post(
            reverse("admin:orders_amendment_delete", args=[amendment.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert client.post(reverse("admin:orders_schoolreport_change", args=[reported.pk]), {}).status_code == 403
    event = order.events.first()
    assert (
        client.post(reverse("admin:orders_orderevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    changelist = client.post(
        reverse("admin:orders_order_changelist"),
        {"action": "delete_selected", "_selected_action": [order.pk]},
    )
    assert changelist.status_code in (200, 302)
    assert snapshot() == before


def test_the_admin_may_delete_a_draft_order(login, draft, city_supervisor):
    client = login(city_supervisor)
    response = client.post(reverse("admin:orders_order_delete", args=[draft.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Order.objects.exists() and not OrderItem.objects.exists()
