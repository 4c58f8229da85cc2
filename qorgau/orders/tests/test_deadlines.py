"""The deadline job: boundaries in Asia/Almaty, exactly-once notifications, escalation."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command

from qorgau.orders import services
from qorgau.orders.deadlines import check_deadlines
from qorgau.orders.models import Notification, OrderEvent, OrderItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_documents")]
ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def item(approved_inspection, inspector_x, chief_x, school_admin_a):
    school_admin_a.email = "head@school.kz"
    school_admin_a.save()
    order = services.order_issue(
        actor=chief_x, order=services.order_draft(actor=inspector_x, inspection=approved_inspection)
    )
    item = order.items.order_by("position").first()
    OrderItem.objects.filter(order=order).exclude(pk=item.pk).update(deadline=dt.date(2030, 1, 1))
    OrderItem.objects.filter(pk=item.pk).update(deadline=dt.date(2026, 12, 10))
    item.refresh_from_db()
    return item


def at(y, m, d, hh, mm):
    return dt.datetime(y, m, d, hh, mm, tzinfo=ALMATY)


def test_an_item_is_not_overdue_at_2359_of_its_deadline_day(item):
    check_deadlines(now=at(2026, 12, 10, 23, 59))
    item.refresh_from_db()
    assert item.overdue_since is None


def test_an_item_is_overdue_at_0000_after_its_deadline_day(item):
    check_deadlines(now=at(2026, 12, 11, 0, 0))
    item.refresh_from_db()
    assert item.overdue_since == dt.date(2026, 12, 11)


def test_overdue_is_escalated_to_school_inspector_and_chief_once(
    item, school_admin_a, inspector_x, chief_x, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # emails go out when each batch commits
        first = check_deadlines(now=at(2026, 12, 11, 0, 5))
    with django_capture_on_commit_callbacks(execute=True):
        second = check_deadlines(now=at(2026, 12, 11, 0, 10))
    recipients = set(
        Notification.objects.filter(kind="overdue", item=item).values_list("recipient", flat=True)
    )
    assert recipients == {school_admin_a.pk, inspector_x.pk, chief_x.pk}
    assert first.overdue == 1
    assert (second.overdue, second.notifications) == (0, 0)
    assert OrderEvent.objects.filter(item=item, action="overdue").count() == 1
    assert [m.to for m in mail.outbox] == [["head@school.kz"]]


def test_reminders_go_3_days_and_1_day_before_each_once(item, school_admin_a):
    check_deadlines(now=at(2026, 12, 6, 9, 0))  # 4 days before: nothing yet
    assert not Notification.objects.filter(item=item).exists()
    check_deadlines(now=at(2026, 12, 7, 9, 0))
    check_deadlines(now=at(2026, 12, 7, 9, 5))
    check_deadlines(now=at(2026, 12, 9, 9, 0))
    check_deadlines(now=at(2026, 12, 10, 18, 0))
    kinds = list(Notification.objects.filter(item=item).order_by("created_at").values_list("kind", flat=True))
    assert kinds == ["remind3", "remind1"]


def test_a_reported_item_is_not_marked_overdue_while_awaiting_verification(item, school_admin_a):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "PNG")
    services.report_fix(actor=school_admin_a, item=item, comment="Сделано", files=[("a.png", buf.getvalue())])
    check_deadlines(now=at(2026, 12, 20, 12, 0))
    item.refresh_from_db()
    assert item.overdue_since is None


def test_the_notification_is_in_the_recipients_language(item, school_admin_a, inspector_x):
    school_admin_a.language = "kk"
    school_admin_a.save()
    inspector_x.language = "en"
    inspector_x.save()
    check_deadlines(now=at(2026, 12, 12, 8, 0))
    english = Notification.objects.get(kind="overdue", recipient=inspector_x)
    kazakh = Notification.objects.get(kind="overdue", recipient=school_admin_a)
    assert "overdue" in english.subject
    assert english.subject != kazakh.subject


def test_the_command_runs_and_reports(item, capsys):
    call_command("check-deadlines")
    assert "overdue:" in capsys.readouterr().out
