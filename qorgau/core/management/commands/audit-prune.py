from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qorgau.core import audit


class Command(BaseCommand):
    help = (
        "Delete audit log entries older than AUDIT_RETENTION_DAYS (or --days). Safe to run daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="keep this many days instead of the setting"
        )

    def handle(self, *args, days=None, **options):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days must be at least 1.")
        deleted = audit.prune(days=days)
        self.stdout.write(f"Deleted {deleted} audit entries older than {days} days.")
