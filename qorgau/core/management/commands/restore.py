"""`qorgau restore FILE`: bring a backup back into an empty installation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qorgau.core import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `qorgau backup` into an empty installation (a new database after "
        "`qorgau migrate`, an empty files folder). Every file's SHA-256 is checked against the manifest "
        "before anything is written; rows and files are restored all or nothing; the row counts are checked. "
        "Stop the app while restoring."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive written by `qorgau backup`")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace whatever the database holds (and files of the same name) instead of refusing",
        )
        parser.add_argument("--check", action="store_true", help="only verify the archive; write nothing")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, file: str, force: bool, check: bool, database: str, **options):
        try:
            if check:
                manifest = backup.verify_archive(Path(file))
                self.stdout.write(
                    self.style.SUCCESS(
                        f"The archive is intact: {len(manifest['files'])} members match the manifest "
                        f"(made {manifest['created_at']} by Qorgau {manifest['app_version']}, "
                        f"{manifest['db_vendor']})."
                    )
                )
                return
            result = backup.restore(archive=Path(file), using=database, force=force)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Cannot restore: {error}.") from None
        manifest = result.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.rows:,} rows and {result.files:,} files from the backup made "
                f"{manifest['created_at']} (Qorgau {manifest['app_version']}, {manifest['db_vendor']}); "
                "row counts match the manifest."
            )
        )
