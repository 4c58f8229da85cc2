"""`qorgau import-schools FILE`: the import page's check and write, from the command line."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from qorgau.core.errors import ImportRejected, NotAllowed
from qorgau.registry import importing


class Command(BaseCommand):
    help = (
        "Import schools, or their equipment, from a CSV or XLSX file. Nothing is written if any row has an "
        "error. Without --user the import runs as the system, with the whole city in scope."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument("--user", help="import as this user, within their area (username)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and write nothing")

    def handle(self, *args, file: str, user: str | None, dry_run: bool, **options):
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user {user!r}.") from None
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        service = importing.import_preview if dry_run else importing.import_apply
        try:
            result = service(user=actor, data=data, filename=path.name)
        except NotAllowed as error:
            raise CommandError(str(error)) from None
        except ImportRejected as error:
            self._print_errors(error.errors)
            raise CommandError(str(error)) from None
        if result.errors:  # only a dry run returns errors instead of raising them
            self._print_errors(result.errors)
            raise CommandError(str(importing.HAS_ERRORS))
        for column in result.ignored_columns:
            self.stderr.write(f"Ignored unknown column: {column}")
        verb = "Would import" if dry_run else "Imported"
        rows = "row" if result.rows == 1 else "rows"
        self.stdout.write(
            f"{verb} {result.rows} {rows} of {result.kind}: {result.created} created, "
            f"{result.updated} updated, {result.unchanged} unchanged."
        )

    def _print_errors(self, errors) -> None:
        for error in errors:
            self.stderr.write(f"row {error.row}, column {error.column}: {error.message}")
