"""Files kept under MEDIA_ROOT: stored under random names, read back only by a path checked to stay inside."""

import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone


def store_file(data: bytes, *, folder: str, suffix: str) -> tuple[str, str]:
    """Write `data` under MEDIA_ROOT/<folder>/<yyyy>/<mm>/<random><suffix>; return its path and SHA-256."""
    relative = Path(folder) / timezone.now().strftime("%Y/%m") / f"{uuid.uuid4().hex}{suffix}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(relative), hashlib.sha256(data).hexdigest()


def media_path(name: str) -> Path:
    """The absolute path of a stored file; refuses any name that would lead outside MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise ValueError("path outside the media root")
    return path
