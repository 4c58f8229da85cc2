"""The order's loop: draft → issue → delivery → reports → verification → closed; amendments; referral."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image

from qorgau.accounts.scoping import visible
from qorgau.core.errors import InvalidTransition, NotAllowed
from qorgau.orders import services
from qorgau.orders.models import Amendment, Notification, Order, OrderEvent, OrderItem, SchoolReport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_documents")]


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def draft(approved_inspection, inspector_x):
    return services.order_draft(actor=inspector_x, inspection=approved_inspection)


@pytest.fixture
def issued(draft, chief_x):
    return services.order_issue(actor=chief_x, order=draft)


def test_a_draft_has_one_item_per_finding_with_default_deadlines(draft):
    items = list(draft.items.order_by("position"))
    assert [i.finding.item.code for i in items] == ["AC-2", "PE-1", "DO-1"]
    today = timezone.localdate()
    by_code = {i.finding.item.code: i for i in items}
    assert by_code["DO-1"].deadline == today + dt.timedelta(days=10)  # gross, organisational
    assert by_code["PE-1"].deadline == today + dt.timedelta(days=90)  # significant, equipment
    assert by_code["AC-2"].remedy.startswith("Организовать ведение журнала")


def test_a_deadline_before_the_issue_date_is_refused(draft, inspector_x):
    item = draft.items.first()
    with pytest.raises(ValidationError) as error:
        services.order_item_update(
            actor=inspector_x, item=item, data={"deadline": timezone.localdate() - dt.timedelta(days=1)}
        )
    assert "deadline" in error.value.message_dict


def test_issuing_numbers_the_order_and_freezes_it(issued, chief_x, inspector_x):
    year = timezone.localtime().year
    assert issued.number == f"TX/{year}/0001"
    assert issued.pdf_sha256 and issued.docx_sha256
    with pytest.raises(InvalidTransition):
        services.order_item_update(actor=inspector_x, item=issued.items.first(), data={"remedy": "иное"})
    assert OrderEvent.objects.filter(order=issued, action="issued").exists()


def test_only_the_chief_issues(draft, inspector_x):
    with pytest.raises(NotAllowed):
        services.order_issue(actor=inspector_x, order=draft)


def test_orders_are_numbered_without_gaps_within_a_district_and_year(
    approved_inspection, inspector_x, chief_x, school_a
):
    from qorgau.inspections import services as inspection_services
    from qorgau.inspections.tests.test_services import answer_all
    from qorgau.tests.factories import InspectionFactory

    first = services.order_issue(
        actor=chief_x, order=services.order_draft(actor=inspector_x, inspection=approved_inspection)
    )
    second_inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    answer_all(second_inspection, inspector_x, fail=("AC-1",))
    inspection_services.inspection_submit(actor=inspector_x, inspection=second_inspection)
    inspection_services.inspection_approve(actor=chief_x, inspection=second_inspection)
    second = services.order_issue(
        actor=chief_x, order=services.order_draft(actor=inspector_x, inspection=second_inspection)
    )
    assert (first.seq, second.seq) == (1, 2)


def test_the_school_sees_the_order_only_once_issued(draft, chief_x, school_admin_a, school_admin_b):
    assert not visible(school_admin_a, Order).exists()
    services.order_issue(actor=chief_x, order=draft)
    assert list(visible(school_admin_a, Order)) == [draft]
    assert not visible(school_admin_b, Order).exists()


def test_the_school_is_notified_when_an_order_is_issued(
    draft, chief_x, school_admin_a, django_capture_on_commit_callbacks
):
    school_admin_a.email = "head@school.kz"
    school_admin_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.order_issue(actor=chief_x, order=draft)
    note = Notification.objects.get(recipient=school_admin_a, kind="issued")
    assert draft.number in note.subject


def test_the_school_acknowledges_receipt_once(issued, school_admin_a):
    services.order_acknowledge(actor=school_admin_a, order=issued, name="Ахметова Г. С.")
    issued.refresh_from_db()
    assert issued.delivery == "online"
    with pytest.raises(InvalidTransition):
        services.order_acknowledge(actor=school_admin_a, order=issued, name="x")


def test_the_inspector_records_a_refused_receipt_with_a_note(issued, inspector_x):
    with pytest.raises(ValidationError):
        services.order_record_delivery(actor=inspector_x, order=issued, kind="refused")
    services.order_record_delivery(
        actor=inspector_x, order=issued, kind="refused", note="Директор отказалась, в присутствии завуча"
    )
    assert OrderEvent.objects.filter(order=issued, action="refused").exists()


def test_the_whole_loop_ends_with_the_order_closed(issued, school_admin_a, inspector_x):
    first, second, third = issued.items.order_by("position")
    r1 = services.report_fix(
        actor=school_admin_a, item=first, comment="Журнал заведён", files=[("journal.jpg", jpeg())]
    )
    r2 = services.report_fix(
        actor=school_admin_a, item=second, comment="Забор починен", files=[("fence.jpg", jpeg())]
    )
    services.report_decide(actor=inspector_x, report=r1, accept=True)
    with pytest.raises(ValidationError):
        services.report_decide(actor=inspector_x, report=r2, accept=False)
    services.report_decide(actor=inspector_x, report=r2, accept=False, reason="На фото другой участок")
    second.refresh_from_db()
    assert second.status == "open"
    r3 = services.report_fix(
        actor=school_admin_a, item=second, comment="Фото всего периметра", files=[("fence2.jpg", jpeg())]
    )
    services.report_decide(actor=inspector_x, report=r3, accept=True)
    services.item_verify(actor=inspector_x, item=third, done=True, reason="Паспорт предъявлен при проверке")
    issued.refresh_from_db()
    assert issued.status == "closed"
    assert OrderEvent.objects.filter(order=issued, action="closed").count() == 1


def test_evidence_is_checked_by_content_not_by_name(issued, school_admin_a):
    item = issued.items.first()
    with pytest.raises(ValidationError):
        services.report_fix(
            actor=school_admin_a, item=item, comment="x", files=[("photo.jpg", b"<html><script>1</script>")]
        )
    with pytest.raises(ValidationError):
        services.report_fix(actor=school_admin_a, item=item, comment="x", files=[])
    report = services.report_fix(
        actor=school_admin_a,
        item=item,
        comment="Договор",
        files=[("contract.pdf", b"%PDF-1.4\n1 0 obj\n%%EOF\n")],
    )
    assert report.evidence.get().content_type == "application/pdf"
    assert not SchoolReport.objects.filter(comment="x").exists()


def test_an_extension_granted_is_a_numbered_amendment(issued, school_admin_a, inspector_x):
    item = issued.items.order_by("position").first()
    old = item.deadline
    report = services.request_extension(
        actor=school_admin_a,
        item=item,
        requested_deadline=old + dt.timedelta(days=20),
        reason="Поставка турникета",
    )
    services.report_decide(actor=inspector_x, report=report, accept=True)
    item.refresh_from_db()
    assert item.deadline == old + dt.timedelta(days=20)
    amendment = Amendment.objects.get(item=item)
    assert amendment.number == f"{issued.number}-И1"
    assert amendment.old_deadline == old
    assert amendment.pdf_sha256


def test_withdrawing_the_last_open_items_closes_the_order(issued, chief_x):
    for item in issued.items.all():
        services.amendment_create(actor=chief_x, item=item, kind="withdraw", reason="Объект на капремонте")
    issued.refresh_from_db()
    assert issued.status == "closed"
    assert list(issued.amendments.values_list("seq", flat=True)) == [1, 2, 3]


def test_only_an_overdue_item_is_referred_and_only_once(issued, chief_x):
    item = issued.items.first()
    with pytest.raises(InvalidTransition):
        services.item_refer(actor=chief_x, item=item, note="КоАП 149")
    OrderItem.objects.filter(pk=item.pk).update(overdue_since=timezone.localdate())
    services.item_refer(actor=chief_x, item=item, note="Материал направлен в АП")
    with pytest.raises(InvalidTransition):
        services.item_refer(actor=chief_x, item=item, note="again")


def test_a_follow_up_inspection_is_scheduled_from_the_order(issued, inspector_x):
    inspection = services.follow_up_schedule(
        actor=inspector_x, order=issued, planned_on=timezone.localdate() + dt.timedelta(days=30)
    )
    assert inspection.kind == "follow_up"
    assert issued.number in inspection.reason


def test_an_extension_cannot_be_granted_for_a_closed_item(issued, school_admin_a, inspector_x, chief_x):
    item = issued.items.order_by("position").first()
    report = services.request_extension(
        actor=school_admin_a,
        item=item,
        requested_deadline=item.deadline + dt.timedelta(days=5),
        reason="Поставка",
    )
    services.item_verify(actor=inspector_x, item=item, done=True, reason="Исправлено на месте")
    report.refresh_from_db()
    assert report.decision == "rejected"  # settled: nothing waits for a decision that cannot be made
    with pytest.raises(InvalidTransition):
        services.report_decide(actor=inspector_x, report=report, accept=True)


def test_withdrawing_a_reported_item_settles_the_pending_report(issued, school_admin_a, chief_x):
    item = issued.items.order_by("position").first()
    report = services.report_fix(
        actor=school_admin_a, item=item, comment="Сделано", files=[("a.jpg", jpeg())]
    )
    services.amendment_create(actor=chief_x, item=item, kind="withdraw", reason="Объект закрыт на ремонт")
    report.refresh_from_db()
    assert report.decision == "rejected"
    assert report.decision_reason


def test_an_extension_into_the_past_is_refused(issued, chief_x):
    item = issued.items.order_by("position").first()
    OrderItem.objects.filter(pk=item.pk).update(deadline=timezone.localdate() - dt.timedelta(days=10))
    item.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.amendment_create(
            actor=chief_x,
            item=item,
            kind="extend",
            reason="x",
            new_deadline=timezone.localdate() - dt.timedelta(days=1),
        )
    assert "new_deadline" in error.value.message_dict


def test_evidence_is_stored_with_the_extension_of_what_it_is(issued, school_admin_a):
    item = issued.items.first()
    pdf_named_html = b"%PDF-1.4\n<script>alert(1)</script>\n%%EOF\n"
    report = services.report_fix(
        actor=school_admin_a, item=item, comment="Акт", files=[("x.html", pdf_named_html)]
    )
    assert report.evidence.get().file.endswith(".pdf")
