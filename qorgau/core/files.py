"""Files kept under MEDIA_ROOT: stored under random names, read back only by a path checked to stay inside."""

import hashlib
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

_tracking = threading.local()


def _open_blocks() -> list[list[Path]]:
    if not hasattr(_tracking, "blocks"):
        _tracking.blocks = []
    return _tracking.blocks


@contextmanager
def atomic_with_files(using: str | None = None):
    """A transaction that files stored inside it share the fate of.

    A service writes its files before its rows commit, so that a committed row never names a missing file.
    If the block fails — an exception inside, or the commit itself — the files it stored are deleted again,
    so nothing is left that no row refers to. Nested in another such block, a successful inner block hands
    its files to the outer one, which removes them if it fails in turn. (Inside a plain transaction.atomic
    that rolls back later, the files would stay: services that store files use this instead.)
    Usable as a decorator: `@atomic_with_files()`.
    """
    blocks = _open_blocks()
    written: list[Path] = []
    blocks.append(written)
    try:
        with transaction.atomic(using=using):
            yield
    except BaseException:
        blocks.pop()
        for path in written:
            path.unlink(missing_ok=True)
        raise
    blocks.pop()
    if blocks:
        blocks[-1].extend(written)


def store_file(data: bytes, *, folder: str, suffix: str) -> tuple[str, str]:
    """Write `data` under MEDIA_ROOT/<folder>/<yyyy>/<mm>/<random><suffix>; return its path and SHA-256."""
    relative = Path(folder) / timezone.now().strftime("%Y/%m") / f"{uuid.uuid4().hex}{suffix}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    blocks = _open_blocks()
    if blocks:
        blocks[-1].append(path)
    return str(relative), hashlib.sha256(data).hexdigest()


def media_path(name: str) -> Path:
    """The absolute path of a stored file; refuses any name that would lead outside MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise ValueError("path outside the media root")
    return path
