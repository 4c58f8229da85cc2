"""Evidence photos through the views: checked by content, stored without EXIF, served only through scoping."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from qorgau.checklists.models import Item
from qorgau.inspections import photos, services
from qorgau.inspections.models import Finding, Photo
from qorgau.inspections.tests.test_services import answer_all
from qorgau.tests.factories import InspectionFactory, default_version

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def inspection(school_a, inspector_x):
    return InspectionFactory(school=school_a, inspector=inspector_x)


@pytest.fixture
def as_user(client):
    def _as(user):
        user.language = "en"
        user.save(update_fields=["language"])
        client.force_login(user)
        return client

    return _as


def image_bytes(fmt: str = "JPEG", size=(64, 48), exif=None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    if exif is not None:
        image.save(buffer, fmt, exif=exif)
    else:
        image.save(buffer, fmt)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Apple"  # Make
    exif[0x0110] = "iPhone 15"  # Model
    exif[GPS_IFD] = {1: "N", 2: (43.0, 14.0, 20.0), 3: "E", 4: (76.0, 53.0, 22.0)}
    data = image_bytes(exif=exif)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD), "the test photo must carry a GPS point"
    return data


def item(code: str) -> Item:
    return Item.objects.get(version=default_version(), code=code)


def upload(client, inspection, data: bytes, name: str = "photo.jpg", content_type="image/jpeg", **fields):
    return client.post(
        reverse("inspections:photo_upload", args=[inspection.pk]),
        {"photo": SimpleUploadedFile(name, data, content_type=content_type), **fields},
        **HTMX,
    )


def test_a_photo_is_stored_without_exif_and_keeps_the_original_hash(as_user, inspector_x, inspection):
    original = jpeg_with_gps()
    response = upload(
        as_user(inspector_x), inspection, original, item=item("PE-1").pk,
        latitude="43.238949", longitude="76.889709", accuracy="12.4",
    )  # fmt: skip
    assert response.status_code == 200
    photo = Photo.objects.get(inspection=inspection)
    assert photo.original_sha256 == hashlib.sha256(original).hexdigest()
    assert (photo.item.code, photo.taken_by, photo.original_format) == ("PE-1", inspector_x, "JPEG")
    assert (str(photo.latitude), str(photo.longitude), photo.accuracy_m) == ("43.238949", "76.889709", 12)
    for name in (photo.file, photo.thumbnail):
        stored = Image.open(photos.photo_path(name))
        assert stored.format == "JPEG"
        assert not stored.getexif()  # no location, no device, nothing
        assert "exif" not in stored.info
    html = response.content.decode()
    assert f'id="photos-{photo.item_id}"' in html
    assert reverse("inspections:photo_thumb", args=[inspection.pk, photo.pk]) in html


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_accepted_and_stored_as_jpeg(as_user, inspector_x, inspection, fmt):
    response = upload(as_user(inspector_x), inspection, image_bytes(fmt), name=f"p.{fmt.lower()}")
    assert response.status_code == 200
    photo = Photo.objects.get()
    assert (photo.original_format, photo.content_type, photo.item) == (fmt, "image/jpeg", None)
    assert Image.open(photos.photo_path(photo.file)).format == "JPEG"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Just some notes, not a photo at all.\n" * 20, "not a photo that can be read"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            b"<script>alert(1)</script></svg>",
            "not a photo that can be read",
        ),
        (b"<html><body><img src=x onerror=alert(1)></body></html>", "not a photo that can be read"),
        (b"GIF89a" + image_bytes("GIF")[6:], "Only JPEG, PNG, HEIC or WebP photos are accepted."),
    ],
    ids=["text", "svg", "html", "gif"],
)
def test_what_is_not_an_accepted_photo_is_refused_whatever_its_name(
    as_user, inspector_x, inspection, data, message
):
    response = upload(as_user(inspector_x), inspection, data, item=item("PE-1").pk)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="photo-error"' in html
    assert message in html
    assert not Photo.objects.exists()


def test_an_oversize_file_is_refused(as_user, inspector_x, inspection, settings):
    settings.PHOTO_MAX_BYTES = 2 * 1024 * 1024
    big = image_bytes("PNG", size=(100, 100)) + b"\0" * (2 * 1024 * 1024)
    response = upload(as_user(inspector_x), inspection, big, name="big.png")
    assert response.status_code == 422
    assert "The photo is too large: at most 2 MB." in response.content.decode()
    assert not Photo.objects.exists()


def test_a_decompression_bomb_is_refused(as_user, inspector_x, inspection, settings):
    settings.PHOTO_MAX_PIXELS = 100 * 100
    response = upload(as_user(inspector_x), inspection, image_bytes("PNG", size=(400, 400)), name="bomb.png")
    assert response.status_code == 422
    assert "The photo has too many pixels." in response.content.decode()
    assert not Photo.objects.exists()


def test_without_a_file_the_upload_says_so(as_user, inspector_x, inspection):
    response = as_user(inspector_x).post(
        reverse("inspections:photo_upload", args=[inspection.pk]), {"item": item("PE-1").pk}, **HTMX
    )
    assert response.status_code == 422
    assert "Choose a photo." in response.content.decode()


def test_an_item_of_another_checklist_version_is_404(as_user, inspector_x, inspection):
    response = upload(as_user(inspector_x), inspection, image_bytes(), item=999999)
    assert response.status_code == 404


def test_photos_of_a_free_finding_are_attached_to_it(as_user, inspector_x, inspection):
    response = as_user(inspector_x).post(
        reverse("inspections:finding_add", args=[inspection.pk]),
        {
            "severity": "M", "text": "Разбито окно", "location": "Спортзал",
            "photos": [
                SimpleUploadedFile("a.jpg", image_bytes()), SimpleUploadedFile("b.png", image_bytes("PNG")),
            ],
        },
        **HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    finding = Finding.objects.get(inspection=inspection)
    assert finding.photos.count() == 2


def test_a_refused_photo_leaves_no_finding(as_user, inspector_x, inspection):
    response = as_user(inspector_x).post(
        reverse("inspections:finding_add", args=[inspection.pk]),
        {"severity": "M", "text": "Разбито окно", "photos": [SimpleUploadedFile("a.jpg", b"not an image")]},
        **HTMX,
    )
    assert response.status_code == 422
    assert "not a photo that can be read" in response.content.decode()
    assert not Finding.objects.exists()
    assert not Photo.objects.exists()


# Serving --------------------------------------------------------------------------------------------------


@pytest.fixture
def photo(inspection, inspector_x):
    return photos.photo_add(actor=inspector_x, inspection=inspection, data=jpeg_with_gps(), item=item("PE-1"))


def file_urls(inspection, photo) -> list[str]:
    return [
        reverse("inspections:photo_file", args=[inspection.pk, photo.pk]),
        reverse("inspections:photo_thumb", args=[inspection.pk, photo.pk]),
    ]


def test_the_photo_and_its_thumbnail_are_served_as_jpeg_with_safe_headers(
    as_user, inspector_x, inspection, photo
):
    client = as_user(inspector_x)
    for url, stored in zip(file_urls(inspection, photo), (photo.file, photo.thumbnail), strict=True):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, max-age=3600"
        assert response["Content-Disposition"].startswith('inline; filename="inspection-')
        body = b"".join(response.streaming_content)
        assert body == photos.photo_path(stored).read_bytes()
        assert Image.open(io.BytesIO(body)).format == "JPEG"


@pytest.mark.parametrize("who", ["inspector_y", "school_admin_b", "school_admin_a", "firm_user"])
def test_outsiders_get_404_for_the_photo_and_its_thumbnail(request, as_user, who, inspection, photo):
    client = as_user(request.getfixturevalue(who))
    for url in file_urls(inspection, photo):
        assert client.get(url).status_code == 404
    assert upload(client, inspection, image_bytes()).status_code == 404
    assert Photo.objects.count() == 1


def test_a_photo_id_of_another_inspection_is_404(as_user, inspector_x, inspection, photo, school_a):
    other = InspectionFactory(school=school_a, inspector=inspector_x)
    for url in file_urls(other, photo):
        assert as_user(inspector_x).get(url).status_code == 404


def test_the_school_sees_the_photos_once_the_results_are_approved(
    as_user, inspector_x, chief_x, school_admin_a, inspection, photo
):
    answer_all(inspection, inspector_x)
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    client = as_user(school_admin_a)
    assert client.get(file_urls(inspection, photo)[0]).status_code == 404
    services.inspection_approve(actor=chief_x, inspection=inspection)
    for url in file_urls(inspection, photo):
        assert client.get(url).status_code == 200
    # They may look, not add.
    assert upload(client, inspection, image_bytes()).status_code == 403


def test_education_may_look_at_photos_but_not_add_them(as_user, education_user, inspection, photo):
    client = as_user(education_user)
    assert client.get(file_urls(inspection, photo)[1]).status_code == 200
    assert upload(client, inspection, image_bytes()).status_code == 403


def test_a_missing_file_is_404_not_an_error(as_user, inspector_x, inspection, photo):
    photos.photo_path(photo.file).unlink()
    assert as_user(inspector_x).get(file_urls(inspection, photo)[0]).status_code == 404


@pytest.mark.parametrize(("field", "value"), [("accuracy", "inf"), ("accuracy", "1e30"), ("accuracy", "-5")])
def test_a_nonsense_accuracy_from_the_browser_is_dropped_not_a_500(inspector_x, school_a, field, value):
    from qorgau.inspections.photos import photo_add
    from qorgau.tests.factories import InspectionFactory

    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    photo = photo_add(actor=inspector_x, inspection=inspection, data=_jpeg_bytes(), **{field: value})
    assert photo.accuracy_m is None


def test_a_nan_location_is_refused_with_a_message(inspector_x, school_a):
    from django.core.exceptions import ValidationError

    from qorgau.inspections.photos import photo_add
    from qorgau.tests.factories import InspectionFactory

    inspection = InspectionFactory(school=school_a, inspector=inspector_x)
    with pytest.raises(ValidationError) as error:
        photo_add(
            actor=inspector_x, inspection=inspection, data=_jpeg_bytes(), latitude="NaN", longitude="76.9"
        )
    assert "latitude" in error.value.message_dict


def _jpeg_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "olive").save(out, "JPEG")
    return out.getvalue()
