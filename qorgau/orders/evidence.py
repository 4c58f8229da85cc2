"""Evidence files from schools: photos and PDF documents, checked by their content, size-limited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from qorgau.inspections.photos import read_image

# At most this many files in one report: a few photos and a contract or act, not a whole archive.
EVIDENCE_MAX_FILES = 10

IMAGE_TYPES = {
    "JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic",
}  # fmt: skip
# Stored files get the extension of what they are, never the one the uploader gave.
SUFFIXES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
            "image/heic": ".heic"}  # fmt: skip


def check_evidence(name: str, data: bytes) -> tuple[str, bytes, str]:
    """(name, data, content type) for an acceptable file; a ValidationError naming the file otherwise.

    PDFs are accepted as they are (contracts, certificates of work); images must decode as photos.
    Anything else — HTML, SVG, scripts, archives, office files — is refused whatever its name says.
    """
    limit = getattr(settings, "EVIDENCE_MAX_BYTES", 15 * 1024 * 1024)
    if len(data) > limit:
        raise ValidationError(
            {"files": _("«%(name)s» is too large: at most %(mb)d MB.") % {"name": name, "mb": limit // 2**20}}
        )
    if not data:
        raise ValidationError({"files": _("«%(name)s» is empty.") % {"name": name}})
    if data[:5] == b"%PDF-":
        tail = data[-2048:]
        if b"%%EOF" not in tail:
            raise ValidationError({"files": _("«%(name)s» is not a complete PDF.") % {"name": name}})
        return name, data, "application/pdf"
    try:
        image, fmt = read_image(data)
    except ValidationError:
        raise ValidationError(
            {"files": _("«%(name)s» is neither a photo (JPEG, PNG, HEIC, WebP) nor a PDF.") % {"name": name}}
        ) from None
    image.close()
    return name, data, IMAGE_TYPES.get(fmt, "application/octet-stream")
