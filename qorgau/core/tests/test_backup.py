"""Backup and restore: a round trip into an empty installation brings back every row and every file.

The empty installation is a second database next to the test database (a file for SQLite, a database named
after the test database for PostgreSQL), migrated like a new installation, plus an empty files folder.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from qorgau.core import backup
from qorgau.inspections.models import Photo
from qorgau.inspections.photos import photo_add
from qorgau.orders.models import Amendment, Evidence, Order
from qorgau.registry.models import School
from qorgau.tests.access_world import build_world, jpeg_bytes
from qorgau.tests.factories import InspectionFactory

pytestmark = pytest.mark.django_db
TARGET = "restore_target"


def _drop_postgres(name: str) -> None:
    with connections["default"]._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def target_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """A second, migrated database: what `qorgau migrate` leaves in a new installation."""
    with django_db_blocker.unblock():
        source = connections["default"].settings_dict
        settings_dict = {**source, "TEST": {**source.get("TEST", {})}}
        vendor = connections["default"].vendor
        if vendor == "sqlite":
            settings_dict["NAME"] = str(tmp_path_factory.mktemp("restore") / "restore.sqlite3")
        elif vendor == "postgresql":
            settings_dict["NAME"] = f"{source['NAME']}_restore"[:63]
            _drop_postgres(settings_dict["NAME"])  # a leftover of an interrupted run
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
        else:  # pragma: no cover
            pytest.skip(f"no second database for {vendor}")
        connections.settings[TARGET] = settings_dict
        try:
            call_command("migrate", database=TARGET, verbosity=0, interactive=False)
            yield TARGET
        finally:
            connections[TARGET].close()
            del connections[TARGET]
            del connections.settings[TARGET]
            if vendor == "postgresql":
                _drop_postgres(settings_dict["NAME"])


@pytest.fixture
def empty_target(target_database, tmp_path):
    """The second database, as migrated (each test's writes to it are rolled back), and an empty folder."""
    assert not any(backup.data_counts(target_database).values())
    media = tmp_path / "restored-files"
    media.mkdir()
    return target_database, media


# Tests that restore into the second database: its writes are rolled back after each test like the default's.
uses_target = pytest.mark.django_db(databases=["default", TARGET])


@pytest.fixture
def world(settings, tmp_path):
    """Everything, through the services: photos, findings, issued orders with documents, evidence."""
    settings.MEDIA_ROOT = tmp_path / "files"
    return build_world()


@pytest.fixture
def small_world(settings, tmp_path, school_a, inspector_x):
    """A little data with stored files, for the tests that do not need every table filled."""
    settings.MEDIA_ROOT = tmp_path / "files"
    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    for colour in ("navy", "teal"):
        photo_add(actor=inspector_x, inspection=inspection, data=jpeg_bytes(colour))
    return inspection


def every_row(using: str) -> dict[str, list[tuple]]:
    return {
        model._meta.label_lower: list(backup.table_rows(model, using=using))
        for model in backup.backed_up_models(using)
    }


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def tamper(archive: Path, member_name: str, out: Path) -> None:
    """A copy of the archive with one byte of one member changed."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name == member_name:
                data = bytes([data[0] ^ 0x01]) + data[1:]
            dst.addfile(member, io.BytesIO(data))


@uses_target
def test_a_backup_restores_every_row_and_file_into_an_empty_installation(
    world, empty_target, settings, tmp_path
):
    target, restored_media = empty_target
    # The world has what a backup must not lose: photos, evidence, issued documents, amendments.
    assert Photo.objects.count() >= 4 and Evidence.objects.count() >= 2 and Amendment.objects.count() >= 2
    assert Order.objects.exclude(pdf_file="").count() >= 2
    source_rows = every_row("default")
    source_files = file_hashes(Path(settings.MEDIA_ROOT))
    assert len(source_files) >= 14  # 2 sides × (3 photos × 2 sizes + order PDF/DOCX + evidence + amendment)

    made = backup.backup_create(output=tmp_path / "out" / "qorgau.tar.gz")

    assert made.path.exists()
    assert [p.name for p in made.path.parent.iterdir()] == ["qorgau.tar.gz"]  # no partial file left
    manifest = made.manifest
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["db_vendor"] == connections["default"].vendor
    assert manifest["counts"] == {label: len(rows) for label, rows in source_rows.items()}
    assert {n[len("media/") :] for n in manifest["files"] if n.startswith("media/")} == set(source_files)
    for name, sha in source_files.items():
        assert manifest["files"][f"media/{name}"]["sha256"] == sha

    result = backup.restore(archive=made.path, using=target, media_root=restored_media)

    assert result.rows == sum(manifest["counts"].values())
    assert every_row(target) == source_rows
    assert file_hashes(restored_media) == source_files


@uses_target
def test_a_tampered_archive_is_refused_before_anything_is_written(
    small_world, empty_target, settings, tmp_path
):
    target, restored_media = empty_target
    made = backup.backup_create(output=tmp_path / "qorgau.tar.gz")
    photo = Photo.objects.order_by("id").first()
    tampered = tmp_path / "tampered.tar.gz"
    tamper(made.path, f"media/{photo.file}", tampered)
    seeded_before = every_row(target)

    with pytest.raises(backup.BackupError, match=f"media/{photo.file}: its SHA-256 differs"):
        backup.restore(archive=tampered, using=target, media_root=restored_media)

    assert not any(backup.data_counts(target).values())
    assert every_row(target) == seeded_before
    assert list(restored_media.iterdir()) == []


@uses_target
def test_a_changed_row_file_is_refused_too(small_world, empty_target, tmp_path):
    target, restored_media = empty_target
    made = backup.backup_create(output=tmp_path / "qorgau.tar.gz")
    tampered = tmp_path / "tampered.tar.gz"
    tamper(made.path, "db/inspections.photo.jsonl", tampered)

    with pytest.raises(backup.BackupError, match="db/inspections.photo.jsonl: its SHA-256 differs"):
        backup.restore(archive=tampered, using=target, media_root=restored_media)
    assert not any(backup.data_counts(target).values())


def test_restore_refuses_a_database_that_holds_data(small_world, tmp_path):
    made = backup.backup_create(output=tmp_path / "qorgau.tar")
    with tarfile.open(made.path) as tar:  # a plain .tar works as well
        assert tar.getnames()[-1] == "manifest.json"

    with pytest.raises(backup.BackupError, match="already holds data"):
        backup.restore(archive=made.path, media_root=tmp_path / "empty")


def test_force_brings_an_installation_back_to_the_archive(small_world, school_a, settings, tmp_path):
    media = Path(settings.MEDIA_ROOT)
    rows, files = every_row("default"), file_hashes(media)
    made = backup.backup_create(output=tmp_path / "qorgau.tar.gz")
    Photo.objects.filter(inspection=small_world).first().delete()
    School.objects.filter(pk=school_a.pk).update(pupils=4321)
    next(p for p in media.rglob("*.jpg")).unlink()

    backup.restore(archive=made.path, force=True)

    assert every_row("default") == rows
    assert file_hashes(media) == files


def test_an_interrupted_backup_leaves_no_archive(small_world, tmp_path):
    out = tmp_path / "out"
    real_add = backup._add
    calls = []

    def failing_add(tar, arcname, path, entries):
        calls.append(arcname)
        if len(calls) == 5:
            raise OSError("disk full")
        return real_add(tar, arcname, path, entries)

    with mock.patch.object(backup, "_add", failing_add), pytest.raises(OSError):
        backup.backup_create(output=out / "qorgau.tar.gz")
    assert list(out.iterdir()) == []


@uses_target
def test_the_commands_report_what_they_did(small_world, empty_target, tmp_path, capsys):
    target, _media = empty_target
    archive = tmp_path / "b.tar.gz"
    call_command("backup", output=str(archive))
    assert "Backup written to" in capsys.readouterr().out
    call_command("restore", str(archive), check=True)
    assert "The archive is intact" in capsys.readouterr().out

    (tmp_path / "junk.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a readable backup archive"):
        call_command("restore", str(tmp_path / "junk.tar.gz"))
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(archive))
