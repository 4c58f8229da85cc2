"""Evidence uploads: judged by content, photos stored without their metadata, a cap on a whole report."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from qorgau.core.files import media_path
from qorgau.orders import services
from qorgau.orders.evidence import check_evidence, evidence_for_storage
from qorgau.orders.models import Evidence, SchoolReport

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_documents")]

GPS_TAG = 0x8825
MAKE_TAG = 0x010F


def jpeg_with_exif(size=(80, 60)) -> bytes:
    image = Image.effect_noise(size, 40).convert("RGB")
    exif = Image.Exif()
    exif[MAKE_TAG] = "PhoneMaker X1"
    exif[0x0112] = 6  # orientation: rotated; the stored photo must come out upright
    exif.get_ifd(GPS_TAG).update({1: "N", 2: (43.0, 14.0, 20.0), 3: "E", 4: (76.0, 53.0, 22.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def png_with_alpha() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (255, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SVG_AS_JPG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>"
)
HTML_AS_PDF_NAME = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def open_item(approved_inspection, inspector_x, chief_x):
    draft = services.order_draft(actor=inspector_x, inspection=approved_inspection)
    order = services.order_issue(actor=chief_x, order=draft)
    return order.items.order_by("position").first()


def test_a_photo_is_stored_without_exif_and_upright(open_item, school_admin_a):
    data = jpeg_with_exif()
    assert b"PhoneMaker" in data
    report = services.report_fix(
        actor=school_admin_a, item=open_item, comment="Done", files=[("IMG_1.JPG", data)]
    )
    evidence = report.evidence.get()
    stored = media_path(evidence.file).read_bytes()
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    image = Image.open(io.BytesIO(stored))
    assert dict(image.getexif()) == {}
    assert image.size == (60, 80)  # the orientation tag was applied before it was dropped
    assert (evidence.content_type, evidence.original_name, evidence.size) == (
        "image/jpeg",
        "IMG_1.jpg",
        len(stored),
    )


def test_a_transparent_png_becomes_a_jpeg_on_white(db):
    name, stored, content_type = evidence_for_storage("screen.png", png_with_alpha())
    assert (name, content_type) == ("screen.jpg", "image/jpeg")
    assert Image.open(io.BytesIO(stored)).convert("RGB").getpixel((5, 5)) > (240, 240, 240)


def test_a_pdf_is_kept_byte_for_byte(open_item, school_admin_a):
    report = services.report_fix(
        actor=school_admin_a, item=open_item, comment="Done", files=[("act.pdf", PDF)]
    )
    evidence = report.evidence.get()
    assert media_path(evidence.file).read_bytes() == PDF
    assert evidence.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", SVG_AS_JPG),
        ("photo.svg", SVG_AS_JPG),
        ("contract.pdf", HTML_AS_PDF_NAME),
        ("contract.html", HTML_AS_PDF_NAME),
        ("script.jpg", b"#!/bin/sh\nrm -rf /\n"),
        ("archive.jpg", b"PK\x03\x04" + b"\x00" * 100),
    ],
)
def test_scripts_svg_html_and_archives_are_refused_whatever_their_name(name, data, open_item, school_admin_a):
    with pytest.raises(ValidationError) as refused:
        services.report_fix(actor=school_admin_a, item=open_item, comment="Done", files=[(name, data)])
    assert name in str(refused.value)
    assert not Evidence.objects.exists()


def test_a_decompression_bomb_is_refused_before_it_is_decoded(db):
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")  # a few kB on disk, 400 million pixels
    assert len(out.getvalue()) < 200_000
    with pytest.raises(ValidationError):
        check_evidence("bomb.png", out.getvalue())


def test_a_report_over_the_total_cap_is_refused_with_a_clear_message(open_item, school_admin_a, settings):
    settings.EVIDENCE_MAX_TOTAL_BYTES = len(PDF) * 2
    files = [("a.pdf", PDF), ("b.pdf", PDF), ("c.pdf", PDF)]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.report_fix(actor=school_admin_a, item=open_item, comment="Done", files=files)
    assert "Together the files are too large" in str(refused.value)
    assert not SchoolReport.objects.exists()


def test_the_report_page_explains_the_total_cap(client, open_item, school_admin_a, settings, tmp_path):
    settings.EVIDENCE_MAX_TOTAL_BYTES = len(PDF) * 2
    school_admin_a.language = "en"
    school_admin_a.save(update_fields=["language"])
    client.force_login(school_admin_a)
    before = sorted(tmp_path.rglob("*"))
    uploads = [SimpleUploadedFile(f"{n}.pdf", PDF, content_type="application/pdf") for n in "abc"]
    response = client.post(
        reverse("orders:report", args=[open_item.order_id, open_item.pk]),
        {"comment": "Done", "files": uploads},
    )
    assert response.status_code == 200
    assert "Together the files are too large" in response.content.decode()
    assert sorted(tmp_path.rglob("*")) == before  # nothing stored
    assert not Evidence.objects.exists()


def test_stored_evidence_is_served_with_a_file_name_and_nosniff(
    client, open_item, school_admin_a, inspector_x
):
    report = services.report_fix(
        actor=school_admin_a,
        item=open_item,
        comment="Done",
        files=[("a.jpg", jpeg_with_exif()), ("b.pdf", PDF)],
    )
    client.force_login(inspector_x)
    for evidence in report.evidence.all():
        response = client.get(reverse("orders:evidence_file", args=[open_item.order_id, evidence.pk]))
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "filename=" in response["Content-Disposition"]
        assert b"PhoneMaker" not in b"".join(response.streaming_content)
