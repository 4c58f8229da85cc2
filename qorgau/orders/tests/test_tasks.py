"""The deadline job as a django-tasks task."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus

from qorgau.orders import services
from qorgau.orders.models import Notification, OrderItem
from qorgau.orders.tasks import check_deadlines_task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_documents")]

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def overdue_item(approved_inspection, inspector_x, chief_x):
    order = services.order_issue(
        actor=chief_x, order=services.order_draft(actor=inspector_x, inspection=approved_inspection)
    )
    item = order.items.order_by("position").first()
    OrderItem.objects.filter(pk=item.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    return item


def test_enqueuing_the_task_runs_the_deadline_job(settings, overdue_item, school_admin_a):
    settings.TASKS = IMMEDIATE
    result = check_deadlines_task.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["overdue"] == 1
    assert result.return_value["notifications"] >= 3  # the school, the inspector, the chief
    overdue_item.refresh_from_db()
    assert overdue_item.overdue_since == timezone.localdate()
    assert Notification.objects.filter(item=overdue_item, recipient=school_admin_a, kind="overdue").exists()


def test_running_the_task_again_changes_nothing(settings, overdue_item):
    settings.TASKS = IMMEDIATE
    check_deadlines_task.enqueue()
    again = check_deadlines_task.enqueue()
    assert (again.return_value["overdue"], again.return_value["notifications"]) == (0, 0)


def test_the_database_queue_keeps_the_task_until_a_worker_runs_it(overdue_item, monkeypatch):
    # The configured backend: the task waits in the database; `db_worker --batch` runs what is queued.
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    # Between tasks the worker closes connections that are not in autocommit mode, as the test's is.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    result = check_deadlines_task.enqueue()
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.READY
    overdue_item.refresh_from_db()
    assert overdue_item.overdue_since is None
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["overdue"] == 1
