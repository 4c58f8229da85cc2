"""Evidence photos: checked by content, re-encoded without metadata, stored under random names.

What is kept of the original: its SHA-256 (so the photo can be matched to the phone's file later) and its
format. What is stored: a JPEG re-encoded from the pixels alone (no EXIF, so no location or device data),
plus a thumbnail for pages and the act. The GPS point, when the browser gives one, is recorded separately
with the server time and the inspector.
"""

from __future__ import annotations

import hashlib
import io
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from qorgau.accounts import policy
from qorgau.checklists.models import Item
from qorgau.core.errors import NotAllowed
from qorgau.core.files import atomic_with_files, media_path, store_file
from qorgau.inspections.models import Inspection, Photo

try:  # HEIC/HEIF from iPhones
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_FORMATS = {"HEIF"}
except ImportError:  # pragma: no cover - the dependency is declared; this keeps imports working without it
    HEIF_FORMATS = set()

# MPO is how Pillow names the JPEGs many phones write (with an extra depth or gain-map picture).
ALLOWED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"} | HEIF_FORMATS
STORED_MAX_SIDE = 2560
THUMB_SIDE = 320


def _limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "PHOTO_MAX_BYTES", 15 * 1024 * 1024),
        getattr(settings, "PHOTO_MAX_PIXELS", 50_000_000),
        getattr(settings, "PHOTO_MAX_SIDE", 12_000),
    )


def _coordinate(raw, low: int, high: int, field: str) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw))
        if not value.is_finite():
            raise InvalidOperation
        value = value.quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("The location from the browser is not a number.")}) from None
    if not low <= value <= high:
        raise ValidationError({field: _("The location from the browser is out of range.")})
    return value


def read_image(data: bytes) -> tuple[Image.Image, str]:
    """Open and check an uploaded image by its content. Raises ValidationError with a clear message."""
    max_bytes, max_pixels, max_side = _limits()
    if len(data) > max_bytes:
        raise ValidationError(
            {"photo": _("The photo is too large: at most %(mb)d MB.") % {"mb": max_bytes // (1024 * 1024)}}
        )
    if not data:
        raise ValidationError({"photo": _("The file is empty.")})
    try:
        probe = Image.open(io.BytesIO(data))
        fmt = probe.format or ""
        width, height = probe.size
        if fmt not in ALLOWED_FORMATS:
            raise ValidationError({"photo": _("Only JPEG, PNG, HEIC or WebP photos are accepted.")})
        if width * height > max_pixels or max(width, height) > max_side:
            raise ValidationError({"photo": _("The photo has too many pixels.")})
        probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise ValidationError({"photo": _("The photo has too many pixels.")}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError({"photo": _("The file is not a photo that can be read.")}) from None
    return image, fmt


def _encode(image: Image.Image, side: int, quality: int) -> tuple[bytes, int, int]:
    copy = image.copy()
    copy.thumbnail((side, side))
    out = io.BytesIO()
    # Saving without exif= writes no metadata at all: no location, no device, no time from the phone.
    copy.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue(), copy.width, copy.height


def _store(data: bytes, suffix: str) -> str:
    return store_file(data, folder="photos", suffix=suffix)[0]


# Kept under this name for the views and documents that serve photos.
photo_path = media_path


@atomic_with_files()
def photo_add(
    *,
    actor,
    inspection: Inspection,
    data: bytes,
    item: Item | None = None,
    latitude=None,
    longitude=None,
    accuracy=None,
    caption: str = "",
) -> Photo:
    if not policy.can_conduct_inspection(actor):
        raise NotAllowed(_("You may not add photos to inspections."))
    if not inspection.is_editable:
        raise ValidationError({"photo": _("Photos can no longer be added to this inspection.")})
    if item is not None and item.version_id != inspection.template_version_id:
        raise ValidationError({"item": _("This item is not part of this inspection's checklist.")})
    lat = _coordinate(latitude, -90, 90, "latitude")
    lon = _coordinate(longitude, -180, 180, "longitude")
    # The accuracy is a hint from the browser: anything that is not a sensible number of metres is dropped.
    try:
        accuracy_m = int(float(accuracy)) if accuracy not in (None, "") else None
    except (ValueError, OverflowError):
        accuracy_m = None
    if accuracy_m is not None and not 0 <= accuracy_m <= 100_000:
        accuracy_m = None
    image, fmt = read_image(data)
    image = ImageOps.exif_transpose(image)  # keep the photo upright once the orientation tag is gone
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    stored, width, height = _encode(image, STORED_MAX_SIDE, 85)
    thumb, _tw, _th = _encode(image, THUMB_SIDE, 75)
    photo = Photo.objects.create(
        inspection=inspection, item=item, file=_store(stored, ".jpg"), thumbnail=_store(thumb, ".jpg"),
        content_type="image/jpeg", width=width, height=height, size=len(stored),
        original_sha256=hashlib.sha256(data).hexdigest(), original_format=fmt, taken_by=actor,
        latitude=lat, longitude=lon, accuracy_m=accuracy_m, caption=caption.strip()[:300],
    )  # fmt: skip
    return photo
