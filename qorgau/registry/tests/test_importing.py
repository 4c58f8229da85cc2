from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from qorgau.core.errors import ImportRejected, NotAllowed
from qorgau.core.models import ChangeRecord
from qorgau.registry import importing
from qorgau.registry.bin import bin_problem
from qorgau.registry.importing import import_apply, import_preview
from qorgau.registry.models import AccessPoint, Camera, GuardPost, PanicButton, School, SizeTier
from qorgau.registry.tests.import_files import (
    EQUIPMENT_HEADER,
    PNG_BYTES,
    csv_file,
    equipment_row,
    school_row,
    xlsx_file,
    zip_file,
)
from qorgau.tests.factories import CameraFactory, next_bin

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    # Messages are compared in one language, whatever translations are compiled at the time.
    with translation.override("en"):
        yield


def _errors(user, data) -> list[tuple[int, str, str]]:
    return [tuple(e) for e in import_preview(user=user, data=data, filename="f.csv").errors]


def _message(message, params=None) -> str:
    return str(message % params) if params else str(message)


def _rejection(user, data) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        import_preview(user=user, data=data, filename="f")
    return caught.value


# --- Reading files ----------------------------------------------------------------------------------------


def test_it_imports_new_schools_and_records_each_in_the_history(city_supervisor, district_x):
    first, second = school_row(name_ru="Школа № 11"), school_row(name_ru="Школа № 12", pupils="250")
    result = import_apply(user=city_supervisor, data=csv_file([first, second]), filename="schools.csv")

    assert (result.kind, result.rows, result.created, result.updated, result.unchanged) == (
        "schools",
        2,
        2,
        0,
        0,
    )
    school = School.objects.get(bin=first["bin"])
    assert school.district == district_x
    assert school.name_kk == "№ 5 мектеп-лицей"
    assert school.latitude == Decimal("43.25")
    assert (school.pupils, school.shifts, school.size_tier) == (640, 2, SizeTier.LARGE)
    record = ChangeRecord.objects.get(object_type="registry.school", object_id=school.pk)
    assert record.action == ChangeRecord.Action.IMPORTED
    assert record.actor == city_supervisor
    assert (record.school, record.district) == (school, district_x)
    assert record.changes["name_ru"] == [None, "Школа № 11"]


def test_it_reads_a_cp1251_csv(city_supervisor, district_x):
    row = school_row(name_ru="Гимназия «Жулдыз»", address="мкр. Аксай-3, 15")
    result = import_apply(user=city_supervisor, data=csv_file([row], encoding="cp1251"), filename="f.csv")
    assert result.created == 1
    assert School.objects.get(bin=row["bin"]).address == "мкр. Аксай-3, 15"


def test_it_reads_a_semicolon_csv_with_a_byte_order_mark_and_decimal_commas(city_supervisor, district_x):
    row = school_row(address="ул. Абая, 5", latitude="43,2567", longitude="76,95")
    data = b"\xef\xbb\xbf" + csv_file([row], delimiter=";")
    result = import_apply(user=city_supervisor, data=data, filename="f.csv")
    assert result.created == 1
    school = School.objects.get(bin=row["bin"])
    assert school.address == "ул. Абая, 5"
    assert school.longitude == Decimal("76.95")


def test_it_reads_an_xlsx_workbook_with_numbers_in_number_cells(city_supervisor, district_x):
    bin_ = next_bin()
    assert bin_.startswith("0")  # Excel drops the leading zero of a number; the import puts it back
    data = xlsx_file(
        [
            ["БИН", "Название", "Название на казахском", "Район", "Адрес", "Широта", "Долгота", "Учащихся"],
            [int(bin_), "Школа № 40", "№ 40 мектеп", "Район Икс", "ул. Сатпаева, 40", 43.21, 76.85, 1200.0],
        ]
    )
    result = import_apply(user=city_supervisor, data=data, filename="schools.xlsx")
    assert result.created == 1
    school = School.objects.get(bin=bin_)
    assert (school.name_ru, school.pupils, school.latitude) == ("Школа № 40", 1200, Decimal("43.21"))


@pytest.mark.parametrize("written", ["TX", "tx", "Район Икс", "район икс", "Икс", "Икс ауданы", "District X"])
def test_it_accepts_a_district_by_code_or_by_name_in_any_language(city_supervisor, district_x, written):
    row = school_row(district=written)
    import_apply(user=city_supervisor, data=csv_file([row]), filename="f.csv")
    assert School.objects.get(bin=row["bin"]).district == district_x


@pytest.mark.parametrize(
    "written", ["AUE", "Ауэзовский район", "ауэзовский", "Әуезов ауданы", "Auezov district"]
)
def test_it_knows_almatys_districts(city_supervisor, written):
    row = school_row(district=written)
    import_apply(user=city_supervisor, data=csv_file([row]), filename="f.csv")
    assert School.objects.get(bin=row["bin"]).district.code == "AUE"


def test_row_numbers_are_those_excel_shows_counting_blank_rows(city_supervisor, district_x):
    good, bad = school_row(), school_row(bin="123")
    data = csv_file([good]) + b",,,,,,,,,,\r\n\r\n" + csv_file([bad]).split(b"\r\n", 1)[1]
    assert _errors(city_supervisor, data) == [(5, "bin", bin_problem("123"))]


def test_unknown_columns_are_ignored_and_reported(city_supervisor, district_x):
    row = school_row(note="anything")
    result = import_preview(
        user=city_supervisor, data=csv_file([row], header=[*row]), filename="f.csv"
    )  # "note" is last
    assert result.ok
    assert result.ignored_columns == ["note"]


# --- Refusing files ---------------------------------------------------------------------------------------


def test_it_refuses_a_binary_file_whatever_its_name(city_supervisor):
    assert str(_rejection(city_supervisor, PNG_BYTES)) == str(importing.NOT_A_TABLE)


def test_it_refuses_a_zip_that_is_not_a_workbook(city_supervisor):
    data = zip_file(["content.xml", "mimetype"])
    assert str(_rejection(city_supervisor, data)) == str(importing.NOT_A_WORKBOOK)


def test_it_refuses_an_old_binary_xls(city_supervisor):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert str(_rejection(city_supervisor, data)) == str(importing.OLD_EXCEL)


def test_it_refuses_a_damaged_workbook(city_supervisor):
    data = zip_file(["xl/workbook.xml", "[Content_Types].xml"])
    assert str(_rejection(city_supervisor, data)) == str(importing.BROKEN_WORKBOOK)


def test_it_refuses_a_file_over_the_size_limit(city_supervisor, district_x, settings):
    data = csv_file([school_row()])
    settings.IMPORT_MAX_BYTES = len(data) - 1
    assert "too large" in str(_rejection(city_supervisor, data))


def test_it_refuses_an_empty_file_and_a_header_without_rows(city_supervisor):
    assert str(_rejection(city_supervisor, b"")) == str(importing.EMPTY_FILE)
    assert str(_rejection(city_supervisor, b"bin,name_ru\r\n")) == str(importing.NO_ROWS)


# --- Row errors -------------------------------------------------------------------------------------------


def test_it_rejects_a_bin_with_a_wrong_check_digit(city_supervisor, district_x):
    good = next_bin()
    wrong = good[:11] + str((int(good[11]) + 1) % 10)
    assert _errors(city_supervisor, csv_file([school_row(bin=wrong)])) == [(2, "bin", bin_problem(wrong))]


def test_it_rejects_a_bin_of_the_wrong_length_naming_the_column_as_written(city_supervisor, district_x):
    data = csv_file([school_row(bin="12345")], labels={"bin": "БИН"})
    assert _errors(city_supervisor, data) == [(2, "БИН", bin_problem("12345"))]


def test_it_explains_a_bin_that_excel_turned_into_a_number(city_supervisor, district_x):
    data = csv_file([school_row(bin="4,05E+11")], delimiter=";")
    assert _errors(city_supervisor, data) == [(2, "bin", str(importing.BIN_AS_NUMBER))]


def test_it_rejects_a_bin_that_appears_twice_in_the_file(city_supervisor, district_x):
    bin_ = next_bin()
    data = csv_file([school_row(), school_row(bin=bin_), school_row(bin=bin_)])
    assert _errors(city_supervisor, data) == [(4, "bin", importing.DUPLICATE_BIN % {"row": 3})]


def test_it_names_a_missing_required_column(city_supervisor, district_x):
    row = school_row()
    header = [name for name in row if name != "pupils"]
    data = csv_file([row], header=header)
    assert _errors(city_supervisor, data) == [(1, "pupils", importing.MISSING_COLUMN % {"column": "pupils"})]


def test_cells_are_checked_even_when_a_required_column_is_missing(city_supervisor, district_x):
    row = school_row(pupils="много")
    header = [name for name in row if name != "name_kk"]
    assert _errors(city_supervisor, csv_file([row], header=header)) == [
        (1, "name_kk", importing.MISSING_COLUMN % {"column": "name_kk"}),
        (2, "pupils", importing.NOT_WHOLE % {"value": "много"}),
    ]


def test_it_rejects_a_column_given_twice(city_supervisor, district_x):
    row = school_row()
    data = csv_file([row], header=[*row, "Адрес"])
    assert _errors(city_supervisor, data) == [(1, "Адрес", str(importing.DUPLICATE_COLUMN))]


@pytest.mark.parametrize(
    ("values", "column", "message", "params"),
    [
        ({"latitude": "north"}, "latitude", importing.NOT_A_NUMBER, {"value": "north"}),
        ({"latitude": "38.5"}, "latitude", importing.LATITUDE_OUTSIDE, {"value": "38.5"}),
        ({"longitude": "95"}, "longitude", importing.LONGITUDE_OUTSIDE, {"value": "95"}),
        ({"longitude": ""}, "longitude", importing.HALF_COORDINATES, None),
        ({"district": "Нарния"}, "district", importing.UNKNOWN_DISTRICT, {"value": "Нарния"}),
        ({"pupils": "640.5"}, "pupils", importing.NOT_WHOLE, {"value": "640.5"}),
        ({"pupils": "много"}, "pupils", importing.NOT_WHOLE, {"value": "много"}),
        ({"pupils": "25000"}, "pupils", importing.OUT_OF_RANGE, {"value": 25000, "low": 0, "high": 20000}),
        ({"shifts": "4"}, "shifts", importing.OUT_OF_RANGE, {"value": 4, "low": 1, "high": 3}),
        ({"name_kk": ""}, "name_kk", importing.REQUIRED, None),
        ({"address": "x" * 301}, "address", importing.TOO_LONG, {"max": 300, "n": 301}),
    ],
)
def test_it_reports_each_bad_cell_with_its_row_and_column(
    city_supervisor, district_x, values, column, message, params
):
    data = csv_file([school_row(), school_row(**values)])
    assert _errors(city_supervisor, data) == [(3, column, _message(message, params))]


def test_it_accepts_pupils_written_with_a_thousands_space(city_supervisor, district_x):
    row = school_row(pupils="1\u00a0200")
    import_apply(user=city_supervisor, data=csv_file([row]), filename="f.csv")
    assert School.objects.get(bin=row["bin"]).pupils == 1200


def test_one_bad_row_writes_nothing(city_supervisor, district_x, school_a):
    rows = [school_row(), school_row(bin=school_a.bin, pupils="100"), school_row(pupils="-")]
    schools, records = School.objects.count(), ChangeRecord.objects.count()

    with pytest.raises(ImportRejected) as caught:
        import_apply(user=city_supervisor, data=csv_file(rows), filename="f.csv")

    assert [(e.row, e.column) for e in caught.value.errors] == [(4, "pupils")]
    assert (School.objects.count(), ChangeRecord.objects.count()) == (schools, records)
    school_a.refresh_from_db()
    assert school_a.pupils == 850


# --- Updating by BIN --------------------------------------------------------------------------------------


def test_importing_the_same_file_twice_changes_nothing_the_second_time(city_supervisor, district_x):
    data = csv_file([school_row(), school_row(), school_row(latitude="", longitude="")])
    first = import_apply(user=city_supervisor, data=data, filename="f.csv")
    before = list(School.objects.order_by("bin").values())
    records = ChangeRecord.objects.count()

    second = import_apply(user=city_supervisor, data=data, filename="f.csv")

    assert (first.created, second.created, second.updated, second.unchanged) == (3, 0, 0, 3)
    assert list(School.objects.order_by("bin").values()) == before
    assert ChangeRecord.objects.count() == records


def test_a_changed_row_updates_the_school_and_the_history_shows_what_changed(city_supervisor, school_a):
    row = school_row(bin=school_a.bin, name_ru=school_a.name_ru, name_kk=school_a.name_kk, pupils="250")
    row.update(address=school_a.address, latitude="43.238949", longitude="76.889709", shifts="2")
    row.update(head_name=school_a.head_name, head_phone=school_a.head_phone)

    result = import_apply(user=city_supervisor, data=csv_file([row]), filename="f.csv")

    assert (result.created, result.updated) == (0, 1)
    school_a.refresh_from_db()
    assert (school_a.pupils, school_a.size_tier) == (250, SizeTier.LARGE)  # Almaty-like city status
    record = ChangeRecord.objects.get(object_type="registry.school", object_id=school_a.pk)
    assert record.changes == {"pupils": [850, 250]}


def test_a_blank_optional_cell_keeps_what_the_register_holds(city_supervisor, school_a):
    row = school_row(bin=school_a.bin, head_name="", head_phone="")
    import_apply(user=city_supervisor, data=csv_file([row]), filename="f.csv")
    school_a.refresh_from_db()
    assert school_a.head_name == "Ахметова Гульнара Сериковна"


# --- Who may import what ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["inspector_x", "education_user", "school_admin_a", "firm_user"])
def test_only_a_city_supervisor_or_a_district_chief_may_import(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(NotAllowed):
        import_preview(user=user, data=csv_file([school_row()]), filename="f.csv")


def test_a_district_chief_imports_schools_of_their_district(chief_x, district_x):
    result = import_apply(user=chief_x, data=csv_file([school_row()]), filename="f.csv")
    assert result.created == 1


def test_a_district_chief_cannot_import_rows_of_another_district(chief_x, district_x, district_y):
    data = csv_file([school_row(), school_row(district="TY")])
    assert _errors(chief_x, data) == [(3, "district", str(importing.DISTRICT_NOT_YOURS))]


def test_a_district_chief_cannot_change_another_districts_school_by_its_bin(chief_x, school_b):
    data = csv_file([school_row(bin=school_b.bin, name_ru="Захват")])

    errors = _errors(chief_x, data)

    assert errors == [(2, "bin", str(importing.BIN_OUTSIDE_AREA))]
    assert school_b.name_ru not in errors[0][2] and "Игрек" not in errors[0][2]
    with pytest.raises(ImportRejected):
        import_apply(user=chief_x, data=data, filename="f.csv")
    school_b.refresh_from_db()
    assert school_b.name_ru == "Лицей № 2 (Б)"


def test_a_system_import_from_the_command_line_has_the_whole_city_in_scope(district_x, district_y):
    data = csv_file([school_row(district="TX"), school_row(district="TY")])
    result = import_apply(user=None, data=data, filename="f.csv")
    assert result.created == 2
    assert set(ChangeRecord.objects.values_list("actor", flat=True)) == {None}


def test_an_import_does_not_query_row_by_row(city_supervisor, district_x, django_assert_max_num_queries):
    data = csv_file([school_row() for _ in range(300)])
    # 300 rows in a handful of bulk statements; row by row would take 600 or more.
    with django_assert_max_num_queries(30):
        result = import_apply(user=city_supervisor, data=data, filename="f.csv")
    assert result.created == 300


# --- Equipment --------------------------------------------------------------------------------------------


IN_TWO_DAYS = (date.today() + timedelta(days=2)).isoformat()


def _equipment_csv(rows, **kwargs) -> bytes:
    return csv_file(rows, header=EQUIPMENT_HEADER, **kwargs)


def test_it_imports_equipment_of_every_kind_with_russian_words(chief_x, school_a):
    rows = [
        equipment_row(
            school_a.bin,
            "Тревожная кнопка",
            "Вахта",
            status="работает",
            kind="мобильная",
            signal_to="ЦОУ",
            last_checked="15.09.2025",
        ),  # fmt: skip
        equipment_row(
            school_a.bin,
            "камера",
            "Главный вход",
            status="неисправна",
            zone="вход",
            placement="наружная",
            linked_to_police="да",
            archive_days="30",
        ),  # fmt: skip
        equipment_row(
            school_a.bin, "вход", "Ворота", kind="ворота", has_turnstile="нет", has_access_control="1"
        ),
        equipment_row(
            school_a.bin, "пост охраны", "Пост № 2", hours="07:00–19:00", last_checked="2025-10-01"
        ),
    ]

    result = import_apply(user=chief_x, data=_equipment_csv(rows), filename="equipment.csv")

    assert (result.kind, result.created) == ("equipment", 4)
    button = PanicButton.objects.get(school=school_a)
    assert (button.location, button.kind, button.signal_to) == ("Вахта", "mobile", "police")
    assert button.last_checked == date(2025, 9, 15)
    camera = Camera.objects.get(school=school_a)
    assert (camera.status, camera.zone, camera.placement) == ("faulty", "entrance", "outdoor")
    assert (camera.linked_to_police, camera.archive_days) == (True, 30)
    gate = AccessPoint.objects.get(school=school_a)
    assert (gate.kind, gate.has_turnstile, gate.has_access_control) == ("gate", False, True)
    assert GuardPost.objects.get(school=school_a).hours == "07:00–19:00"
    records = ChangeRecord.objects.filter(school=school_a, action=ChangeRecord.Action.IMPORTED)
    assert records.count() == 4
    assert {r.district_id for r in records} == {school_a.district_id}


def test_equipment_is_updated_by_school_kind_and_location(chief_x, school_a):
    camera = CameraFactory(school=school_a, location="Коридор 2 этаж", archive_days=10)
    rows = [equipment_row(school_a.bin, "camera", "коридор  2 этаж", archive_days="30")]
    data = _equipment_csv(rows)

    first = import_apply(user=chief_x, data=data, filename="f.csv")
    second = import_apply(user=chief_x, data=data, filename="f.csv")

    assert (first.created, first.updated, second.updated, second.unchanged) == (0, 1, 0, 1)
    camera.refresh_from_db()
    assert (camera.archive_days, camera.zone) == (30, "entrance")
    record = ChangeRecord.objects.get(object_type="registry.camera", object_id=camera.pk)
    assert record.changes["archive_days"] == [10, 30]


def test_an_equipment_row_needs_a_school_the_user_can_see(chief_x, school_a, school_b):
    rows = [equipment_row(school_b.bin, "camera", "Вход", zone="entrance"),
            equipment_row(next_bin(), "camera", "Вход", zone="entrance")]  # fmt: skip
    message = str(importing.NO_SUCH_SCHOOL)
    assert _errors(chief_x, _equipment_csv(rows)) == [(2, "bin", message), (3, "bin", message)]


@pytest.mark.parametrize(
    ("values", "column", "message", "params"),
    [
        ({"equipment": "дрон"}, "equipment", importing.UNKNOWN_EQUIPMENT, {"value": "дрон"}),
        ({"zone": ""}, "zone", importing.NEEDED_FOR_NEW, {"kind": Camera._meta.verbose_name}),
        (
            {"status": "сгорела"},
            "status",
            importing.NOT_A_CHOICE,
            {"value": "сгорела", "choices": "working, faulty, missing"},
        ),
        ({"linked_to_police": "может"}, "linked_to_police", importing.NOT_YES_NO, {"value": "может"}),
        (
            {"archive_days": "5000"},
            "archive_days",
            importing.OUT_OF_RANGE,
            {"value": 5000, "low": 0, "high": 3650},
        ),
        ({"last_checked": "31/12/2024"}, "last_checked", importing.NOT_A_DATE, {"value": "31/12/2024"}),
        ({"last_checked": IN_TWO_DAYS}, "last_checked", importing.FUTURE_DATE, None),
        ({"location": ""}, "location", importing.REQUIRED, None),
    ],
)
def test_it_reports_each_bad_equipment_cell_with_its_row_and_column(
    chief_x, school_a, values, column, message, params
):
    rows = [
        equipment_row(school_a.bin, "camera", "Холл", zone="hall"),
        {**equipment_row(school_a.bin, "camera", "Вход", zone="entrance"), **values},
    ]
    assert _errors(chief_x, _equipment_csv(rows)) == [(3, column, _message(message, params))]


def test_it_rejects_the_same_equipment_twice_in_a_file(chief_x, school_a):
    rows = [equipment_row(school_a.bin, "camera", "Вход", zone="entrance")] * 2
    assert _errors(chief_x, _equipment_csv(rows)) == [
        (3, "location", importing.DUPLICATE_EQUIPMENT % {"row": 2})
    ]


def test_the_downloadable_templates_import_cleanly(city_supervisor):
    for kind in (importing.SCHOOLS, importing.EQUIPMENT):
        data = importing.template_csv(kind).encode()
        result = import_apply(user=city_supervisor, data=data, filename=f"{kind}.csv")
        assert (result.kind, result.ok) == (kind, True)
    assert PanicButton.objects.filter(school__name_ru="Школа-гимназия № 1").exists()
