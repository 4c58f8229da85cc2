"""`qorgau backup [--output FILE]`: one archive with the database, the stored files and a manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qorgau.core import backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup while the app runs: every database row, every file under the files "
        "folder (photos, issued documents, evidence) and a manifest with row counts and SHA-256 of every "
        "file, as one .tar.gz (or .tar). The archive appears under its name only when complete."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="the archive to write, .tar.gz or .tar (default: var/backups/qorgau-<UTC time>.tar.gz)",
        )
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, output: str | None, database: str, **options):
        try:
            result = backup.backup_create(output=Path(output) if output else None, using=database)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Cannot write the backup: {error}.") from None
        counts = result.manifest["counts"]
        files = sum(1 for name in result.manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {result.path} ({result.size / 1_000_000:.1f} MB): "
                f"{sum(counts.values()):,} rows in {len(counts)} tables, {files:,} files."
            )
        )
