"""Evidence files from schools: photos and PDF documents, checked by their content, size-limited.

Photos are stored re-encoded from their pixels, like inspection photos: no EXIF, so no location, device or
owner data from the phone leaves with a download. PDFs are kept byte for byte (a signed contract must stay
what was signed).
"""

from __future__ import annotations

import io
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from qorgau.inspections.photos import STORED_MAX_SIDE, read_image

# At most this many files in one report: a few photos and a contract or act, not a whole archive.
EVIDENCE_MAX_FILES = 10

IMAGE_TYPES = {
    "JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic",
}  # fmt: skip
# Stored files get the extension of what they are, never the one the uploader gave.
SUFFIXES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
            "image/heic": ".heic"}  # fmt: skip


def check_total(sizes: list[int]) -> None:
    """All files of one report together stay under EVIDENCE_MAX_TOTAL_BYTES."""
    limit = settings.EVIDENCE_MAX_TOTAL_BYTES
    total = sum(sizes)
    if total > limit:
        raise ValidationError(
            {
                "files": _(
                    "Together the files are too large: %(size)s; one report may carry at most %(limit)s. "
                    "Send fewer or smaller photos."
                )
                % {"size": filesizeformat(total), "limit": filesizeformat(limit)}
            }
        )


def _without_metadata(image: Image.Image) -> bytes:
    image = ImageOps.exif_transpose(image)  # keep it upright once the orientation tag is gone
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        flat = Image.new("RGB", image.size, "white")  # transparent screenshots stay readable
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((STORED_MAX_SIDE, STORED_MAX_SIDE))
    out = io.BytesIO()
    # Saved without exif= / icc_profile= / xmp=: nothing but the pixels.
    image.save(out, format="JPEG", quality=88, optimize=True)
    return out.getvalue()


def evidence_for_storage(name: str, data: bytes) -> tuple[str, bytes, str]:
    """(name, bytes to store, content type): checked as `check_evidence`, photos re-encoded as JPEG."""
    name, data, content_type = check_evidence(name, data)
    if content_type == "application/pdf":
        return name, data, content_type
    image, _fmt = read_image(data)
    try:
        stored = _without_metadata(image)
    finally:
        image.close()
    stem = PurePath(name).stem or "photo"
    return f"{stem}.jpg", stored, "image/jpeg"


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
