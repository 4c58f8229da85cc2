"""Backups: one archive with every row of the database, every stored file and a manifest of their hashes.

Why rows through Django rather than `pg_dump` or SQLite's file copy: one format and one code path for both
databases; the dump reads a single consistent snapshot (PostgreSQL: a REPEATABLE READ, READ ONLY transaction;
SQLite: one read transaction, which in WAL mode does not stop writers), so it is safe while the app runs; it
does not depend on a `pg_dump` client as new as the server; and a restore is one transaction on the target
that either brings back every row with its primary key or nothing. What it needs: the target must be at the
same migrations as the source (the manifest names them and `restore` checks), which is what "restore with the
version that made the backup, then upgrade" means anyway.

The archive (`.tar.gz`, or `.tar`):
- `db/<app_label>.<model>.jsonl` — one file per table: a header line naming the columns, then one JSON array
  per row, ordered by primary key;
- `media/<path>` — every file under MEDIA_ROOT (photos, issued documents, evidence), as stored;
- `manifest.json` (last) — format and app version, database vendor, creation time, applied migrations, row
  counts per model and the SHA-256 and size of every other member.

It is written under a temporary name and renamed when complete, so a half-written archive never carries the
final name. A restore checks every hash before it writes anything, writes the rows and files in one
transaction (files written are removed again if it fails), and then checks the counts.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connections, models, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.duration import duration_iso_string

from qorgau.core.errors import QorgauError

FORMAT = "qorgau-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
INSERT_BATCH = 1000

# Rows that `migrate` writes itself (content types, permissions, the Almaty districts, the default checklist):
# an installation holding only these is empty. Restore replaces them with the archive's own.
MIGRATION_SEEDED = {
    "contenttypes.contenttype",
    "auth.permission",
    "registry.district",
    "checklists.checklisttemplate",
    "checklists.templateversion",
    "checklists.section",
    "checklists.item",
}

_DB_MEMBER = re.compile(r"^db/([a-z0-9_]+\.[a-z0-9_]+)\.jsonl$")


class BackupError(QorgauError):
    """A backup could not be made or restored; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    size: int = 0


@dataclass
class RestoreResult:
    manifest: dict
    rows: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)


def app_version() -> str:
    try:
        return metadata.version("qorgau")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare source tree
        return "unknown"


def backed_up_models(using: str = "default") -> list[type[models.Model]]:
    """Every table Django manages on this database, many-to-many tables included, in a stable order."""
    found = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and router.allow_migrate_model(using, model)
    ]
    return sorted(found, key=lambda m: m._meta.label_lower)


def _columns(model) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def table_rows(model, *, using: str = "default") -> Iterator[tuple]:
    """Every row of a table as Python values, ordered by primary key."""
    names = [f.attname for f in _columns(model)]
    qs = model._base_manager.using(using).order_by("pk").values_list(*names)
    return qs.iterator(chunk_size=2000)


# Values as JSON -------------------------------------------------------------------------------------------


def _encode(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # in full: DjangoJSONEncoder would drop microseconds
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot store {type(value).__name__} in a backup")


def _dumps(value) -> str:
    return json.dumps(value, default=_encode, ensure_ascii=False, separators=(",", ":"))


# Making a backup ------------------------------------------------------------------------------------------


@contextmanager
def _snapshot(using: str):
    """Read everything from one consistent state of the database, without blocking writers."""
    connection = connections[using]
    if connection.in_atomic_block:
        # Called inside a caller's transaction (tests, or a script): that transaction is the snapshot.
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        # A deferred read transaction: atomic() here would BEGIN IMMEDIATE and hold the write lock.
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
    else:  # pragma: no cover - other vendors: the database's default isolation
        with transaction.atomic(using=using):
            yield


def applied_migrations(using: str = "default") -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[using])
    if not recorder.has_table():
        return {}
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def _media_files(root: Path) -> list[tuple[Path, str]]:
    if not root.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_symlink() or not path.is_file():
                continue
            found.append((path, path.relative_to(root).as_posix()))
    return found


class _HashingReader(io.RawIOBase):
    """Reads a file object, hashing what passes through (so that each file is read once)."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.sha256.update(data)
        self.size += n
        return n


def _add(tar: tarfile.TarFile, arcname: str, path: Path, entries: dict) -> None:
    info = tarfile.TarInfo(arcname)
    info.size = path.stat().st_size
    info.mtime = int(path.stat().st_mtime)
    info.mode = 0o644
    with path.open("rb") as raw:
        reader = _HashingReader(raw)
        tar.addfile(info, io.BufferedReader(reader, CHUNK))
    if reader.size != info.size:
        raise BackupError(f"{arcname} changed while it was being archived; run the backup again.")
    entries[arcname] = {"sha256": reader.sha256.hexdigest(), "size": reader.size}


def _tar_mode(path: Path, write: bool) -> str:
    if not write:
        return "r:*"
    return "w:gz" if path.name.endswith((".gz", ".tgz")) else "w"


def default_output() -> Path:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"qorgau-{stamp}.tar.gz"


def pending_migrations(using: str = "default") -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def backup_create(*, output: Path | None = None, using: str = "default", media_root: Path | None = None):
    """Write the archive; return its path and manifest."""
    pending = pending_migrations(using)
    if pending:
        raise BackupError(
            f"The database lacks migrations of this Qorgau version ({', '.join(pending[:5])}): run "
            "`qorgau migrate` first, so that the backup matches the code that will restore it."
        )
    output = Path(output) if output is not None else default_output()
    media_root = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    output.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    manifest: dict = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": app_version(),
        "db_vendor": connection.vendor,
        "created_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "migrations": {},
        "counts": {},
        "files": {},
    }
    partial = output.with_name(f".{output.name}.{uuid.uuid4().hex}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="qorgau-backup-") as work:
            tables = []
            with _snapshot(using):
                manifest["migrations"] = applied_migrations(using)
                for model in backed_up_models(using):
                    label = model._meta.label_lower
                    path = Path(work) / f"{label}.jsonl"
                    count = 0
                    with path.open("w", encoding="utf-8") as out:
                        header = {
                            "model": label,
                            "table": model._meta.db_table,
                            "columns": [f.attname for f in _columns(model)],
                        }
                        out.write(_dumps(header) + "\n")
                        for row in table_rows(model, using=using):
                            out.write(_dumps(row) + "\n")
                            count += 1
                    manifest["counts"][label] = count
                    tables.append((f"db/{label}.jsonl", path))
            # Files are listed after the snapshot: every file its rows name was written before they were
            # committed, so it is there. A file stored since is included too; nothing refers to it.
            media = _media_files(media_root)
            with tarfile.open(partial, _tar_mode(output, write=True)) as tar:
                for arcname, path in tables:
                    _add(tar, arcname, path, manifest["files"])
                for path, relative in media:
                    _add(tar, f"media/{relative}", path, manifest["files"])
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                info.mtime = int(timezone.now().timestamp())
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(data))
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, output)
        _fsync_dir(output.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(path=output, manifest=manifest, size=output.stat().st_size)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - some filesystems do not open directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


# Checking an archive --------------------------------------------------------------------------------------


def _safe_media_name(name: str) -> str | None:
    """The path under MEDIA_ROOT for an archive member `media/...`, or None if it could lead elsewhere."""
    relative = PurePosixPath(name[len("media/") :])
    if not relative.parts or relative.is_absolute() or any(p in ("", ".", "..") for p in relative.parts):
        return None
    return relative.as_posix()


def _member_kind(member: tarfile.TarInfo) -> str | None:
    if not member.isfile():
        return None
    if member.name == MANIFEST:
        return "manifest"
    if _DB_MEMBER.match(member.name):
        return "db"
    if member.name.startswith("media/") and _safe_media_name(member.name):
        return "media"
    return None


def _open(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, _tar_mode(archive, write=False))
    except FileNotFoundError:
        raise BackupError(f"No such file: {archive}.") from None
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive} is not a readable backup archive ({error}).") from None


def verify_archive(archive: Path) -> dict:
    """Check every member against the manifest; return the manifest. Reads the archive, writes nothing."""
    hashes: dict[str, dict] = {}
    manifest = None
    problems: list[str] = []
    try:
        with _open(archive) as tar:
            for member in tar:
                kind = _member_kind(member)
                if kind is None:
                    problems.append(f"{member.name}: not something a Qorgau backup contains")
                    continue
                source = tar.extractfile(member)
                if kind == "manifest":
                    try:
                        manifest = json.loads(source.read().decode("utf-8"))
                    except (UnicodeDecodeError, json.JSONDecodeError):
                        raise BackupError("The archive's manifest is not valid JSON.") from None
                    continue
                digest, size = hashlib.sha256(), 0
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                hashes[member.name] = {"sha256": digest.hexdigest(), "size": size}
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"The archive is damaged: {error}.") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This is not a Qorgau backup: it has no Qorgau manifest.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {manifest.get('format_version')}; this Qorgau reads version "
            f"{FORMAT_VERSION}. Restore it with the Qorgau version that made it "
            f"({manifest.get('app_version')})."
        )
    expected = manifest.get("files") or {}
    for name in sorted(set(expected) - set(hashes)):
        problems.append(f"{name}: listed in the manifest but missing from the archive")
    for name in sorted(set(hashes) - set(expected)):
        problems.append(f"{name}: in the archive but not in the manifest")
    for name in sorted(set(hashes) & set(expected)):
        if hashes[name] != expected[name]:
            problems.append(f"{name}: its SHA-256 differs from the manifest")
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise BackupError(
            f"The archive does not match its manifest, so nothing was restored: {shown}. It is damaged or "
            "was changed; use another copy."
        )
    return manifest


# Restoring ------------------------------------------------------------------------------------------------


def data_counts(using: str = "default") -> dict[str, int]:
    """Rows per model that are not written by `migrate` itself (what makes an installation non-empty)."""
    return {
        model._meta.label_lower: model._base_manager.using(using).count()
        for model in backed_up_models(using)
        if model._meta.label_lower not in MIGRATION_SEEDED
    }


def _check_target(manifest: dict, *, using: str, media_root: Path, force: bool) -> None:
    current = applied_migrations(using)
    if not current:
        raise BackupError("The target database has no tables yet: run `qorgau migrate` first, then restore.")
    wanted = manifest.get("migrations") or {}
    differ = sorted(
        app
        for app in set(wanted) | set(current)
        if sorted(wanted.get(app, [])) != sorted(current.get(app, []))
    )
    if differ:
        raise BackupError(
            "The backup was made at other database migrations than this installation's (apps: "
            f"{', '.join(differ)}). Restore it with the Qorgau version that made it "
            f"({manifest.get('app_version')}), then upgrade; or migrate this database to the same state."
        )
    models_here = {m._meta.label_lower for m in backed_up_models(using)}
    unknown = sorted(set(manifest.get("counts") or {}) - models_here)
    if unknown:
        raise BackupError(f"The backup holds tables this installation does not have: {', '.join(unknown)}.")
    if force:
        return
    holding = {label: n for label, n in data_counts(using).items() if n}
    if holding:
        sample = ", ".join(f"{label} ({n})" for label, n in sorted(holding.items())[:5])
        raise BackupError(
            "The target database already holds data, e.g. "
            f"{sample}. Restore into an empty installation (a new database after `qorgau migrate`), or pass "
            "--force to replace everything in it."
        )
    if _media_files(media_root):
        raise BackupError(
            f"The files folder {media_root} is not empty. Restore into an empty folder, or pass --force "
            "(files of the same name are replaced; others are left as they are)."
        )


def _insert_table(connection, model, header: dict, lines: Iterator[str]) -> int:
    fields_by_name = {f.attname: f for f in _columns(model)}
    columns = header.get("columns") or []
    missing = [name for name in columns if name not in fields_by_name]
    if missing:
        raise BackupError(
            f"{model._meta.label_lower}: this installation has no columns {', '.join(missing)}."
        )
    fields = [fields_by_name[name] for name in columns]
    ops = connection.ops
    # Only quoted table and column names from the models are formatted in; every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        ops.quote_name(model._meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    count, batch = 0, []
    with connection.cursor() as cursor:
        for line in lines:
            if not line.strip():
                continue
            raw = json.loads(line)
            # to_python turns the stored text back into values; get_db_prep_save, unlike a model save,
            # leaves auto_now fields as they were.
            batch.append(
                tuple(
                    f.get_db_prep_save(f.to_python(v), connection) for f, v in zip(fields, raw, strict=True)
                )
            )
            if len(batch) >= INSERT_BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_media(root: Path, relative: str, source, written: list[Path], sha256: str) -> None:
    root_resolved = root.resolve()
    path = (root / relative).resolve()
    if root_resolved not in path.parents:
        raise BackupError(f"media/{relative}: leads outside the files folder.")
    if path.is_file() and _sha256(path) == sha256:
        # --force over the same installation: the file is already there as it was (files never change).
        # Left alone, it is not removed if the restore fails.
        while source.read(CHUNK):
            pass
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    written.append(partial)
    with partial.open("wb") as out:
        while chunk := source.read(CHUNK):
            out.write(chunk)
    os.replace(partial, path)
    written.append(path)


def restore(*, archive: Path, using: str = "default", media_root: Path | None = None, force: bool = False):
    """Bring an archive back: every hash is checked first; then rows and files, all or nothing."""
    archive = Path(archive)
    media_root = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    manifest = verify_archive(archive)
    _check_target(manifest, using=using, media_root=media_root, force=force)
    connection = connections[using]
    all_models = backed_up_models(using)
    by_label = {m._meta.label_lower: m for m in all_models}
    expected = manifest.get("files") or {}
    result = RestoreResult(manifest=manifest)
    written: list[Path] = []
    try:
        with transaction.atomic(using=using):
            tables = [m._meta.db_table for m in all_models]
            if connection.vendor == "postgresql":
                # PostgreSQL refuses to TRUNCATE tables with deferred checks pending (rows written earlier in
                # an enclosing transaction): check those now, then defer again for the rows to come.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for statement in connection.ops.sql_flush(no_style(), tables, reset_sequences=False):
                with connection.cursor() as cursor:
                    cursor.execute(statement)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            with _open(archive) as tar:
                for member in tar:
                    kind = _member_kind(member)
                    if kind not in ("db", "media"):
                        continue
                    # Hashed again while read: the file could have been swapped since it was verified.
                    reader = _HashingReader(tar.extractfile(member))
                    buffered = io.BufferedReader(reader, CHUNK)
                    if kind == "db":
                        text = io.TextIOWrapper(buffered, encoding="utf-8")
                        header = json.loads(text.readline())
                        model = by_label.get(header.get("model"))
                        if model is None or member.name != f"db/{header.get('model')}.jsonl":
                            raise BackupError(f"{member.name}: unknown table {header.get('model')}.")
                        result.rows += _insert_table(connection, model, header, text)
                        text.read()  # to the end, for the hash
                    else:
                        _write_media(
                            media_root,
                            _safe_media_name(member.name),
                            buffered,
                            written,
                            expected[member.name]["sha256"],
                        )
                        result.files += 1
                    if reader.sha256.hexdigest() != expected[member.name]["sha256"]:
                        raise BackupError(
                            f"{member.name} changed while being restored; nothing was restored."
                        )
            for statement in connection.ops.sequence_reset_sql(no_style(), all_models):
                with connection.cursor() as cursor:
                    cursor.execute(statement)
            counts = {label: model._base_manager.using(using).count() for label, model in by_label.items()}
            for label, wanted in (manifest.get("counts") or {}).items():
                if counts.get(label) != wanted:
                    result.problems.append(f"{label}: {counts.get(label)} rows, the backup has {wanted}")
            if result.problems:
                raise BackupError(
                    "The restored row counts differ from the backup's, so nothing was restored: "
                    + "; ".join(result.problems[:10])
                )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()  # ids may differ from what this process cached before
    return result
