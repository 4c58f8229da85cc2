"""The demo city: Almaty's eight districts, its schools with their equipment, security firms and a login for
every role.

Everything comes from one seeded random generator, so every run builds the same city (dates are counted
from today, so that "expired" and "expires within 30 days" stay true). Rows are written with bulk_create:
the services are for one user's action at a time, and going through them would make 10,000 schools take
minutes. A handful of changes do go through the real services, so that passports show a history.

With `history=True` (what `qorgau demo` does for the standard city) a season of inspections and orders is
written over it through the services: see `demo_history.py`. Benchmark cities (`--schools N` above the
standard size) get five years of history written in bulk instead: see `demo_national.py`.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone, translation

from qorgau.accounts.models import Organisation, OrgKind, Role, User
from qorgau.registry import services
from qorgau.registry.bin import make_bin
from qorgau.registry.districts import ALMATY_DISTRICTS
from qorgau.registry.models import (
    AccessPoint,
    Camera,
    CameraZone,
    District,
    EquipmentStatus,
    GuardContract,
    GuardPost,
    PanicButton,
    School,
    SecurityFirm,
    SignalDestination,
    size_tier_for,
)

DEMO_PASSWORD = "qorgau-demo-2026"
# Almaty had 207 schools and 4,414 cameras in 2021 (checklist-facts.md); the demo aims at those figures.
DEFAULT_SCHOOLS = 207
MIN_SCHOOLS = len(ALMATY_DISTRICTS)  # at least one school per district
SEED = 2026
BATCH_SIZE = 2000

# ---------------------------------------------------------------------------------------------------------
# The city: where schools are, how big they are, what they are called.

# Share of the city's schools per district (roughly the real spread; sums to 207).
_DISTRICT_WEIGHTS = {"ALT": 30, "ALM": 20, "AUE": 38, "BOS": 30, "ZHE": 22, "MED": 22, "NAU": 18, "TUR": 27}

# A rough box (south, north, west, east) inside each district, for coordinates.
_DISTRICT_AREAS = {
    "ALT": (43.245, 43.320, 76.780, 76.875),
    "ALM": (43.237, 43.265, 76.885, 76.935),
    "AUE": (43.200, 43.245, 76.820, 76.880),
    "BOS": (43.175, 43.235, 76.885, 76.955),
    "ZHE": (43.265, 43.310, 76.900, 76.965),
    "MED": (43.205, 43.265, 76.945, 77.020),
    "NAU": (43.170, 43.215, 76.760, 76.835),
    "TUR": (43.285, 43.365, 76.930, 77.000),
}

# Real streets and microdistricts of each district. Microdistricts take a house number; streets too.
_DISTRICT_STREETS = {
    "ALT": [
        "мкр. Шанырак-1", "мкр. Шанырак-2", "мкр. Айгерим-1", "мкр. Айгерим-2", "мкр. Алгабас",
        "мкр. Карасу", "мкр. Боралдай", "мкр. Саялы", "мкр. Кокжиек", "ул. Рыскулова", "ул. Момышулы",
        "мкр. Заря Востока",
    ],
    "ALM": [
        "ул. Толе би", "ул. Абая", "ул. Сейфуллина", "ул. Гоголя", "ул. Карасай батыра",
        "ул. Богенбай батыра", "ул. Айтеке би", "ул. Казыбек би", "ул. Шевченко", "ул. Жамбыла",
        "ул. Байтурсынулы", "ул. Муратбаева", "ул. Байзакова", "пр. Абылай хана",
    ],
    "AUE": [
        "мкр. Аксай-1", "мкр. Аксай-2", "мкр. Аксай-3А", "мкр. Аксай-4", "мкр. Аксай-5", "мкр. Жетысу-1",
        "мкр. Жетысу-2", "мкр. Жетысу-3", "мкр. Мамыр-4", "мкр. Таугуль", "мкр. Сайран", "мкр. 8",
        "мкр. 10А", "мкр. 12", "ул. Толе би", "ул. Саина", "пр. Абая", "ул. Шаляпина",
    ],
    "BOS": [
        "пр. Аль-Фараби", "ул. Тимирязева", "ул. Розыбакиева", "ул. Жандосова", "мкр. Орбита-1",
        "мкр. Орбита-3", "мкр. Коктем-2", "ул. Сатпаева", "мкр. Алмагуль", "ул. Ходжанова",
        "ул. Навои", "мкр. Казахфильм", "мкр. Нур Алатау", "ул. Жарокова", "ул. Маркова",
    ],
    "ZHE": [
        "ул. Сейфуллина", "ул. Рыскулова", "мкр. Кулагер", "мкр. Айнабулак-1", "мкр. Айнабулак-2",
        "мкр. Айнабулак-3", "мкр. Айнабулак-4", "ул. Бокейханова", "ул. Шолохова", "ул. Макатаева",
        "ул. Котельникова", "пр. Суюнбая",
    ],
    "MED": [
        "пр. Достык", "ул. Кунаева", "ул. Пушкина", "ул. Зенкова", "ул. Жибек жолы", "мкр. Самал-1",
        "мкр. Самал-2", "мкр. Самал-3", "мкр. Думан", "ул. Бегалина", "пр. Назарбаева",
        "мкр. Горный Гигант", "ул. Маметовой", "ул. Кабанбай батыра",
    ],
    "NAU": [
        "мкр. Шугыла", "мкр. Калкаман-1", "мкр. Калкаман-2", "мкр. Таусамалы", "мкр. Акжар",
        "мкр. Курамыс", "мкр. Карагайлы", "мкр. Каргалы", "ул. Жандосова", "мкр. Жайлау",
    ],
    "TUR": [
        "ул. Майлина", "мкр. Жулдыз-1", "мкр. Жулдыз-2", "ул. Бекмаханова", "пр. Суюнбая",
        "мкр. Кайрат", "мкр. Жас Канат", "мкр. Кемел", "мкр. Альмерек", "ул. Шолохова", "ул. Акан серы",
    ],
}  # fmt: skip

# The new-build districts on the city's edge have the most crowded schools, the old centre the smallest.
_BIG_SCHOOL_SHARE = {"ALT": 0.22, "NAU": 0.20, "AUE": 0.12, "TUR": 0.08}
_SMALL_SCHOOL_SHARE = {"ALM": 0.16, "MED": 0.14, "ZHE": 0.10}

# (Russian name, Kazakh name) by kind of school; {n} is the school's number.
_GENERAL = ("КГУ «Общеобразовательная школа № {n}»", "«№ {n} жалпы білім беретін мектеп» КММ")
_NAMED_KINDS = [
    (("Школа-гимназия № {n}", "№ {n} мектеп-гимназиясы"), 20),
    (("Гимназия № {n}", "№ {n} гимназия"), 10),
    (("Лицей № {n}", "№ {n} лицей"), 8),
    (("Школа-лицей № {n}", "№ {n} мектеп-лицейі"), 7),
]
_SPECIALISED = [
    (
        "Специализированная школа-гимназия № {n} с углублённым изучением английского языка",
        "Ағылшын тілін тереңдетіп оқытатын № {n} мамандандырылған мектеп-гимназиясы",
    ),
    (
        "Специализированный лицей № {n} для одарённых детей",
        "Дарынды балаларға арналған № {n} мамандандырылған лицей",
    ),
    (
        "Специализированная школа № {n} с углублённым изучением математики",
        "Математиканы тереңдетіп оқытатын № {n} мамандандырылған мектеп",
    ),
    ("Специальная (коррекционная) школа-интернат № {n}", "№ {n} арнайы (түзету) мектеп-интернаты"),
]
# (Russian suffix, Kazakh prefix) for schools named after someone.
_EPONYMS = [
    ("имени Абая", "Абай атындағы"),
    ("имени Ы. Алтынсарина", "Ы. Алтынсарин атындағы"),
    ("имени М. Ауэзова", "М. Әуезов атындағы"),
    ("имени Ж. Баласагуни", "Ж. Баласағұн атындағы"),
    ("имени А. Байтурсынулы", "А. Байтұрсынұлы атындағы"),
    ("имени М. Жумабаева", "М. Жұмабаев атындағы"),
    ("имени Б. Момышулы", "Б. Момышұлы атындағы"),
    ("имени С. Сейфуллина", "С. Сейфуллин атындағы"),
    ("имени Ч. Валиханова", "Ш. Уәлиханов атындағы"),
    ("имени А. С. Пушкина", "А. С. Пушкин атындағы"),
    ("имени М. Макатаева", "М. Мақатаев атындағы"),
    ("имени Жамбыла", "Жамбыл атындағы"),
    ("имени К. Сатпаева", "Қ. Сәтбаев атындағы"),
]
_NIS = (
    "Назарбаев Интеллектуальная школа физико-математического направления г. Алматы",
    "Алматы қаласындағы физика-математика бағытындағы Назарбаев Зияткерлік мектебі",
)

# ---------------------------------------------------------------------------------------------------------
# People.

_KAZAKH_SURNAMES = [
    "Ахметов",
    "Жумабеков",
    "Садыков",
    "Касымов",
    "Оспанов",
    "Бекмуратов",
    "Абдрахманов",
    "Есенов",
    "Искаков",
    "Мухамеджанов",
    "Тулегенов",
    "Омаров",
    "Нурпеисов",
    "Байжанов",
    "Калиев",
    "Сарсенбаев",
    "Жакупов",
    "Кенжебаев",
    "Муканов",
    "Ибраев",
    "Смагулов",
    "Туребеков",
    "Алимжанов",
    "Бектуров",
    "Сулейменов",
    "Утепов",
    "Жаксылыков",
    "Нуртазин",
    "Ермеков",
    "Рахимов",
    "Сагинтаев",
    "Кулмаханов",
]
_RUSSIAN_SURNAMES = [
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Волков",
    "Морозов",
    "Соколов",
    "Лебедев",
    "Новиков",
    "Федоров",
    "Михайлов",
    "Павлов",
    "Семенов",
]
# Koryo-saram surnames do not change with gender.
_KOREAN_SURNAMES = ["Ким", "Ли", "Пак", "Цой", "Тен"]
_KAZAKH_MALE = [
    "Ерлан",
    "Нурлан",
    "Серик",
    "Марат",
    "Болат",
    "Кайрат",
    "Асхат",
    "Бауыржан",
    "Ержан",
    "Даурен",
    "Талгат",
    "Арман",
    "Жанат",
    "Мурат",
    "Айдар",
    "Ермек",
    "Бакыт",
    "Еркебулан",
    "Данияр",
    "Азамат",
]
_KAZAKH_FEMALE = [
    "Гульнара",
    "Айгуль",
    "Динара",
    "Жанар",
    "Сауле",
    "Алия",
    "Айгерим",
    "Гульмира",
    "Асель",
    "Мадина",
    "Лаура",
    "Салтанат",
    "Жанна",
    "Карлыгаш",
    "Роза",
    "Назира",
    "Бибигуль",
    "Шолпан",
    "Ботагоз",
    "Меруерт",
]
_RUSSIAN_MALE = ["Сергей", "Александр", "Андрей", "Виктор", "Дмитрий", "Игорь", "Денис", "Олег"]
_RUSSIAN_FEMALE = ["Ольга", "Елена", "Наталья", "Татьяна", "Ирина", "Светлана", "Людмила", "Марина"]
_KAZAKH_PATRONYMICS = [
    ("Серикович", "Сериковна"),
    ("Маратович", "Маратовна"),
    ("Болатович", "Болатовна"),
    ("Нурланович", "Нурлановна"),
    ("Кайратович", "Кайратовна"),
    ("Ерланович", "Ерлановна"),
    ("Жанатович", "Жанатовна"),
    ("Асхатович", "Асхатовна"),
    ("Муратович", "Муратовна"),
    ("Бауыржанович", "Бауыржановна"),
    ("Талгатович", "Талгатовна"),
    ("Амангельдиевич", "Амангельдиевна"),
    ("Есенович", "Есеновна"),
    ("Сагындыкович", "Сагындыковна"),
    ("Тимурович", "Тимуровна"),
]
_RUSSIAN_PATRONYMICS = [
    ("Викторович", "Викторовна"), ("Александрович", "Александровна"), ("Сергеевич", "Сергеевна"),
    ("Владимирович", "Владимировна"), ("Николаевич", "Николаевна"), ("Игоревич", "Игоревна"),
]  # fmt: skip
_MOBILE_CODES = ["701", "702", "705", "707", "747", "771", "775", "777", "778"]

Person = tuple[str, str, str]  # surname, first name, patronymic

# The district police: (chief, chief's rank, inspector, inspector's rank) per district code.
_DISTRICT_STAFF: dict[str, tuple[Person, str, Person, str]] = {
    "ALT": (("Жумабеков", "Ерлан", "Маратович"), "подполковник полиции",
            ("Сейткалиева", "Айгерим", "Нурлановна"), "капитан полиции"),
    "ALM": (("Ким", "Сергей", "Александрович"), "полковник полиции",
            ("Оспанов", "Даурен", "Болатович"), "старший лейтенант полиции"),
    "AUE": (("Абдрахманов", "Кайрат", "Серикович"), "подполковник полиции",
            ("Иванова", "Елена", "Викторовна"), "майор полиции"),
    "BOS": (("Тулегенов", "Асхат", "Муратович"), "подполковник полиции",
            ("Бекмуратова", "Динара", "Ерлановна"), "капитан полиции"),
    "ZHE": (("Смагулов", "Нурлан", "Талгатович"), "майор полиции",
            ("Пак", "Денис", "Игоревич"), "старший лейтенант полиции"),
    "MED": (("Касымова", "Гульмира", "Амангельдиевна"), "подполковник полиции",
            ("Искаков", "Арман", "Жанатович"), "капитан полиции"),
    "NAU": (("Садыков", "Бауыржан", "Есенович"), "майор полиции",
            ("Омарова", "Асель", "Кайратовна"), "старший лейтенант полиции"),
    "TUR": (("Петров", "Андрей", "Викторович"), "подполковник полиции",
            ("Нурпеисов", "Ержан", "Сагындыкович"), "майор полиции"),
}  # fmt: skip
# Districts whose second school also has an administrator with a login.
_SECOND_SCHOOL_ADMIN = {"ALT", "AUE", "BOS", "MED"}
# One inspector and one school administrator work in Kazakh; everyone else in Russian.
_KAZAKH_USERS = {"inspector_alt", "school_nau"}

# ---------------------------------------------------------------------------------------------------------
# Security firms: name, contract prefix, licence days from today, rapid-response teams, share of schools.
# One firm's licence has expired and one expires within 30 days, so both warnings can be seen.


@dataclass(frozen=True)
class _FirmSpec:
    name: str
    prefix: str
    licence_days: int
    teams: int
    share: int
    address: str
    director: Person


_FIRMS = [
    _FirmSpec(name="ТОО «Қалқан Секьюрити»", prefix="ҚС", licence_days=620, teams=4, share=26,
              address="ул. Жандосова, 58", director=("Байжанов", "Арман", "Серикович")),
    _FirmSpec(name="ТОО «Бастион-Алматы»", prefix="БА", licence_days=1040, teams=6, share=24,
              address="пр. Райымбека, 212", director=("Волков", "Олег", "Николаевич")),
    _FirmSpec(name="ТОО «Сункар-Кузет»", prefix="СК", licence_days=-41, teams=2, share=12,
              address="ул. Тимирязева, 42", director=("Калиев", "Ермек", "Болатович")),
    _FirmSpec(name="ТОО «Барыс Секьюрити Групп»", prefix="БР", licence_days=17, teams=3, share=14,
              address="ул. Шевченко, 165Б", director=("Утепов", "Данияр", "Маратович")),
    _FirmSpec(name="ТОО «Алатау Қорғау»", prefix="АҚ", licence_days=410, teams=1, share=8,
              address="мкр. Аксай-2, 54", director=("Сулейменова", "Жанна", "Ерлановна")),
    _FirmSpec(name="ТОО «Альфа-Щит Казахстан»", prefix="АЩ", licence_days=1460, teams=2, share=16,
              address="ул. Сатпаева, 30А", director=("Лебедев", "Игорь", "Сергеевич")),
]  # fmt: skip

# ---------------------------------------------------------------------------------------------------------
# Equipment.

# Where cameras of each zone hang: (location, outdoor?). The k-th camera of a zone takes the k-th spot.
_CAMERA_SPOTS: dict[str, list[tuple[str, bool]]] = {
    CameraZone.PERIMETER: [
        ("Периметр, северная сторона", True), ("Периметр, южная сторона", True),
        ("Периметр, восточная сторона", True), ("Периметр, западная сторона", True),
        ("Периметр, северо-восточный угол", True), ("Периметр, юго-западный угол", True),
        ("Периметр, северо-западный угол", True), ("Периметр, юго-восточный угол", True),
    ],
    CameraZone.ENTRANCE: [
        ("Центральный вход, снаружи", True), ("Центральный вход, тамбур", False),
        ("Вход со стороны двора", True), ("Запасной выход, 1 этаж", False),
        ("Вход в блок начальных классов", False),
    ],
    CameraZone.CORRIDOR: [
        (f"Коридор {floor} этажа, {wing} крыло", False)
        for floor in (1, 2, 3, 4)
        for wing in ("восточное", "западное", "центральное")
    ],
    CameraZone.HALL: [
        ("Холл 1 этажа", False), ("Холл 2 этажа", False), ("Актовый зал", False),
        ("Рекреация 3 этажа", False),
    ],
    CameraZone.STAIRS: [
        ("Лестница, восточная", False), ("Лестница, западная", False), ("Лестница, центральная", False),
    ],
    CameraZone.CANTEEN: [("Столовая, обеденный зал", False), ("Столовая, линия раздачи", False)],
    CameraZone.CLOAKROOM: [("Гардероб, 1 этаж", False), ("Гардероб начальных классов", False)],
    CameraZone.YARD: [("Школьный двор", True), ("Хозяйственный двор", True), ("Площадка для линеек", True)],
    CameraZone.SPORTS: [("Спортивный зал", False), ("Спортивная площадка", True), ("Футбольное поле", True)],
    CameraZone.PARKING: [("Въезд на территорию", True), ("Автостоянка у ворот", True)],
    CameraZone.OTHER: [("Кабинет информатики", False), ("Медицинский кабинет", False), ("Библиотека", False)],
}  # fmt: skip
# How the cameras beyond the entrances and the perimeter spread over the building.
_CAMERA_FILL = {
    CameraZone.CORRIDOR: 30, CameraZone.PERIMETER: 10, CameraZone.HALL: 8, CameraZone.STAIRS: 8,
    CameraZone.YARD: 8, CameraZone.CANTEEN: 6, CameraZone.CLOAKROOM: 6, CameraZone.SPORTS: 6,
    CameraZone.ENTRANCE: 4, CameraZone.PARKING: 3, CameraZone.OTHER: 3,
}  # fmt: skip
_CAMERA_FAULTS = [
    "Нет изображения",
    "Изображение размыто",
    "Нет записи в архив",
    "Повреждён кабель",
    "Не работает ИК-подсветка",
]
_CAMERA_GONE = ["Камера демонтирована при ремонте", "Снята на ремонт, не возвращена"]
# Days of recordings the school's video recorder keeps; under 30 breaks VS-2.
_ARCHIVE_DAYS = [14, 14, 20, 30, 30, 30, 30, 45, 60, 60]

_EXTRA_PANIC_BUTTONS = [
    ("Мобильная кнопка у охранника", PanicButton.Kind.MOBILE),
    ("Кабинет директора", PanicButton.Kind.FIXED),
    ("Приёмная", PanicButton.Kind.FIXED),
    ("Брелок у дежурного администратора", PanicButton.Kind.MOBILE),
]
_OTHER_ACCESS_POINTS = [
    ("Вход со стороны двора", AccessPoint.Kind.SIDE),
    ("Запасной выход, восточное крыло", AccessPoint.Kind.EMERGENCY),
    ("Калитка у центральных ворот", AccessPoint.Kind.GATE),
    ("Въездные ворота", AccessPoint.Kind.VEHICLE),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    sees: str
    language: str


@dataclass(frozen=True)
class DemoSummary:
    schools: int
    cameras: int
    cameras_linked: int
    panic_buttons: int
    access_points: int
    guard_posts: int
    contracts: int
    firms: int
    users: int
    national: object = None  # demo_national.NationalSummary when the bulk history was written


def demo_usernames() -> list[str]:
    """Every login the demo may create, in the order the table lists them."""
    names = ["city", "education"]
    for code, *_rest in ALMATY_DISTRICTS:
        c = code.lower()
        names += [f"chief_{c}", f"inspector_{c}", f"school_{c}", f"school_{c}_2"]
    names += [f"firm_{i}" for i in range(1, len(_FIRMS) + 1)]
    return names


def demo_exists() -> bool:
    """Demo data, or real data, is already there: the demo never writes over it."""
    fixed = ["city", "education"] + [f"chief_{code.lower()}" for code, *_rest in ALMATY_DISTRICTS]
    return School.objects.exists() or User.objects.filter(username__in=fixed).exists()


@transaction.atomic
def demo_create(
    *, schools: int = DEFAULT_SCHOOLS, seed: int = SEED, history: bool = False, national: bool = False
) -> DemoSummary:
    """The demo city; with `history`, also its campaign, inspections and orders (one transaction: all or
    nothing, so that a failed run leaves no half-built demo behind); with `national`, five years of history
    written in bulk for benchmarks (`demo_national.py`)."""
    if schools < MIN_SCHOOLS:
        raise ValueError(f"The demo needs at least {MIN_SCHOOLS} schools, one per district.")
    summary = _CityBuilder(seed=seed, today=timezone.localdate()).build(schools)
    if history:
        from qorgau.core import demo_history

        demo_history.history_create(seed=seed)
        from qorgau.public.demo import demo_concerns_create

        demo_concerns_create(seed=seed, district_codes=[d.code for d in _districts()])
    if national:
        from qorgau.core import demo_national

        summary = dataclasses.replace(summary, national=demo_national.national_history_create(seed=seed))
    return summary


def demo_logins() -> list[DemoLogin]:
    """The demo logins that exist, with what each of them sees."""
    order = {name: i for i, name in enumerate(demo_usernames())}
    users = User.objects.filter(username__in=order).select_related(
        "organisation__district", "organisation__school", "organisation__firm"
    )
    rows = []
    with translation.override("en"):
        for user in sorted(users, key=lambda u: order[u.username]):
            rows.append(DemoLogin(str(Role(user.role).label), user.username, _sees(user), user.language))
    return rows


def _sees(user: User) -> str:
    org = user.organisation
    if user.role == Role.CITY_SUPERVISOR:
        return "all of Almaty, and the Django admin"
    if user.role == Role.EDUCATION:
        return "all of Almaty, read only"
    if org.district is not None:
        return org.district.name_ru
    if org.school is not None:
        return org.school.name_ru
    if org.firm is not None:
        return f"{org.firm.name} and the schools it guards"
    return ""


def logins_table(logins: list[DemoLogin], password: str = DEMO_PASSWORD) -> str:
    header = ("Role", "Login", "Password", "Lang", "Sees")
    rows = [(x.role, x.username, password, x.language, x.sees) for x in logins]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]

    def line(row):
        return "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)) + "  " + row[-1]

    rule = "  ".join("-" * w for w in widths) + "  " + "-" * 20
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


# ---------------------------------------------------------------------------------------------------------


def _spread(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` split in proportion to `weights` (largest remainder), at least one each."""
    whole = sum(weights.values())
    exact = {k: max(1.0, total * w / whole) for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    by_remainder = sorted(weights, key=lambda k: exact[k] - counts[k], reverse=True)
    i = 0
    while sum(counts.values()) < total:
        counts[by_remainder[i % len(by_remainder)]] += 1
        i += 1
    while sum(counts.values()) > total:
        k = max(counts, key=counts.get)
        counts[k] -= 1
    return counts


class _CityBuilder:
    def __init__(self, *, seed: int, today: date):
        self.rng = random.Random(seed)
        self.today = today
        self.firm_prefix: dict[int, str] = {}
        self.used_bins = set(School.objects.values_list("bin", flat=True)) | set(
            SecurityFirm.objects.values_list("bin", flat=True)
        )

    # -- small helpers ------------------------------------------------------------------------------------

    def _bin(self, first_year: int, last_year: int) -> str:
        # YYMM of registration, 4 = resident legal entity, 0 = head office, a serial, then the check digit.
        rng = self.rng
        while True:
            registered = f"{rng.randint(first_year, last_year) % 100:02d}{rng.randint(1, 12):02d}"
            first11 = f"{registered}40{rng.randint(0, 99999):05d}"
            bin_ = make_bin(first11)
            if bin_ and bin_ not in self.used_bins:
                self.used_bins.add(bin_)
                return bin_

    def _landline(self) -> str:
        r = self.rng
        return f"+7 727 {r.choice('23')}{r.randint(0, 99):02d} {r.randint(0, 99):02d} {r.randint(0, 99):02d}"

    def _mobile(self) -> str:
        r = self.rng
        code = r.choice(_MOBILE_CODES)
        return f"+7 {code} {r.randint(100, 999)} {r.randint(0, 99):02d} {r.randint(0, 99):02d}"

    def _person(self, female: bool) -> Person:
        r = self.rng
        kind = r.random()
        if kind < 0.72:
            surname = r.choice(_KAZAKH_SURNAMES) + ("а" if female else "")
            first = r.choice(_KAZAKH_FEMALE if female else _KAZAKH_MALE)
            patronymic = r.choice(_KAZAKH_PATRONYMICS)[female]
        else:
            if kind < 0.80:
                surname = r.choice(_KOREAN_SURNAMES)
            else:
                surname = r.choice(_RUSSIAN_SURNAMES) + ("а" if female else "")
            first = r.choice(_RUSSIAN_FEMALE if female else _RUSSIAN_MALE)
            patronymic = r.choice(_RUSSIAN_PATRONYMICS)[female]
        return surname, first, patronymic

    def _days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def _days_ahead(self, low: int, high: int) -> date:
        return self.today + timedelta(days=self.rng.randint(low, high))

    def _expiry(self, *, expired: float, soon: float, normal: date) -> date:
        """An expiry date: a share already past, a share within the 30-day warning, the rest `normal`."""
        r = self.rng.random()
        if r < expired:
            return self._days_ago(5, 120)
        if r < expired + soon:
            return self.today + timedelta(days=self.rng.randint(3, 29))
        return normal

    # -- the city -----------------------------------------------------------------------------------------

    def build(self, total: int) -> DemoSummary:
        districts = _districts()
        firms = self._firms()
        schools = self._schools(districts, total)
        contracts, school_firm = self._contracts(schools, firms)
        cameras = self._cameras(schools)
        panic = self._panic_buttons(schools, school_firm)
        access = self._access_points(schools)
        posts = self._guard_posts(schools, school_firm)
        users = self._organisations_and_users(districts, schools, firms)
        self._history(districts)
        return DemoSummary(
            schools=len(schools),
            cameras=cameras[0],
            cameras_linked=cameras[1],
            panic_buttons=panic,
            access_points=access,
            guard_posts=posts,
            contracts=contracts,
            firms=len(firms),
            users=users,
        )

    def _firms(self) -> list[SecurityFirm]:
        firms = [
            SecurityFirm(
                name=spec.name,
                bin=self._bin(2004, 2019),
                licence_no=f"{self.rng.randint(10, 21)}0{self.rng.randint(10000, 99999)}",
                licence_expiry=self.today + timedelta(days=spec.licence_days),
                phone=self._landline(),
                address=spec.address,
                rapid_response_teams=spec.teams,
            )
            for spec in _FIRMS
        ]
        firms = SecurityFirm.objects.bulk_create(firms)
        self.firm_prefix = {firm.pk: spec.prefix for firm, spec in zip(firms, _FIRMS, strict=True)}
        return firms

    def _school_name(self, number: int) -> tuple[str, str]:
        r = self.rng
        kind = r.random()
        if kind < 0.06:
            ru, kk = r.choice(_SPECIALISED)
            return ru.format(n=number), kk.format(n=number)
        if kind < 0.51:
            ru, kk = _GENERAL
            return ru.format(n=number), kk.format(n=number)
        (ru, kk) = r.choices([k for k, _w in _NAMED_KINDS], weights=[w for _k, w in _NAMED_KINDS])[0]
        ru, kk = ru.format(n=number), kk.format(n=number)
        if r.random() < 0.25:
            ru_suffix, kk_prefix = r.choice(_EPONYMS)
            ru, kk = f"{ru} {ru_suffix}", f"{kk_prefix} {kk}"
        return ru, kk

    def _pupils(self, code: str) -> int:
        r = self.rng
        x = r.random()
        small, big = _SMALL_SCHOOL_SHARE.get(code, 0.06), _BIG_SCHOOL_SHARE.get(code, 0.05)
        if x < small:
            return r.randint(300, 899)
        if x < small + big:
            return r.randint(2001, 2800)
        return int(r.triangular(900, 2000, 1350))

    def _shifts(self, pupils: int) -> int:
        r = self.rng.random()
        if pupils < 800:
            return 1
        if pupils < 1500:
            return 1 if r < 0.3 else 2
        if pupils <= 2200:
            return 2 if r < 0.85 else 3
        return 2 if r < 0.55 else 3

    def _address(self, code: str) -> str:
        r = self.rng
        street = r.choice(_DISTRICT_STREETS[code])
        number = r.randint(1, 120) if street.startswith("мкр.") else r.randint(1, 320)
        letter = r.choice("АБВ") if r.random() < 0.1 else ""
        return f"{street}, {number}{letter}"

    def _coordinates(self, code: str) -> tuple[Decimal, Decimal]:
        south, north, west, east = _DISTRICT_AREAS[code]
        lat, lon = self.rng.uniform(south, north), self.rng.uniform(west, east)
        return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")

    def _schools(self, districts: list[District], total: int) -> list[School]:
        r = self.rng
        counts = _spread(total, _DISTRICT_WEIGHTS)
        # School numbers are unique across the city; Almaty's run a little past the number of schools.
        numbers = r.sample(range(1, max(total + total // 10, 230)), total)
        # The city's one Nazarbayev Intellectual School, for the full-size demo.
        nis_pending = total >= 100
        schools = []
        for district in districts:
            code = district.code
            for _i in range(counts[code]):
                number = numbers.pop()
                if nis_pending and code == "BOS":
                    ru, kk = _NIS
                    nis_pending = False
                else:
                    ru, kk = self._school_name(number)
                pupils = self._pupils(code)
                if ru.startswith("Специальная"):
                    pupils = r.randint(300, 450)  # boarding schools for children with special needs are small
                lat, lon = self._coordinates(code)
                female = r.random() < 0.75  # most school heads are women
                head = self._person(female)
                schools.append(
                    School(
                        district=district,
                        name_ru=ru,
                        name_kk=kk,
                        bin=self._bin(1997, 2013),
                        address=self._address(code),
                        latitude=lat,
                        longitude=lon,
                        pupils=pupils,
                        shifts=self._shifts(pupils),
                        size_tier=size_tier_for(pupils, district.city_status),
                        head_name=" ".join(head),
                        head_phone=self._landline() if r.random() < 0.6 else self._mobile(),
                        document_language="kk" if r.random() < 0.45 else "ru",
                    )
                )
        return School.objects.bulk_create(schools, batch_size=BATCH_SIZE)

    def _contracts(
        self, schools: list[School], firms: list[SecurityFirm]
    ) -> tuple[int, dict[int, SecurityFirm | None]]:
        """Guard contracts: most schools with a firm, some in-house, a few with none; some expired."""
        r = self.rng
        weights = [spec.share for spec in _FIRMS]
        year = self.today.year
        rows: list[GuardContract] = []
        school_firm: dict[int, SecurityFirm | None] = {}
        serial = {firm.pk: 0 for firm in firms}

        def number(firm: SecurityFirm, y: int) -> str:
            serial[firm.pk] += 1
            return f"{self.firm_prefix[firm.pk]}-{y}/{serial[firm.pk]:03d}"

        for school in schools:
            x = r.random()
            if x < 0.04:  # nobody guards the school
                school_firm[school.pk] = None
                continue
            if x < 0.10:  # the school's own guards
                school_firm[school.pk] = None
                rows.append(
                    GuardContract(school=school, in_house=True, number=f"Приказ № {r.randint(5, 90)}-ө")
                )
                continue
            firm = r.choices(firms, weights=weights)[0]
            school_firm[school.pk] = firm
            # Schools buy guarding for a calendar year; some contracts ran out, some are about to.
            until = self._expiry(expired=0.07, soon=0.05, normal=date(year, 12, 31))
            since = min(date(until.year, 1, 1), until - timedelta(days=180))
            rows.append(
                GuardContract(
                    school=school,
                    firm=firm,
                    number=number(firm, since.year),
                    valid_from=since,
                    valid_until=until,
                )
            )
            if r.random() < 0.4:  # the contract before, sometimes with another firm, kept as history
                before = firm if r.random() < 0.7 else r.choice(firms)
                ended = since - timedelta(days=1)
                rows.append(
                    GuardContract(
                        school=school,
                        firm=before,
                        number=number(before, ended.year),
                        valid_from=ended - timedelta(days=364),
                        valid_until=ended,
                        is_current=False,
                    )
                )
        GuardContract.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        return len(rows), school_firm

    def _cameras(self, schools: list[School]) -> tuple[int, int]:
        r = self.rng
        fill_zones, fill_weights = list(_CAMERA_FILL), list(_CAMERA_FILL.values())
        rows: list[Camera] = []
        linked_total = 0
        for school in schools:
            count = max(8, min(48, round(6 + school.pupils * 0.0105 + r.gauss(0, 3))))
            zones = [CameraZone.ENTRANCE] * r.choice((1, 2, 2, 2, 3)) + [CameraZone.PERIMETER] * r.randint(
                2, 5
            )
            zones += r.choices(fill_zones, weights=fill_weights, k=max(0, count - len(zones)))
            # How much of the school is linked to the police centre depends on the school, not the camera.
            y = r.random()
            link_share = 0.0 if y < 0.08 else 1.0 if y < 0.2 else r.uniform(0.35, 0.85)
            archive = r.choice(_ARCHIVE_DAYS)
            checked = None if r.random() < 0.1 else self._days_ago(5, 300)
            seen: dict[str, int] = {}
            for zone in zones:
                k = seen.get(zone, 0)
                seen[zone] = k + 1
                spots = _CAMERA_SPOTS[zone]
                location, outdoor = spots[k % len(spots)]
                if k >= len(spots):
                    location = f"{location} ({k // len(spots) + 1})"
                status, notes = EquipmentStatus.WORKING, ""
                s = r.random()
                if s < 0.03:
                    status, notes = EquipmentStatus.FAULTY, r.choice(_CAMERA_FAULTS)
                elif s < 0.04:
                    status, notes = EquipmentStatus.MISSING, r.choice(_CAMERA_GONE)
                linked = r.random() < link_share
                linked_total += linked
                rows.append(
                    Camera(
                        school_id=school.pk,
                        location=location,
                        zone=zone,
                        placement=Camera.Placement.OUTDOOR if outdoor else Camera.Placement.INDOOR,
                        linked_to_police=linked,
                        archive_days=archive,
                        status=status,
                        notes=notes,
                        last_checked=checked,
                    )
                )
        Camera.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        return len(rows), linked_total

    def _panic_buttons(self, schools: list[School], school_firm: dict[int, SecurityFirm | None]) -> int:
        r = self.rng
        rows: list[PanicButton] = []
        for i, school in enumerate(schools):
            firm = school_firm.get(school.pk)
            # A few schools have buttons that reach nobody (PA-2); the rest reach the police or their firm.
            unconnected = r.random() < 0.04
            to_firm = firm is not None and r.random() < 0.45
            count = r.choices((1, 2, 3), weights=(45, 40, 15))[0]
            spots = [("Пост охраны, центральный вход", PanicButton.Kind.FIXED)]
            spots += r.sample(_EXTRA_PANIC_BUTTONS, count - 1)
            for location, kind in spots:
                status, notes = EquipmentStatus.WORKING, ""
                if r.random() < 0.04:
                    status, notes = EquipmentStatus.FAULTY, "Контрольный сигнал не проходит на пульт"
                if unconnected:
                    signal, contract_no, until = SignalDestination.NONE, "", None
                elif to_firm:
                    signal = SignalDestination.FIRM
                    contract_no = f"КТС-{self.firm_prefix[firm.pk]}/{i + 1:05d}"
                    until = self._expiry(expired=0.05, soon=0.05, normal=self._days_ahead(60, 400))
                else:
                    signal = SignalDestination.POLICE
                    contract_no = f"ЦОУ-{self.today.year}/{i + 1:05d}"
                    until = self._expiry(expired=0.05, soon=0.05, normal=self._days_ahead(60, 400))
                rows.append(
                    PanicButton(
                        school_id=school.pk,
                        location=location,
                        kind=kind,
                        signal_to=signal,
                        contract_no=contract_no,
                        contract_until=until,
                        status=status,
                        notes=notes,
                        last_checked=None if r.random() < 0.15 else self._days_ago(5, 300),
                    )
                )
        PanicButton.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        return len(rows)

    def _access_points(self, schools: list[School]) -> int:
        r = self.rng
        rows: list[AccessPoint] = []
        for school in schools:
            # Most big schools have a turnstile at the main entrance; some still have none (AC-3).
            turnstile = r.random() < (0.8 if school.pupils > 700 else 0.4)
            access_control = r.random() < (0.7 if turnstile else 0.1)
            status, notes = EquipmentStatus.WORKING, ""
            if turnstile and r.random() < 0.05:
                status, notes = EquipmentStatus.FAULTY, "Турникет не работает, проход свободный"
            checked = None if r.random() < 0.15 else self._days_ago(5, 300)
            rows.append(
                AccessPoint(
                    school_id=school.pk,
                    location="Центральный вход",
                    kind=AccessPoint.Kind.MAIN,
                    has_turnstile=turnstile,
                    has_access_control=access_control,
                    status=status,
                    notes=notes,
                    last_checked=checked,
                )
            )
            extra = r.choices((0, 1, 2, 3), weights=(15, 40, 30, 15))[0]
            for location, kind in r.sample(_OTHER_ACCESS_POINTS, extra):
                rows.append(
                    AccessPoint(
                        school_id=school.pk,
                        location=location,
                        kind=kind,
                        has_access_control=kind == AccessPoint.Kind.SIDE and access_control,
                        status=EquipmentStatus.FAULTY if r.random() < 0.03 else EquipmentStatus.WORKING,
                        last_checked=checked,
                    )
                )
        AccessPoint.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        return len(rows)

    def _guard_posts(self, schools: list[School], school_firm: dict[int, SecurityFirm | None]) -> int:
        r = self.rng
        rows: list[GuardPost] = []
        for school in schools:
            firm = school_firm.get(school.pk)
            posts = [("Пост № 1, центральный вход", "24/7" if r.random() < 0.7 else "07:00–20:00")]
            if school.pupils > 1800 or r.random() < 0.3:
                posts.append(("Пост № 2, въездные ворота", "07:30–19:00"))
            for location, hours in posts:
                status, notes = EquipmentStatus.WORKING, ""
                if r.random() < 0.02:
                    status, notes = EquipmentStatus.MISSING, "Пост не выставлен"
                rows.append(
                    GuardPost(
                        school_id=school.pk,
                        firm=firm,
                        location=location,
                        hours=hours,
                        has_panic_button=r.random() < 0.9,
                        has_radio=r.random() < 0.85,
                        has_instructions=r.random() < 0.8,
                        has_log=r.random() < 0.85,
                        status=status,
                        notes=notes,
                        last_checked=None if r.random() < 0.15 else self._days_ago(5, 300),
                    )
                )
        GuardPost.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        return len(rows)

    # -- who uses it --------------------------------------------------------------------------------------

    def _organisations_and_users(
        self, districts: list[District], schools: list[School], firms: list[SecurityFirm]
    ) -> int:
        city, _ = Organisation.objects.get_or_create(
            kind=OrgKind.CITY_POLICE, defaults={"name": "Департамент полиции г. Алматы"}
        )
        education, _ = Organisation.objects.get_or_create(
            kind=OrgKind.EDUCATION, defaults={"name": "Управление образования г. Алматы"}
        )
        district_orgs = {}
        for district in districts:
            district_orgs[district.pk], _ = Organisation.objects.get_or_create(
                kind=OrgKind.DISTRICT_POLICE,
                district=district,
                defaults={"name": district.police_office or f"УП {district.name_ru}"},
            )
        # Every school and every firm is its own organisation, so that logins can be added to any of them.
        school_orgs = Organisation.objects.bulk_create(
            [Organisation(kind=OrgKind.SCHOOL, name=s.name_ru, school_id=s.pk) for s in schools],
            batch_size=BATCH_SIZE,
        )
        firm_orgs = Organisation.objects.bulk_create(
            [Organisation(kind=OrgKind.SECURITY_FIRM, name=f.name, firm_id=f.pk) for f in firms]
        )
        # One hash for all: hashing is slow on purpose, and these logins share the demo password anyway.
        password = make_password(DEMO_PASSWORD)

        def user(username, role, org, person: Person, position, phone, **extra) -> User:
            surname, first, patronymic = person
            return User(
                username=username,
                password=password,
                role=role,
                organisation=org,
                first_name=f"{first} {patronymic}",
                last_name=surname,
                position=position,
                phone=phone,
                language="kk" if username in _KAZAKH_USERS else "ru",
                **extra,
            )

        users = [
            user(
                "city",
                Role.CITY_SUPERVISOR,
                city,
                ("Ахметов", "Талгат", "Серикович"),
                "заместитель начальника Департамента полиции г. Алматы, полковник полиции",
                self._landline(),
                is_staff=True,
                is_superuser=True,
            ),
            user(
                "education",
                Role.EDUCATION,
                education,
                ("Мухамеджанова", "Сауле", "Тимуровна"),
                "главный специалист отдела комплексной безопасности Управления образования г. Алматы",
                self._landline(),
            ),
        ]
        by_district: dict[int, list[tuple[School, Organisation]]] = {}
        for school, org in zip(schools, school_orgs, strict=True):
            by_district.setdefault(school.district_id, []).append((school, org))
        for district in districts:
            c = district.code.lower()
            office = district_orgs[district.pk].name
            chief, chief_rank, inspector, inspector_rank = _DISTRICT_STAFF[district.code]
            users.append(
                user(
                    f"chief_{c}",
                    Role.DISTRICT_CHIEF,
                    district_orgs[district.pk],
                    chief,
                    f"начальник отдела административной полиции {office}, {chief_rank}",
                    self._landline(),
                )
            )
            users.append(
                user(
                    f"inspector_{c}",
                    Role.INSPECTOR,
                    district_orgs[district.pk],
                    inspector,
                    f"старший инспектор отдела административной полиции {office}, {inspector_rank}",
                    self._mobile(),
                )
            )
            own = by_district.get(district.pk, [])
            if own:
                school, org = own[0]
                surname, first, patronymic = school.head_name.split(" ", 2)
                users.append(
                    user(
                        f"school_{c}",
                        Role.SCHOOL_ADMIN,
                        org,
                        (surname, first, patronymic),
                        "директор",
                        school.head_phone,
                    )
                )
            if len(own) > 1 and district.code in _SECOND_SCHOOL_ADMIN:
                school, org = own[1]
                users.append(
                    user(
                        f"school_{c}_2",
                        Role.SCHOOL_ADMIN,
                        org,
                        self._person(self.rng.random() < 0.5),
                        "заместитель директора по безопасности",
                        self._mobile(),
                    )
                )
        for i, (spec, org) in enumerate(zip(_FIRMS, firm_orgs, strict=True), start=1):
            users.append(
                user(f"firm_{i}", Role.SECURITY_FIRM, org, spec.director, "директор", self._mobile())
            )
        User.objects.bulk_create(users)
        return len(users)

    def _history(self, districts: list[District]) -> None:
        """A few changes through the real services, so the passports of the login schools show a history."""
        users = {
            u.username: u
            for u in User.objects.filter(username__in=demo_usernames()).select_related("organisation__school")
        }
        # Equipment's own check compares with the server's date; never let Almaty's date run ahead of it.
        checked = min(self.today, date.today())
        for district in districts:
            c = district.code.lower()
            admin = users.get(f"school_{c}")
            if admin is None:
                continue
            school_id = admin.organisation.school_id
            camera = (
                Camera.objects.filter(school_id=school_id, status=EquipmentStatus.WORKING)
                .select_related("school__district")
                .order_by("zone", "id")
                .first()
            )
            if camera is not None:
                services.equipment_update(
                    actor=users[f"inspector_{c}"],
                    item=camera,
                    kind="cameras",
                    data={
                        "status": EquipmentStatus.FAULTY,
                        "notes": "При проверке нет изображения, запись в архив не ведётся",
                        "last_checked": checked,
                    },
                )
            button = (
                PanicButton.objects.filter(school_id=school_id).select_related("school__district").first()
            )
            if button is not None:
                services.equipment_update(
                    actor=admin,
                    item=button,
                    kind="panic-buttons",
                    data={"last_checked": checked, "notes": "Контрольное нажатие проведено, сигнал принят"},
                )


def _districts() -> list[District]:
    """Almaty's districts, in the order of ALMATY_DISTRICTS. The data migration loads them; a flushed
    database (the benchmark starts over that way) gets them back here."""
    existing = {d.code: d for d in District.objects.filter(code__in=[row[0] for row in ALMATY_DISTRICTS])}
    for code, ru, kk, en, office in ALMATY_DISTRICTS:
        if code not in existing:
            existing[code] = District.objects.create(
                code=code, name_ru=ru, name_kk=kk, name_en=en, police_office=office, city="Алматы"
            )
    return [existing[row[0]] for row in ALMATY_DISTRICTS]
