from django.core.management.base import BaseCommand

from qorgau.orders.deadlines import check_deadlines


class Command(BaseCommand):
    help = (
        "Mark overdue order items, send reminders, escalate. Safe to run repeatedly (e.g. every 5 minutes)."
    )

    def handle(self, *args, **options):
        run = check_deadlines()
        self.stdout.write(
            f"overdue: {run.overdue}, reminders: {run.reminders}, notifications: {run.notifications}, "
            f"batches: {run.batches}, schools ranked by risk: {run.risk_refreshed}"
        )
