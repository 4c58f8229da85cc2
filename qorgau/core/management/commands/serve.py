"""`qorgau serve`: the production server (gunicorn; static files by whitenoise from STATIC_ROOT)."""

import os
import shutil
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def gunicorn_argv(*, bind: str, workers: int, timeout: int) -> list[str]:
    executable = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or "gunicorn"
    return [
        executable, "qorgau.wsgi:application", "--bind", bind, "--workers", str(workers),
        "--timeout", str(timeout), "--access-logfile", "-", "--forwarded-allow-ips", "*",
    ]  # fmt: skip


class Command(BaseCommand):
    help = "Run Qorgau in production: collect static files, then serve with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument("--timeout", type=int, default=60)
        parser.add_argument(
            "--print", action="store_true", help="Print the gunicorn command instead of running it."
        )

    def handle(self, *args, bind, workers, timeout, print: bool, **options):
        if settings.DEBUG:
            raise CommandError(
                "Refusing to serve with DEBUG on: set QORGAU_ENV=production (and SECRET_KEY, ALLOWED_HOSTS)."
            )
        argv = gunicorn_argv(bind=bind, workers=workers, timeout=timeout)
        if print:
            self.stdout.write(" ".join(argv))
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        os.execv(argv[0], argv)  # noqa: S606 - replaces this process with the server, no shell involved
