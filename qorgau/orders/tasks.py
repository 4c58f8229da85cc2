"""Background tasks of orders, for django-tasks.

The deadline job runs either from cron (`qorgau check-deadlines` every 5 minutes) or as this task, enqueued
(e.g. `check_deadlines_task.enqueue()`) and run by a worker (`qorgau db_worker`). Either way it is safe to
run again: an item becomes overdue once and every notification is sent once.
"""

from dataclasses import asdict

from django_tasks import task

from qorgau.orders.deadlines import check_deadlines


@task()
def check_deadlines_task() -> dict[str, int]:
    """Mark overdue items, send reminders, escalate; return the counts (overdue, reminders, notifications,
    batches)."""
    return asdict(check_deadlines())
