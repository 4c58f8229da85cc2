"""The act of results: a real PDF in Russian and Kazakh, and who may download it."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from qorgau.checklists.models import Item
from qorgau.inspections import documents, photos, services
from qorgau.inspections.tests.test_services import answer_all
from qorgau.tests.factories import InspectionFactory, default_version

pytestmark = pytest.mark.django_db

KAZAKH_LETTERS = "әғқңөұүһі"
FREE_FINDING = "Не работает домофон запасного входа"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def _jpeg(colour=(180, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), colour).save(out, format="JPEG")
    return out.getvalue()


def _item(code: str) -> Item:
    return Item.objects.get(version=default_version(), code=code)


@pytest.fixture
def inspection(school_a, inspector_x):
    # "һ" is rare in Kazakh and absent from the default checklist; the school's name carries it.
    school_a.name_kk = "Шаһар № 1 мектеп-гимназиясы (А)"
    school_a.save()
    return InspectionFactory(school=school_a, inspector=inspector_x)


@pytest.fixture
def submitted(inspection, inspector_x):
    answer_all(inspection, inspector_x, fail=("AC-2", "PE-1"))
    answer = inspection.answers.get(item__code="VS-2")
    services.answer_save(
        actor=inspector_x, inspection=inspection, item=answer.item, raw={"value": "20"},
        base_version=answer.version, override_result="pass",
        override_reason="Сервер хранит 20 суток по паспорту",
    )  # fmt: skip
    photo = photos.photo_add(actor=inspector_x, inspection=inspection, data=_jpeg(), item=_item("AC-2"))
    services.finding_add(
        actor=inspector_x, inspection=inspection, severity="M", text=FREE_FINDING, location="Запасной вход"
    )
    services.inspection_submit(actor=inspector_x, inspection=inspection)
    inspection.refresh_from_db()
    inspection.photo = photo
    return inspection


@pytest.fixture
def approved(submitted, chief_x):
    services.inspection_approve(actor=chief_x, inspection=submitted, comment="Утверждаю")
    submitted.refresh_from_db()
    return submitted


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def images(pdf: bytes) -> set[bytes]:
    """The distinct images embedded (every page may list the document's shared resources)."""
    return {image.data for page in PdfReader(io.BytesIO(pdf)).pages for image in page.images}


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces made single spaces, for phrases that wrap."""
    return re.sub(r"\s+", " ", text)


# The document ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_act_is_a_pdf_with_its_number_the_school_and_the_findings(approved, lang):
    pdf = documents.act_pdf(inspection=approved, lang=lang)

    assert pdf.startswith(b"%PDF-")
    text = flat(pdf_text(pdf))
    assert approved.act_number in text
    school_name = approved.school.name_kk if lang == "kk" else approved.school.name_ru
    assert school_name in text
    assert FREE_FINDING in text
    assert "Запасной вход" in text
    assert approved.school.bin in text
    assert approved.school.head_name in text


def test_the_kazakh_act_shows_kazakh_letters_and_texts(approved):
    text = pdf_text(documents.act_pdf(inspection=approved, lang="kk"))

    missing = [letter for letter in KAZAKH_LETTERS if letter not in text]
    assert missing == []
    assert flat(_item("AC-2").text_kk)[:30] in flat(text)
    assert approved.district.name_kk in text


def test_the_russian_act_shows_the_russian_texts(approved):
    text = flat(pdf_text(documents.act_pdf(inspection=approved, lang="ru")))

    assert flat(_item("AC-2").text_ru)[:30] in text
    assert approved.district.name_ru in text
    assert _item("AC-2").text_kk[:30] not in text


def test_the_act_lists_every_applicable_item_and_marks_an_overridden_result(approved):
    text = flat(pdf_text(documents.act_pdf(inspection=approved, lang="ru")))

    for item in services.applicable_items(approved):
        assert item.code in text
    assert "Сервер хранит 20 суток по паспорту" in text


def test_the_act_embeds_the_photo_with_its_full_hash_and_counts_pages(approved):
    pdf = documents.act_pdf(inspection=approved, lang="ru")
    reader = PdfReader(io.BytesIO(pdf))

    # The hash wraps in its narrow caption; it is all there once the line breaks are taken out.
    assert approved.photo.original_sha256 in re.sub(r"\s+", "", pdf_text(pdf))
    assert len(images(pdf)) == 1
    pages = len(reader.pages)
    assert f"1 / {pages}" in reader.pages[0].extract_text()


def test_the_act_shows_the_approval_in_the_history(approved, chief_x):
    text = flat(pdf_text(documents.act_pdf(inspection=approved, lang="ru")))

    assert chief_x.display_name in text
    assert "Утверждаю" in text


def test_a_language_other_than_russian_or_kazakh_is_refused(approved):
    with pytest.raises(ValueError):
        documents.act_pdf(inspection=approved, lang="en")


def test_a_photo_stored_outside_the_media_root_is_never_embedded(approved):
    approved.photo.thumbnail = "../../etc/passwd"
    approved.photo.save()

    pdf = documents.act_pdf(inspection=approved, lang="ru")

    assert images(pdf) == set()


def test_the_renderer_reads_no_file_outside_the_media_root(settings, tmp_path):
    inside = settings.MEDIA_ROOT / "photos" / "inside.png"
    outside = tmp_path / "outside.png"
    inside.parent.mkdir(parents=True)
    for path, colour in ((inside, "red"), (outside, "blue")):
        Image.new("RGB", (40, 30), colour).save(path)

    allowed = documents.render_pdf(f'<img src="{inside.as_uri()}">')
    refused = documents.render_pdf(f'<img src="{outside.as_uri()}"><img src="http://127.0.0.1:9/x.png">')

    assert len(images(allowed)) == 1
    assert images(refused) == set()


# The download ------------------------------------------------------------------------------------------


def act_url(inspection, lang="ru") -> str:
    return reverse("inspections:act_pdf", args=[inspection.pk, lang])


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_district_downloads_the_act_as_an_attachment(login, approved, inspector_x, lang):
    response = login(inspector_x).get(act_url(approved, lang))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="act-{approved.act_number}-{lang}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize("name", ["inspector_y", "school_admin_b", "firm_user"])
def test_an_outsider_gets_404_for_the_act(login, approved, persona, name):
    assert login(persona(name)).get(act_url(approved)).status_code == 404


def test_the_school_gets_its_act_only_once_the_results_are_approved(
    login, submitted, school_admin_a, chief_x
):
    client = login(school_admin_a)

    assert client.get(act_url(submitted)).status_code == 404

    services.inspection_approve(actor=chief_x, inspection=submitted)
    response = client.get(act_url(submitted, "kk"))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_the_police_are_told_there_is_no_act_before_approval(login, submitted, chief_x):
    response = login(chief_x).get(act_url(submitted))

    assert response.status_code == 409
    assert b"%PDF" not in response.content


@pytest.mark.parametrize("lang", ["en", "de", "RU"])
def test_an_unknown_language_is_not_found(login, approved, chief_x, lang):
    assert login(chief_x).get(act_url(approved, lang)).status_code == 404


def test_a_missing_inspection_is_not_found(login, chief_x):
    assert login(chief_x).get(reverse("inspections:act_pdf", args=[999_999, "ru"])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, approved):
    response = client.get(act_url(approved))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.fixture
def persona(request):
    return lambda name: request.getfixturevalue(name)
