"""Import of schools and their equipment from CSV and XLSX files.

An import runs in three steps. The file is read into a table; its type is judged by its content, never by its
name. Every row is checked against the register and the importing user's area. Only when no row has an error
is anything written: in one transaction, with bulk queries, and with a history record for every object.
`import_preview` stops after the check; `import_apply` also writes.

A file holds either schools or equipment: a column `equipment` makes it an equipment file.
Rows are numbered as Excel shows them: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import IntegrityError, connection, models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from qorgau.accounts import policy
from qorgau.accounts.scoping import scope_for, visible
from qorgau.core.errors import ImportRejected, NotAllowed
from qorgau.core.history import diff, snapshot
from qorgau.core.models import ChangeRecord
from qorgau.registry.bin import bin_problem, make_bin
from qorgau.registry.models import (
    AccessPoint,
    Camera,
    District,
    Equipment,
    GuardPost,
    PanicButton,
    School,
    size_tier_for,
)

if TYPE_CHECKING:
    from qorgau.accounts.models import User

SCHOOLS = "schools"
EQUIPMENT = "equipment"
CSV = "csv"
XLSX = "xlsx"

# Almaty has a few hundred schools and a few thousand cameras; a bigger file is a mistake, not a register.
MAX_ROWS = 50_000
# An XLSX is a zip. Besides the total it unpacks to (settings.IMPORT_MAX_UNPACKED_BYTES), a workbook has a
# few dozen parts, and no part of a real one packs its content more than a few dozen times smaller.
MAX_ZIP_MEMBERS = 1_000
MAX_MEMBER_RATIO = 200
# Lookups by BIN go in batches this large: one query for a whole ordinary file, and well under the
# parameter limits of SQLite (32,766 since 3.32) and PostgreSQL (65,535).
_LOOKUP_BATCH = 10_000
_WRITE_BATCH = 1_000

# Messages the tests assert; the others are written where they are used.
NOT_A_TABLE = _(
    "The file is neither a CSV table nor an Excel workbook (.xlsx). Save it from Excel as «CSV UTF-8» "
    "or «Excel Workbook» and upload it again."
)
OLD_EXCEL = _(
    "Old Excel files (.xls) cannot be read. Save the file as «Excel Workbook (.xlsx)» or as CSV "
    "and upload it again."
)
NOT_A_WORKBOOK = _("This ZIP archive is not an Excel workbook (.xlsx).")
BROKEN_WORKBOOK = _(
    "The workbook cannot be read; it may be damaged. Open it in Excel, save it and try again."
)
TOO_LARGE = _("The file is too large: %(size)s; the limit is %(limit)s.")
ODD_ZIP = _(
    "The workbook is not built like an Excel file (a part of it unpacks hundreds of times larger, or it has "
    "thousands of parts). Open it in Excel, save it as «Excel Workbook (.xlsx)» and upload it again."
)
ZIP_BOMB = _(
    "The workbook would unpack to %(size)s, more than the %(limit)s an import may hold; it is damaged or not "
    "a real table. Open it in Excel, keep only the sheet with the table, save it and upload it again."
)
EMPTY_FILE = _("The file is empty.")
NO_HEADER = _("The first row must hold the column names.")
NO_ROWS = _("The file has no rows below the column names.")
TOO_MANY_ROWS = _("The file has more than %(max)d rows. Split it into smaller files.")
HAS_ERRORS = _("The file has errors; nothing was imported.")
CHANGED_MEANWHILE = _(
    "The register changed while the file was being imported; nothing was written. Please try again."
)
MAY_NOT_IMPORT = _("You may not import schools.")

MISSING_COLUMN = _("The required column «%(column)s» is missing.")
DUPLICATE_COLUMN = _("This column appears more than once.")
REQUIRED = _("This cell must not be empty.")
TOO_LONG = _("Too long: at most %(max)d characters, this has %(n)d.")
NOT_WHOLE = _("«%(value)s» is not a whole number.")
OUT_OF_RANGE = _("%(value)s is out of range: it must be from %(low)d to %(high)d.")
NOT_A_NUMBER = _("«%(value)s» is not a number.")
LATITUDE_OUTSIDE = _("Latitude %(value)s is outside Kazakhstan: it must be from 40 to 56.")
LONGITUDE_OUTSIDE = _("Longitude %(value)s is outside Kazakhstan: it must be from 46 to 88.")
HALF_COORDINATES = _("Give the latitude and the longitude together.")
NOT_A_DATE = _("«%(value)s» is not a date: write it as dd.mm.yyyy or yyyy-mm-dd.")
FUTURE_DATE = _("The last check cannot be in the future.")
NOT_YES_NO = _("«%(value)s» is not yes or no.")
NOT_A_CHOICE = _("«%(value)s» is not one of: %(choices)s.")
BIN_AS_NUMBER = _(
    "Excel turned this BIN into a rounded number. Format the column as text and type the BIN again."
)
DUPLICATE_BIN = _("This BIN already appears in row %(row)d.")
UNKNOWN_DISTRICT = _("Unknown district «%(value)s»: give its code (e.g. AUE) or its name.")
DISTRICT_NOT_YOURS = _("District not in your area.")
BIN_OUTSIDE_AREA = _("A school with this BIN is registered outside your area; you cannot change it.")
NO_SUCH_SCHOOL = _("There is no school with this BIN in your area.")
UNKNOWN_EQUIPMENT = _("Unknown equipment «%(value)s»: use panic_button, camera, access_point or guard_post.")
DUPLICATE_EQUIPMENT = _("This equipment already appears in row %(row)d.")
AMBIGUOUS_LOCATION = _(
    "The school has several items of this kind at this location; give them distinct locations first."
)
NEEDED_FOR_NEW = _("A new %(kind)s needs this value.")


class RowError(NamedTuple):
    row: int  # as Excel shows it: the header is row 1
    column: str  # the header label as written in the file, or the expected name of a missing column
    message: str


@dataclass
class ImportResult:
    kind: str  # SCHOOLS or EQUIPMENT
    filename: str = ""
    rows: int = 0  # data rows read; blank rows are not counted
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------------------------------------
# Columns


SCHOOL_COLUMNS: dict[str, tuple[str, ...]] = {
    "bin": ("бин", "бсн", "бин школы"),
    "name_ru": (
        "название", "наименование", "название на русском", "наименование на русском", "название (рус)",
        "наименование (рус)", "name", "name (russian)",
    ),
    "name_kk": (
        "название на казахском", "наименование на казахском", "название (каз)", "наименование (каз)",
        "атауы", "name (kazakh)",
    ),
    "district": ("район", "аудан"),
    "address": ("адрес", "мекенжай"),
    "latitude": ("широта", "lat", "ендік"),
    "longitude": ("долгота", "lon", "lng", "бойлық"),
    "pupils": (
        "учащиеся", "учащихся", "количество учащихся", "число учащихся", "контингент", "оқушылар",
        "оқушылар саны",
    ),
    "shifts": ("смены", "смен", "сменность", "количество смен", "ауысым"),
    "head_name": ("директор", "руководитель", "фио директора", "фио руководителя", "head", "head's name"),
    "head_phone": ("телефон", "телефон директора", "телефон руководителя", "phone", "head's phone"),
}  # fmt: skip
SCHOOL_REQUIRED = ("bin", "name_ru", "name_kk", "district", "address", "pupils")

EQUIPMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "bin": SCHOOL_COLUMNS["bin"],
    "equipment": ("оборудование", "тип оборудования", "вид оборудования", "equipment type", "жабдық"),
    "location": ("место", "расположение", "место установки", "местоположение", "орны"),
    "status": ("статус", "состояние", "күйі"),
    "kind": ("тип", "вид", "type", "түрі"),
    "signal_to": ("вывод сигнала", "куда выведен сигнал", "сигнал", "signal"),
    "zone": ("зона", "зона обзора", "аймақ"),
    "placement": ("размещение", "установка"),
    "linked_to_police": ("подключена к цоу", "цоу", "вывод на цоу", "linked to police"),
    "archive_days": ("архив", "архив, дней", "архив (дней)", "глубина архива", "archive"),
    "has_turnstile": ("турникет", "турникеты", "turnstile"),
    "has_access_control": ("скуд", "access control"),
    "hours": ("часы", "режим работы", "график"),
    "last_checked": ("проверено", "дата проверки", "последняя проверка", "checked"),
}
EQUIPMENT_REQUIRED = ("bin", "equipment", "location")

# The equipment types as written in the file -> model, with the model's own kind-specific columns.
EQUIPMENT_TYPES: dict[str, tuple[type[Equipment], tuple[str, ...]]] = {
    "panic_button": (PanicButton, ("kind", "signal_to")),
    "camera": (Camera, ("zone", "placement", "linked_to_police", "archive_days")),
    "access_point": (AccessPoint, ("kind", "has_turnstile", "has_access_control")),
    "guard_post": (GuardPost, ("hours",)),
}
_COMMON_EQUIPMENT_FIELDS = ("status", "last_checked")
_EQUIPMENT_ALIASES = {
    "panic_button": (
        "panic-button", "panic-buttons", "тревожная кнопка", "кнопка", "ктс", "кнопка тревожной сигнализации",
        "дабыл түймесі",
    ),
    "camera": ("cameras", "камера", "видеокамера", "камера видеонаблюдения"),
    "access_point": ("access-point", "access-points", "вход", "точка доступа", "кпп", "кіреберіс"),
    "guard_post": ("guard-post", "guard-posts", "пост охраны", "пост", "күзет бекеті"),
}  # fmt: skip

# Russian and Kazakh words people write for the choices; the labels in every language are accepted too.
_CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "status": {
        "работает": "working", "исправна": "working", "исправен": "working", "исправно": "working",
        "жұмыс істейді": "working", "неисправна": "faulty", "неисправен": "faulty", "не работает": "faulty",
        "ақаулы": "faulty", "отсутствует": "missing", "нет": "missing", "жоқ": "missing",
    },
    "panic_button.kind": {"стационарная": "fixed", "мобильная": "mobile", "переносная": "mobile"},
    "signal_to": {
        "полиция": "police", "цоу": "police", "цоу полиции": "police", "охранная организация": "firm",
        "пульт охраны": "firm", "чоп": "firm", "нет": "none", "не подключена": "none",
    },
    "zone": {
        "периметр": "perimeter", "вход": "entrance", "коридор": "corridor", "холл": "hall",
        "лестница": "stairs", "столовая": "canteen", "гардероб": "cloakroom", "двор": "yard",
        "спортплощадка": "sports", "спортивная площадка": "sports", "въезд": "parking",
        "парковка": "parking", "другое": "other",
    },
    "placement": {"внутренняя": "indoor", "внутри": "indoor", "наружная": "outdoor", "уличная": "outdoor"},
    "access_point.kind": {
        "главный вход": "main", "центральный вход": "main", "основной": "main", "боковой вход": "side",
        "боковой": "side", "запасной выход": "emergency", "эвакуационный выход": "emergency",
        "аварийный": "emergency", "ворота": "gate", "калитка": "gate", "въезд": "vehicle",
    },
}  # fmt: skip

_YES = {"1", "да", "yes", "true", "y", "д", "иә", "ия", "+", "есть", "x", "✓"}
_NO = {"0", "нет", "no", "false", "n", "н", "жоқ", "-", "—", "–"}
_DISTRICT_WORDS = {"район", "р-н", "ауданы", "аудан", "district"}


class _Column(NamedTuple):
    name: str
    required: bool
    description: str


def column_help(kind: str) -> list[_Column]:
    """The expected columns with a word on each, for the import page."""

    def values(model, name) -> str:
        return ", ".join(value for value, _label in model._meta.get_field(name).choices)

    if kind == SCHOOLS:
        text = {
            "bin": _("The school's 12-digit BIN. A school already in the register is updated by its BIN."),
            "name_ru": _("Name in Russian."),
            "name_kk": _("Name in Kazakh."),
            "district": _("The district's code (e.g. AUE) or its name in Russian, Kazakh or English."),
            "address": _("Address."),
            "latitude": _("Latitude in degrees, e.g. 43.238949."),
            "longitude": _("Longitude in degrees, e.g. 76.889709."),
            "pupils": _("Number of pupils, a whole number."),
            "shifts": _("Number of shifts: 1, 2 or 3."),
            "head_name": _("The head's full name."),
            "head_phone": _("The head's phone."),
        }
        return [_Column(name, name in SCHOOL_REQUIRED, str(text[name])) for name in SCHOOL_COLUMNS]
    text = {
        "bin": _("The school's BIN; the school must already be in the register."),
        "equipment": _("panic_button, camera, access_point or guard_post (also: камера, вход, пост охраны)."),
        "location": _("Where it is in the school. The BIN, the equipment and the location identify an item."),
        "status": _("Status: %(values)s.") % {"values": values(Camera, "status")},
        "kind": _("Panic button: %(panic)s. Access point: %(access)s.")
        % {"panic": values(PanicButton, "kind"), "access": values(AccessPoint, "kind")},
        "signal_to": _("Panic button, where the signal goes: %(values)s.")
        % {"values": values(PanicButton, "signal_to")},
        "zone": _("Camera, the zone covered (needed for a new camera): %(values)s.")
        % {"values": values(Camera, "zone")},
        "placement": _("Camera: %(values)s.") % {"values": values(Camera, "placement")},
        "linked_to_police": _("Camera linked to the police centre: yes or no."),
        "archive_days": _("Camera: days of recordings kept."),
        "has_turnstile": _("Access point with a turnstile: yes or no."),
        "has_access_control": _("Access point with an access-control system: yes or no."),
        "hours": _("Guard post: hours, e.g. 24/7."),
        "last_checked": _("Date of the last check: dd.mm.yyyy or yyyy-mm-dd."),
    }
    return [_Column(name, name in EQUIPMENT_REQUIRED, str(text[name])) for name in EQUIPMENT_COLUMNS]


_EXAMPLE_BIN = make_bin("98040000001")
_TEMPLATE_ROWS = {
    SCHOOLS: [
        {
            "bin": _EXAMPLE_BIN, "name_ru": "Школа-гимназия № 1", "name_kk": "№ 1 мектеп-гимназиясы",
            "district": "Ауэзовский район", "address": "ул. Абая, 1", "latitude": "43.238949",
            "longitude": "76.889709", "pupils": "850", "shifts": "2",
            "head_name": "Ахметова Гульнара Сериковна", "head_phone": "+7 727 000 00 00",
        },
    ],
    EQUIPMENT: [
        {
            "bin": _EXAMPLE_BIN, "equipment": "panic_button", "location": "Пост охраны, 1 этаж",
            "status": "working", "kind": "fixed", "signal_to": "police", "last_checked": "01.09.2025",
        },
        {
            "bin": _EXAMPLE_BIN, "equipment": "camera", "location": "Центральный вход", "status": "working",
            "zone": "entrance", "placement": "outdoor", "linked_to_police": "да", "archive_days": "30",
            "last_checked": "01.09.2025",
        },
        {
            "bin": _EXAMPLE_BIN, "equipment": "access_point", "location": "Центральный вход",
            "status": "working", "kind": "main", "has_turnstile": "да", "has_access_control": "нет",
        },
        {
            "bin": _EXAMPLE_BIN, "equipment": "guard_post", "location": "Пост № 1", "status": "working",
            "hours": "24/7",
        },
    ],
}  # fmt: skip


def template_csv(kind: str) -> str:
    """The columns and example rows. Semicolons and a byte-order mark, because that is what Excel with
    Russian regional settings opens correctly by a double click."""
    columns = list(SCHOOL_COLUMNS if kind == SCHOOLS else EQUIPMENT_COLUMNS)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(columns)
    writer.writerows([row.get(name, "") for name in columns] for row in _TEMPLATE_ROWS[kind])
    return "\ufeff" + buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------
# Reading the file


@dataclass
class _Table:
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number as Excel shows it, cells); blank rows left out


_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # never in a text table, always in binary files


def _too_large(size: int, limit: int) -> ImportRejected:
    return ImportRejected(str(TOO_LARGE % {"size": filesizeformat(size), "limit": filesizeformat(limit)}))


def check_file(*, data: bytes) -> str:
    """CSV or XLSX, judged by the content; ImportRejected for anything else."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise _too_large(len(data), settings.IMPORT_MAX_BYTES)
    if not data or data.isspace():
        raise ImportRejected(str(EMPTY_FILE))
    if data.startswith(_OLE2_MAGIC):
        raise ImportRejected(str(OLD_EXCEL))
    if zipfile.is_zipfile(io.BytesIO(data)):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise ImportRejected(str(NOT_A_TABLE)) from error
        if "xl/workbook.xml" not in names:
            raise ImportRejected(str(NOT_A_WORKBOOK))
        return XLSX
    _decode(data)
    return CSV


def _decode(data: bytes) -> str:
    # UTF-8 is tried first: cp1251 decodes almost any bytes, UTF-8 rarely decodes cp1251 text by accident.
    encodings = ["utf-8-sig"] if data.startswith(codecs.BOM_UTF8) else ["utf-8", "cp1251"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            break
        return text
    raise ImportRejected(str(NOT_A_TABLE))


def read_table(data: bytes) -> _Table:
    if check_file(data=data) == XLSX:
        return _read_xlsx(data)
    return _read_csv(_decode(data))


def _read_csv(text: str) -> _Table:
    # The header decides the delimiter: column names hold neither commas nor semicolons, addresses may.
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _collect(reader)
    except csv.Error as error:
        message = _("The CSV file cannot be read near line %(line)d: %(error)s")
        raise ImportRejected(str(message % {"line": reader.line_num, "error": error})) from error


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a zip bomb before anything is unpacked.

    The sizes come from the archive's directory, and they hold: Python's zipfile stops every member at its
    declared size (a member that unpacks to more fails its CRC check), so the sum is a true upper bound.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    unpacked = sum(info.file_size for info in members)
    squeezed = any(
        info.file_size > 1024 * 1024 and info.file_size > MAX_MEMBER_RATIO * max(info.compress_size, 1)
        for info in members
    )
    if unpacked > limit:
        raise ImportRejected(
            str(ZIP_BOMB % {"size": filesizeformat(unpacked), "limit": filesizeformat(limit)})
        )
    if squeezed or len(members) > MAX_ZIP_MEMBERS:
        raise ImportRejected(str(ODD_ZIP))


def _read_xlsx(data: bytes) -> _Table:
    _check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds of errors on a damaged workbook
        raise ImportRejected(str(BROKEN_WORKBOOK)) from error
    try:
        sheet = workbook.worksheets[0]
        # Some programs write a wrong sheet size; without this, read-only mode would cut rows short.
        sheet.reset_dimensions()
        return _collect(sheet.iter_rows(values_only=True))
    except ImportRejected:
        raise
    except Exception as error:
        raise ImportRejected(str(BROKEN_WORKBOOK)) from error
    finally:
        workbook.close()


def _collect(rows: Iterator[Iterable[Any]]) -> _Table:
    header = next(rows, None)
    if header is None or all(_text(cell) == "" for cell in header):
        raise ImportRejected(str(NO_HEADER))
    body: list[tuple[int, list[Any]]] = []
    for number, cells in enumerate(rows, start=2):
        cells = list(cells)
        if all(_text(cell) == "" for cell in cells):
            continue
        if len(body) >= MAX_ROWS:
            raise ImportRejected(str(TOO_MANY_ROWS % {"max": MAX_ROWS}))
        body.append((number, cells))
    if not body:
        raise ImportRejected(str(NO_ROWS))
    return _Table(header=[_text(cell) for cell in header], rows=body)


# ---------------------------------------------------------------------------------------------------------
# Cells


class _Bad(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


_SPACES = re.compile(r"[\s\u00a0\u202f]+")  # Excel with Russian settings groups thousands by a no-break space
_WHOLE = re.compile(r"[+-]?\d{1,15}(?:[.,]0*)?")  # bounded: Python refuses to parse huge digit strings
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE]\+?\d+")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _norm(value: Any) -> str:
    """A label or choice as compared: case, «ё», underscores, extra spaces, a trailing «*» or «:» ignored."""
    text = _text(value).lower().replace("ё", "е").replace("_", " ")
    return " ".join(text.split()).strip(" *:")


def _parse_text(raw: Any, *, max_length: int) -> str:
    text = _text(raw)
    if len(text) > max_length:
        raise _Bad(TOO_LONG % {"max": max_length, "n": len(text)})
    return text


def _parse_whole(raw: Any, *, low: int, high: int) -> int:
    text = _SPACES.sub("", _text(raw))
    if not _WHOLE.fullmatch(text):
        raise _Bad(NOT_WHOLE % {"value": _text(raw)})
    number = int(re.split(r"[.,]", text)[0])
    if not low <= number <= high:
        raise _Bad(OUT_OF_RANGE % {"value": number, "low": low, "high": high})
    return number


def _parse_coordinate(raw: Any, *, low: int, high: int, outside) -> Decimal:
    text = _SPACES.sub("", _text(raw)).replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _Bad(NOT_A_NUMBER % {"value": _text(raw)}) from None
    if not value.is_finite():
        raise _Bad(NOT_A_NUMBER % {"value": _text(raw)})
    if not low <= value <= high:
        raise _Bad(outside % {"value": text})
    return value.quantize(Decimal("0.000001"))  # the column keeps six decimal places


def _parse_bin(raw: Any) -> str:
    if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
        # A BIN typed into Excel as a number loses its leading zeros; a BIN has 12 digits, so restore them.
        text = str(int(raw)).zfill(12)
    else:
        text = _SPACES.sub("", _text(raw))
        if _SCIENTIFIC.fullmatch(text):
            raise _Bad(BIN_AS_NUMBER)
    problem = bin_problem(text)
    if problem:
        raise _Bad(problem)
    return text


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    word = _norm(raw)
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise _Bad(NOT_YES_NO % {"value": _text(raw)})


def _parse_last_checked(raw: Any) -> date:
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        text = _text(raw)
        for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
            try:
                value = datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise _Bad(NOT_A_DATE % {"value": text})
    if value > timezone.localdate():
        raise _Bad(FUTURE_DATE)
    return value


def _parse_choice(raw: Any, *, lookup: dict[str, Any], choices: str, message=NOT_A_CHOICE) -> Any:
    value = lookup.get(_norm(raw))
    if value is None:
        raise _Bad(message % {"value": _text(raw), "choices": choices})
    return value


def _labels(label) -> Iterator[str]:
    """A translatable label in every language the site speaks."""
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            yield str(label)


def _choice_parser(model: type[models.Model], name: str) -> Callable[[Any], Any]:
    model_field = model._meta.get_field(name)
    aliases = _CHOICE_ALIASES.get(f"{_type_key(model)}.{name}") or _CHOICE_ALIASES.get(name, {})
    lookup: dict[str, Any] = {}
    for value, _label in model_field.choices:
        lookup[_norm(value)] = value
    for alias, value in aliases.items():
        lookup.setdefault(_norm(alias), value)
    for value, label in model_field.choices:
        for text in _labels(label):
            lookup.setdefault(_norm(text), value)
    choices = ", ".join(value for value, _label in model_field.choices)
    return partial(_parse_choice, lookup=lookup, choices=choices)


def _type_key(model: type[Equipment]) -> str:
    return next(key for key, (m, _fields) in EQUIPMENT_TYPES.items() if m is model)


def _field_parser(model: type[Equipment], name: str) -> Callable[[Any], Any]:
    """How to read a cell into this model field, from the field's own type and limits."""
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return _choice_parser(model, name)
    if isinstance(model_field, models.BooleanField):
        return _parse_bool
    if isinstance(model_field, models.DateField):
        return _parse_last_checked
    if isinstance(model_field, models.IntegerField):
        limits = [v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator)]
        return partial(_parse_whole, low=0, high=min(limits, default=32767))
    return partial(_parse_text, max_length=model_field.max_length)


def _district_key(value: Any) -> str:
    return " ".join(word for word in _norm(value).split() if word not in _DISTRICT_WORDS)


def _district_parser() -> Callable[[Any], District]:
    # All districts, not only the user's: a district chief's row of another district is then
    # "not in your area" rather than "unknown". District names are public.
    lookup: dict[str, District] = {}
    for district in District.objects.all():
        for name in (district.code, district.name_ru, district.name_kk, district.name_en):
            if _district_key(name):
                lookup.setdefault(_district_key(name), district)

    def parse(raw: Any) -> District:
        district = lookup.get(_district_key(raw))
        if district is None:
            raise _Bad(UNKNOWN_DISTRICT % {"value": _text(raw)})
        return district

    return parse


def _equipment_parser() -> Callable[[Any], type[Equipment]]:
    lookup: dict[str, type[Equipment]] = {}
    for key, (model, _fields) in EQUIPMENT_TYPES.items():
        lookup[_norm(key)] = model
        for alias in _EQUIPMENT_ALIASES[key]:
            lookup[_norm(alias)] = model
    for model, _fields in EQUIPMENT_TYPES.values():
        for label in (model._meta.verbose_name, model._meta.verbose_name_plural):
            for text in _labels(label):
                lookup.setdefault(_norm(text), model)
    return partial(_parse_choice, lookup=lookup, choices="", message=UNKNOWN_EQUIPMENT)


# ---------------------------------------------------------------------------------------------------------
# Rows


@dataclass
class _Columns:
    index: dict[str, int]  # column name -> position in the row
    labels: dict[str, str]  # column name -> the header label as written in the file
    complete: bool  # every required column is there

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


def _map_columns(
    header: list[str], known: dict[str, tuple[str, ...]], required: tuple[str, ...], result: ImportResult
) -> _Columns:
    lookup = {_norm(alias): name for name, aliases in known.items() for alias in (name, *aliases)}
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    for position, label in enumerate(header):
        if not label:
            continue
        name = lookup.get(_norm(label))
        if name is None:
            result.ignored_columns.append(label)
        elif name in index:
            result.errors.append(RowError(1, label, str(DUPLICATE_COLUMN)))
        else:
            index[name] = position
            labels[name] = label
    missing = [name for name in required if name not in index]
    for name in missing:
        result.errors.append(RowError(1, name, str(MISSING_COLUMN % {"column": name})))
    return _Columns(index, labels, complete=not missing)


class _Row:
    def __init__(self, number: int, cells: list[Any], columns: _Columns, errors: list[RowError]):
        self.number = number
        self.cells = cells
        self.columns = columns
        self.errors = errors
        self.failed = False

    def raw(self, name: str) -> Any:
        position = self.columns.index.get(name)
        if position is None or position >= len(self.cells):
            return None
        return self.cells[position]

    def blank(self, name: str) -> bool:
        return _text(self.raw(name)) == ""

    def error(self, name: str, message) -> None:
        self.errors.append(RowError(self.number, self.columns.label(name), str(message)))
        self.failed = True

    def value(self, name: str, parse: Callable[[Any], Any], *, required: bool = False) -> Any:
        """The cell read by `parse`; None when it is blank (an error if required) or has an error."""
        if self.blank(name):
            if required and name in self.columns.index:  # a missing column is reported once, on row 1
                self.error(name, REQUIRED)
            return None
        try:
            return parse(self.raw(name))
        except _Bad as bad:
            self.error(name, bad.message)
            return None


# ---------------------------------------------------------------------------------------------------------
# The plan: what the file would change


@dataclass
class _Context:
    user: User | None  # None: a system import from the command line
    district_ids: frozenset[int] | None  # the districts the user may import into; None: the whole city

    @classmethod
    def for_user(cls, user: User | None) -> _Context:
        if user is None:
            return cls(None, None)
        if not policy.can_import(user):
            raise NotAllowed(str(MAY_NOT_IMPORT))
        if scope_for(user).level == "city":
            return cls(user, None)
        return cls(user, frozenset(visible(user, District).values_list("id", flat=True)))

    def may_use(self, district: District) -> bool:
        return self.district_ids is None or district.pk in self.district_ids

    def schools(self) -> models.QuerySet[School]:
        return School.objects.all() if self.user is None else visible(self.user, School)


@dataclass
class _Plan:
    result: ImportResult
    creates: dict[type[models.Model], list] = field(default_factory=lambda: defaultdict(list))
    updates: dict[type[models.Model], list] = field(default_factory=lambda: defaultdict(list))
    update_fields: dict[type[models.Model], set[str]] = field(default_factory=lambda: defaultdict(set))
    history: list[tuple[models.Model, dict]] = field(default_factory=list)  # (object, changes)

    def create(self, obj: models.Model) -> None:
        self.creates[type(obj)].append(obj)
        self.history.append((obj, diff(None, snapshot(obj))))
        self.result.created += 1

    def update(self, obj: models.Model, values: dict[str, Any]) -> None:
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if not changed:
            self.result.unchanged += 1
            return
        before = snapshot(obj)
        for name in changed:
            setattr(obj, name, values[name])
        self.updates[type(obj)].append(obj)
        self.update_fields[type(obj)].update(changed)
        changes = diff(before, snapshot(obj))
        if changes:  # a size tier alone is not shown in the history, as in record_change
            self.history.append((obj, changes))
        self.result.updated += 1


def _batches(values: list) -> Iterator[list]:
    for start in range(0, len(values), _LOOKUP_BATCH):
        yield values[start : start + _LOOKUP_BATCH]


def _plan_schools(ctx: _Context, table: _Table, result: ImportResult) -> _Plan:
    plan = _Plan(result)
    columns = _map_columns(table.header, SCHOOL_COLUMNS, SCHOOL_REQUIRED, result)
    parse_district = _district_parser()

    def text(name):
        return partial(_parse_text, max_length=School._meta.get_field(name).max_length)

    parsers = {
        "name_ru": (text("name_ru"), True),
        "name_kk": (text("name_kk"), True),
        "address": (text("address"), True),
        "latitude": (partial(_parse_coordinate, low=40, high=56, outside=LATITUDE_OUTSIDE), False),
        "longitude": (partial(_parse_coordinate, low=46, high=88, outside=LONGITUDE_OUTSIDE), False),
        "pupils": (partial(_parse_whole, low=0, high=20000), True),
        "shifts": (partial(_parse_whole, low=1, high=3), False),
        "head_name": (text("head_name"), False),
        "head_phone": (text("head_phone"), False),
    }
    rows = []
    first_row_of_bin: dict[str, int] = {}
    for number, cells in table.rows:
        row = _Row(number, cells, columns, result.errors)
        bin_ = row.value("bin", _parse_bin, required=True)
        if bin_ in first_row_of_bin:
            row.error("bin", DUPLICATE_BIN % {"row": first_row_of_bin[bin_]})
        elif bin_ is not None:
            first_row_of_bin[bin_] = number
        district = row.value("district", parse_district, required=True)
        if district is not None and not ctx.may_use(district):
            row.error("district", DISTRICT_NOT_YOURS)
        # A blank optional cell keeps what the register holds (or the default for a new school).
        values = {"district": district}
        for name, (parse, required) in parsers.items():
            value = row.value(name, parse, required=required)
            if value is not None:
                values[name] = value
        for one, other in (("latitude", "longitude"), ("longitude", "latitude")):
            if one in values and row.blank(other):
                row.error(other, HALF_COORDINATES)
        rows.append((row, bin_, values))
    if not columns.complete:
        return plan  # the cells were checked, so every error shows at once; nothing can be written

    existing = _existing_schools(ctx, list(first_row_of_bin))
    for row, bin_, values in rows:
        if bin_ is None:
            continue
        school, may_change = existing.get(bin_, (None, True))
        if not may_change:
            # Say only that the BIN is taken: nothing about the school, its name or its district.
            row.error("bin", BIN_OUTSIDE_AREA)
        if row.failed:
            continue
        if school is None:
            school = School(bin=bin_, **values)
            school.size_tier = size_tier_for(school.pupils, school.district.city_status)
            plan.create(school)
        else:
            pupils = values.get("pupils", school.pupils)
            plan.update(
                school, {**values, "size_tier": size_tier_for(pupils, values["district"].city_status)}
            )
    return plan


def _existing_schools(ctx: _Context, bins: list[str]) -> dict[str, tuple[School, bool]]:
    """BIN -> (school, may the user change it). All schools, not only visible ones: a BIN is unique across
    the city, so a row must not try to create a school that exists outside the user's area."""
    found: dict[str, tuple[School, bool]] = {}
    for batch in _batches(bins):
        schools = School.objects.filter(bin__in=batch).select_related("district")
        if ctx.district_ids is None:
            found.update((s.bin, (s, True)) for s in schools)
            continue
        mine = set(ctx.schools().filter(bin__in=batch).values_list("id", flat=True))
        found.update((s.bin, (s, s.pk in mine)) for s in schools)
    return found


def _plan_equipment(ctx: _Context, table: _Table, result: ImportResult) -> _Plan:
    plan = _Plan(result)
    columns = _map_columns(table.header, EQUIPMENT_COLUMNS, EQUIPMENT_REQUIRED, result)
    parse_type = _equipment_parser()
    parse_location = partial(_parse_text, max_length=Equipment._meta.get_field("location").max_length)
    parsers = {
        model: {name: _field_parser(model, name) for name in (*_COMMON_EQUIPMENT_FIELDS, *names)}
        for model, names in EQUIPMENT_TYPES.values()
    }
    rows = []
    for number, cells in table.rows:
        row = _Row(number, cells, columns, result.errors)
        bin_ = row.value("bin", _parse_bin, required=True)
        model = row.value("equipment", parse_type, required=True)
        location = row.value("location", parse_location, required=True)
        values: dict[str, Any] = {}
        if model is not None:
            # Columns of other kinds are left alone: one file mixes cameras, buttons, entrances and posts.
            for name, parse in parsers[model].items():
                value = row.value(name, parse)
                if value is not None:
                    values[name] = value
        rows.append((row, bin_, model, location, values))
    if not columns.complete:
        return plan  # the cells were checked, so every error shows at once; nothing can be written

    schools = _visible_schools(ctx, list({bin_ for _row, bin_, *_rest in rows if bin_}))
    existing = _existing_equipment(schools, {model for _r, _b, model, *_rest in rows if model})
    first_row: dict[tuple, int] = {}
    for row, bin_, model, location, values in rows:
        if bin_ is None or model is None or location is None:
            continue
        key = (bin_, model, _norm(location))
        if key in first_row:
            row.error("location", DUPLICATE_EQUIPMENT % {"row": first_row[key]})
            continue
        first_row[key] = row.number
        school = schools.get(bin_)
        if school is None:
            row.error("bin", NO_SUCH_SCHOOL)
        if row.failed:
            continue
        matches = existing.get((school.pk, model, _norm(location)), [])
        values["location"] = location
        if len(matches) > 1:
            row.error("location", AMBIGUOUS_LOCATION)
        elif matches:
            plan.update(matches[0], values)
        else:
            missing = [
                f.name
                for f in model._meta.concrete_fields
                if f.name in parsers[model] and not f.has_default() and not f.blank and f.name not in values
            ]
            for name in missing:
                row.error(name, NEEDED_FOR_NEW % {"kind": model._meta.verbose_name})
            if not missing:
                plan.create(model(school=school, **values))
    return plan


def _visible_schools(ctx: _Context, bins: list[str]) -> dict[str, School]:
    # One message whether the school does not exist or is outside the user's area: nothing is revealed.
    found: dict[str, School] = {}
    for batch in _batches(bins):
        found.update((s.bin, s) for s in ctx.schools().filter(bin__in=batch).select_related("district"))
    return found


def _existing_equipment(schools: dict[str, School], kinds: set[type[Equipment]]) -> dict[tuple, list]:
    """(school id, model, location) -> items. Reached through the schools already checked for the user."""
    by_id = {s.pk: s for s in schools.values()}
    found: dict[tuple, list] = defaultdict(list)
    for model in kinds:
        for batch in _batches(list(by_id)):
            items = model.objects.filter(school_id__in=batch).order_by("id")
            if model is GuardPost:
                items = items.select_related("firm")  # the history shows the firm by name
            for item in items:
                item.school = by_id[item.school_id]  # already loaded: no query per item for the history
                found[(item.school_id, model, _norm(item.location))].append(item)
    return found


def _plan(ctx: _Context, data: bytes, filename: str) -> _Plan:
    table = read_table(data)
    equipment_labels = {_norm(a) for a in (EQUIPMENT, *EQUIPMENT_COLUMNS[EQUIPMENT])}
    kind = EQUIPMENT if any(_norm(label) in equipment_labels for label in table.header) else SCHOOLS
    result = ImportResult(kind=kind, filename=filename, rows=len(table.rows))
    plan = (_plan_equipment if kind == EQUIPMENT else _plan_schools)(ctx, table, result)
    result.errors.sort(key=lambda error: error.row)
    return plan


# ---------------------------------------------------------------------------------------------------------
# Writing


def _write(plan: _Plan, *, actor: User | None) -> None:
    now = timezone.now()
    for model, objects in plan.creates.items():
        if connection.features.can_return_rows_from_bulk_insert:
            model.objects.bulk_create(objects, batch_size=_WRITE_BATCH)
        else:
            # Without RETURNING the new ids stay unknown, and the history needs them.
            for obj in objects:
                obj.save(force_insert=True)
    for model, objects in plan.updates.items():
        for obj in objects:
            obj.updated_at = now  # bulk_update skips auto_now
        fields = [*sorted(plan.update_fields[model]), "updated_at"]
        model.objects.bulk_update(objects, fields, batch_size=_WRITE_BATCH)
    records = []
    for obj, changes in plan.history:
        # The same shape as history.record_change, so an import reads like any other change.
        school = obj if isinstance(obj, School) else obj.school
        records.append(
            ChangeRecord(
                at=now,
                actor=actor,
                action=ChangeRecord.Action.IMPORTED,
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
                object_repr=str(obj)[:300],
                changes=changes,
                school=school,
                district=school.district,
            )
        )
    ChangeRecord.objects.bulk_create(records, batch_size=_WRITE_BATCH)


# ---------------------------------------------------------------------------------------------------------
# The services


def import_preview(*, user: User | None, data: bytes, filename: str) -> ImportResult:
    """What the file would change, and every row error; writes nothing.

    `user=None` is a system import with the whole city in scope; only the command line passes it.
    Raises ImportRejected when the file cannot be read at all, NotAllowed when the user may not import.
    """
    return _plan(_Context.for_user(user), data, filename).result


def import_apply(*, user: User | None, data: bytes, filename: str) -> ImportResult:
    """Write the file's schools or equipment, or nothing at all: ImportRejected lists the errors.

    `user=None` is a system import with the whole city in scope; only the command line passes it.
    """
    ctx = _Context.for_user(user)
    try:
        with transaction.atomic():
            plan = _plan(ctx, data, filename)
            if plan.result.errors:
                raise ImportRejected(str(HAS_ERRORS), plan.result.errors)
            _write(plan, actor=user)
    except IntegrityError as error:
        # Another import or a form added the same BIN or equipment between our check and our write.
        raise ImportRejected(str(CHANGED_MEANWHILE)) from error
    plan.result.applied = True
    return plan.result


__all__ = [
    "EQUIPMENT",
    "SCHOOLS",
    "ImportResult",
    "RowError",
    "check_file",
    "column_help",
    "import_apply",
    "import_preview",
    "template_csv",
]
