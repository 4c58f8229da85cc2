import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from qorgau.core.models import ChangeRecord
from qorgau.registry import importing
from qorgau.registry.models import School
from qorgau.registry.tests.import_files import PNG_BYTES, csv_file, school_row, zip_file
from qorgau.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/import/"


@pytest.fixture(autouse=True)
def imports_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"


@pytest.fixture(autouse=True)
def english():
    # Pages render in the user's language; the tests read them in English.
    with translation.override("en"):
        yield


def _client(user) -> Client:
    user.language = "en"
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _upload(client, data: bytes, name: str = "schools.csv"):
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, data)})


def _preview_url(response) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    assert re.fullmatch(r"/import/[0-9a-f-]{36}/", response.url)
    return response.url


def test_a_city_supervisor_uploads_previews_and_confirms_an_import(city_supervisor, district_x, imports_dir):
    client = _client(city_supervisor)
    page = client.get(UPLOAD_URL)
    assert page.status_code == 200
    assert b"/import/template-schools.csv" in page.content
    row = school_row(name_ru="Школа № 77")

    url = _preview_url(_upload(client, csv_file([row, school_row()])))
    preview = client.get(url)

    assert preview.status_code == 200
    assert b'data-testid="count-created">2<' in preview.content
    assert b'data-testid="confirm-import"' in preview.content
    assert not School.objects.filter(bin=row["bin"]).exists()  # a preview writes nothing

    done = client.post(url, follow=True)

    assert done.redirect_chain[-1][0] == "/schools/"
    assert "Imported: 2 new, 0 updated, 0 unchanged." in done.content.decode()
    assert School.objects.get(bin=row["bin"]).name_ru == "Школа № 77"
    assert (
        ChangeRecord.objects.filter(action=ChangeRecord.Action.IMPORTED, actor=city_supervisor).count() == 2
    )
    assert list(imports_dir.iterdir()) == []  # the confirmed file is gone
    assert client.get(url).status_code == 404


def test_the_preview_lists_row_errors_and_offers_no_confirmation(chief_x, district_x, district_y):
    client = _client(chief_x)
    data = csv_file([school_row(), school_row(bin="123"), school_row(district="TY")])

    preview = client.get(_preview_url(_upload(client, data)))

    html = preview.content.decode()
    assert 'class="import-errors"' in html
    assert html.count('data-testid="import-error"') == 2
    assert str(importing.DISTRICT_NOT_YOURS) in html
    assert 'data-testid="confirm-import"' not in html


def test_confirming_a_file_that_became_invalid_writes_nothing_and_shows_why(chief_x, district_x, district_y):
    client = _client(chief_x)
    row = school_row()
    url = _preview_url(_upload(client, csv_file([row])))
    SchoolFactory(bin=row["bin"], district=district_y)  # meanwhile someone registered it in another district

    response = client.post(url)

    assert response.status_code == 200
    assert str(importing.BIN_OUTSIDE_AREA) in response.content.decode()
    assert not School.objects.filter(bin=row["bin"], district=district_x).exists()


def test_no_one_else_can_open_an_uploaded_files_preview(chief_x, city_supervisor, district_x):
    url = _preview_url(_upload(_client(chief_x), csv_file([school_row()])))
    other = _client(city_supervisor)
    assert other.get(url).status_code == 404
    assert other.post(url).status_code == 404
    assert not School.objects.exists()


def test_an_unknown_token_is_not_found(city_supervisor):
    assert _client(city_supervisor).get("/import/3f1f6a1e-8d7b-4b4e-9a0c-2d5e8f9a1b2c/").status_code == 404


@pytest.mark.parametrize("persona", ["education_user", "inspector_x", "school_admin_a", "firm_user"])
def test_users_who_may_not_import_get_403(request, persona, city_supervisor, district_x):
    url = _preview_url(_upload(_client(city_supervisor), csv_file([school_row()])))
    client = _client(request.getfixturevalue(persona))
    assert client.get(UPLOAD_URL).status_code == 403
    assert _upload(client, csv_file([school_row()])).status_code == 403
    assert client.get(url).status_code == 403
    assert client.get("/import/template-schools.csv").status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in():
    response = Client().get(UPLOAD_URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("schools.csv", PNG_BYTES, importing.NOT_A_TABLE),
        ("schools.xlsx", PNG_BYTES, importing.NOT_A_TABLE),
        ("schools.xlsx", zip_file(["word/document.xml"]), importing.NOT_A_WORKBOOK),
        ("schools.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, importing.OLD_EXCEL),
    ],
)
def test_a_file_that_is_not_a_table_is_refused_with_a_message(
    city_supervisor, imports_dir, name, data, message
):
    response = _upload(_client(city_supervisor), data, name)
    assert response.status_code == 200
    assert str(message) in response.content.decode()
    assert not imports_dir.exists() or list(imports_dir.iterdir()) == []


def test_an_oversized_file_is_refused(city_supervisor, district_x, imports_dir, settings):
    data = csv_file([school_row()])
    settings.IMPORT_MAX_BYTES = len(data) - 1
    response = _upload(_client(city_supervisor), data)
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()  # read, then refused on the form's field
    assert "too large" in response.content.decode()
    assert not imports_dir.exists()


def test_a_body_far_over_the_limit_is_refused_unread(city_supervisor, imports_dir, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = _upload(_client(city_supervisor), b"x" * 100_000)
    assert response.status_code == 200
    assert 'class="field-error"' not in response.content.decode()  # the form was never bound
    assert "too large" in response.content.decode()
    assert not imports_dir.exists()


def test_the_template_csv_downloads_with_the_expected_columns(chief_x):
    response = _client(chief_x).get("/import/template-equipment.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").startswith("bin;equipment;location;status;")
    assert _client(chief_x).get("/import/template-firms.csv").status_code == 404
