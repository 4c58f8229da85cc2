"""The demo city's history: an autumn campaign over Almaty's eight districts, its inspections, their orders
and what the schools did about them, so that every role sees a living system on first login.

Everything is written through the real services, as the people of the demo, in the order it would have
happened: the steps of the season are put on a timeline and run one after another, each at its own moment
in the past. While they run, Django's clock (`timezone.now`, and the model fields stamped by it) reads the
step's moment, so the services see the day they would have seen: answers are checked against that day,
orders get their default deadlines from it and their documents carry its date, act and order numbers follow
the calendar, and the deadline job, run for every simulated night, finds the items that became overdue on
the day they did. Nothing is moved in time afterwards, and nothing happens after the moment the demo is
built: a step planned for later simply has not happened yet.

One seeded random generator drives the choices; days are counted from today, so the campaign is always
running: it started 80 days ago and ends in 20.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import io
import itertools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from PIL import Image, ImageDraw, ImageFont

from qorgau.accounts.models import User
from qorgau.checklists.models import AnswerKind, FixKind, Item
from qorgau.inspections import photos
from qorgau.inspections import services as inspections
from qorgau.inspections.models import Campaign, Inspection
from qorgau.orders import services as orders
from qorgau.orders.deadlines import check_deadlines
from qorgau.orders.models import Amendment, Notification, Order, OrderItem, SchoolReport
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
    SignalDestination,
)

ALMATY = ZoneInfo("Asia/Almaty")
CAMPAIGN_STARTED_DAYS_AGO = 80
CAMPAIGN_ENDS_IN_DAYS = 20
# What a full district's season holds; the rest of its schools are still planned. Small demo cities get
# one of each first (the order rotates by district, so that the city still shows every status).
APPROVED, SUBMITTED, IN_PROGRESS, RETURNED = 5, 2, 2, 1
UNASSIGNED_SHARE = 0.2  # planned schools the chief has not yet given an inspector
PHOTOS_MAX = 14

Step = Callable[[], None]


# ---------------------------------------------------------------------------------------------------------
# The clock and the timeline.


class _Clock:
    """Django's clock, turned back while the history is written.

    `timezone.now` is replaced for the duration (everything in Django and in Qorgau reads the time through
    it: services, `auto_now` fields, `localdate`), and so are the defaults of the model fields declared with
    `default=timezone.now` (events, reports, amendments), which hold the original function. Both are put
    back on exit, whatever happens.
    """

    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment.astimezone(dt.UTC)

    def __enter__(self) -> _Clock:
        self._real = timezone.now
        self._fields = [
            f for model in apps.get_models() for f in model._meta.concrete_fields if f.default is self._real
        ]
        timezone.now = self.now
        for f in self._fields:
            f._get_default = self.now  # shadows Field._get_default, a cached property
        return self

    def __exit__(self, *exc) -> None:
        timezone.now = self._real
        for f in self._fields:
            f.__dict__.pop("_get_default", None)


class _Timeline:
    """Steps at moments in the past, run in the order of their moments. A step may plan further steps;
    those later than `cutoff` (the real now) are dropped: they have not happened yet."""

    def __init__(self, clock: _Clock, cutoff: dt.datetime):
        self.clock = clock
        self.cutoff = cutoff
        self._heap: list[tuple[dt.datetime, int, Step]] = []
        self._seq = itertools.count()

    def at(self, moment: dt.datetime, step: Step) -> None:
        moment = max(moment, self.clock.moment)  # time only moves forward, even for a step planned late
        if moment <= self.cutoff:
            heapq.heappush(self._heap, (moment, next(self._seq), step))

    def run(self) -> None:
        connection = transaction.get_connection()
        while self._heap:
            moment, _seq, step = heapq.heappop(self._heap)
            self.clock.moment = moment
            queued = len(connection.run_on_commit)
            step()
            _run_after_commit(connection, queued)


def _run_after_commit(connection, queued: int) -> None:
    """The demo is one transaction, so the notifications the services send after commit would all go out
    at its end, stamped with today's time. Each step sends its own at once instead, at the step's moment.
    (The services' notifications are keyed: were one sent twice, the database would keep one.)"""
    if not connection.in_atomic_block:
        return  # autocommit: they have already run
    pending = connection.run_on_commit[queued:]
    del connection.run_on_commit[queued:]
    for _savepoints, callback, _robust in pending:
        callback()


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ALMATY)


def _weekday(day: dt.date, *, forward: bool = True) -> dt.date:
    step = dt.timedelta(days=1 if forward else -1)
    while day.weekday() >= 5:
        day += step
    return day


def _after(day: dt.date, days: int) -> dt.date:
    """The first working day at least `days` after `day`."""
    return _weekday(day + dt.timedelta(days=days))


# ---------------------------------------------------------------------------------------------------------
# Pictures: the phone photos of violations and the schools' evidence, drawn rather than stored.


@functools.cache
def _font(size: int):
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)  # fonts-dejavu-core, also needed for the PDFs
    except OSError:  # pragma: no cover - without it the captions are drawn in Pillow's own font
        return ImageFont.load_default(size=size)


def picture(caption: str, subtitle: str, *, seed: int, evidence: bool = False) -> bytes:
    """A small JPEG that looks enough like a photo on a page: a scene of blocks and a caption bar."""
    rng = random.Random(seed)
    width, height = 960, 720
    sky = (rng.randint(150, 200), rng.randint(170, 210), rng.randint(190, 230))
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    ground = rng.randint(330, 430)
    draw.rectangle((0, ground, width, height), fill=(rng.randint(90, 130), rng.randint(90, 120), 80))
    for _i in range(rng.randint(3, 6)):  # buildings, fences, doors
        x = rng.randint(0, width - 120)
        w, h = rng.randint(80, 320), rng.randint(60, 260)
        shade = tuple(rng.randint(60, 200) for _c in range(3))
        draw.rectangle((x, ground - h, x + w, ground), fill=shade, outline=(40, 40, 40), width=3)
    if evidence:
        draw.rectangle((40, 40, 300, 110), fill=(30, 120, 60))
        draw.text((56, 56), "ИСПРАВЛЕНО", font=_font(34), fill="white")
    draw.rectangle((0, height - 130, width, height), fill=(20, 24, 28))
    draw.text((28, height - 116), caption[:52], font=_font(34), fill="white")
    draw.text((28, height - 62), subtitle[:70], font=_font(24), fill=(210, 210, 210))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=78)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------------------
# What inspectors find. Failures with their comments; passes with realistic values.

_MONTHS_GENITIVE = [
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
]  # fmt: skip


@dataclass
class _Answer:
    item: Item
    raw: dict
    comment: str = ""
    override: str = ""
    override_reason: str = ""
    photo: str = ""  # a caption: this failure is photographed


def _before(day: dt.date, days: int) -> str:
    return (day - dt.timedelta(days=days)).isoformat()


def _story_failure(code: str, day: dt.date, rng: random.Random) -> tuple[dict, str, str]:
    """(raw answer, comment, photo caption) for a failure of `code` found on `day`."""
    last_month = _MONTHS_GENITIVE[(day.month - 2) % 12]
    no = {"value": "no"}
    stories: dict[str, tuple[dict, str, str]] = {
        "AC-1": (no, "Приказ о пропускном режиме утверждён в 2022 году, порядок допуска родителей "
                     "не определён", ""),
        "AC-2": (no, f"Журнал посетителей не ведётся с {last_month}", "Пост охраны: журнал посетителей пуст"),
        "AC-4": (no, "Перечень запрещённых к проносу предметов на посту охраны отсутствует", ""),
        "AC-5": (no, "Въездные ворота открыты весь день, въезд транспорта не контролируется",
                 "Въездные ворота открыты"),
        "AC-6": (
            {"stopped": "no", "notes": "в 10:40 через центральный вход, документы никто не спросил"},
            "Охранник находился в подсобном помещении, пост оставлен без замены",
            "Пост охраны пуст, центральный вход",
        ),
        "SR-2": ({"value": _before(day, rng.randint(200, 260))},
                 "Плановый инструктаж технического персонала в этом полугодии не проводился", ""),
        "SR-3": ({"value": _before(day, 400)}, "Последнее учение проведено в прошлом учебном году", ""),
        "SR-4": (no, "Журнал инструктажей не прошнурован, страницы не пронумерованы", ""),
        "SR-5": ({"asked": "5", "correct": "3"},
                 "Двое из пяти опрошенных не знают сигнала оповещения о вторжении", ""),
        "SR-6": (no, "Оповещение не слышно в спортивном зале и в мастерских", ""),
        "SR-1": (no, "Ответственный за АТЗ уволился в августе, новый приказом не назначен", ""),
        "PE-1": (no, "Разрыв ограждения около 6 м со стороны хозяйственного двора",
                 "Разрыв ограждения, хозяйственный двор"),
        "PE-2": (no, "Не работают 3 из 8 прожекторов наружного освещения", ""),
        "PE-3": (no, "Запасной выход восточного крыла закрыт на навесной замок, ключ у завхоза",
                 "Запасной выход закрыт на замок"),
        "DO-1": (no, "Паспорт АТЗ не согласован с управлением полиции района", ""),
        "DO-2": (no, "Паспорт не актуализирован после смены охранной организации", ""),
        "VS-4": (no, "ИБП видеорегистратора неисправен: при отключении питания запись прекращается", ""),
        "VS-5": (no, "Ответственный за просмотр и выдачу видеоархива приказом не назначен", ""),
        "PA-4": (no, "Вахтёр не знает, где находится мобильная тревожная кнопка", ""),
        "GU-2": (no, "У охранника смены нет свидетельства о прохождении специальной подготовки", ""),
        "GU-4": (no, "График взаимодействия охраны с администрацией не утверждён", ""),
    }  # fmt: skip
    return stories[code]


STORY_CODES = [
    "AC-1", "AC-2", "AC-4", "AC-5", "SR-1", "SR-2", "SR-3", "SR-4", "SR-5", "SR-6", "PE-1", "PE-2", "PE-3",
    "DO-1", "DO-2", "VS-4", "VS-5", "PA-4", "GU-2", "GU-4", "PA-3",
]  # fmt: skip
_ENTRY_NOTES = [
    "охранник остановил, потребовал документ и сверился со списком",
    "остановлен на турникете, вызван дежурный администратор",
    "охранник остановил у входа, записал в журнал посетителей",
]
# The zones a survey insists on (VS-1 names more; these are the ones no school can do without).
_REQUIRED_ZONES = [CameraZone.PERIMETER, CameraZone.ENTRANCE, CameraZone.CORRIDOR, CameraZone.CANTEEN]


@dataclass
class _Facts:
    """What the registry says about a school, for the items an inspector checks against it."""

    cameras: int = 0
    working: int = 0
    faulty: list[str] = field(default_factory=list)  # "where — what is wrong" of the cameras out of order
    zones: set[str] = field(default_factory=set)
    archive_days: int = 30
    linked: int = 0
    signals: list[tuple[str, dt.date | None]] = field(default_factory=list)
    turnstile: bool = False
    turnstile_working: bool = True
    contract: GuardContract | None = None
    posts: list[GuardPost] = field(default_factory=list)


def _facts(school_ids: list[int]) -> dict[int, _Facts]:
    facts = {pk: _Facts() for pk in school_ids}
    cameras = Camera.objects.filter(school_id__in=school_ids).order_by("location", "id")
    for school_id, zone, status, archive, linked, location, notes in cameras.values_list(
        "school_id", "zone", "status", "archive_days", "linked_to_police", "location", "notes"
    ):
        f = facts[school_id]
        f.cameras += 1
        f.working += status == EquipmentStatus.WORKING
        if status != EquipmentStatus.WORKING:
            f.faulty.append(f"{location} — {(notes or 'не работает').lower()}")
        f.zones.add(zone)
        f.archive_days = archive or f.archive_days
        f.linked += linked
    for school_id, signal, until in PanicButton.objects.filter(school_id__in=school_ids).values_list(
        "school_id", "signal_to", "contract_until"
    ):
        facts[school_id].signals.append((signal, until))
    for point in AccessPoint.objects.filter(school_id__in=school_ids, kind=AccessPoint.Kind.MAIN):
        facts[point.school_id].turnstile = point.has_turnstile
        facts[point.school_id].turnstile_working = point.status == EquipmentStatus.WORKING
    for contract in GuardContract.objects.filter(school_id__in=school_ids, is_current=True).select_related(
        "firm"
    ):
        facts[contract.school_id].contract = contract
    for post in GuardPost.objects.filter(school_id__in=school_ids).order_by("location"):
        facts[post.school_id].posts.append(post)
    return facts


def _registry_answer(item: Item, f: _Facts, day: dt.date) -> _Answer | None:
    """The items the registry decides: the inspector's survey finds what the passport says."""
    code = item.code
    if code == "PA-1":
        return _Answer(item, {"value": "yes" if f.signals else "no"})
    if code == "PA-2":
        if any(signal == SignalDestination.NONE for signal, _until in f.signals):
            return _Answer(item, {"value": "no"}, "Сигнал тревожной кнопки никуда не выведен")
        expired = [until for _signal, until in f.signals if until and until < day]
        if expired:
            return _Answer(item, {"value": "no"}, f"Договор на реагирование истёк {min(expired):%d.%m.%Y}")
        return _Answer(item, {"value": "yes"})
    if code == "PA-3" and any(signal == SignalDestination.NONE for signal, _u in f.signals):
        return _Answer(
            item,
            {"received": "no"},
            "При контрольном нажатии сигнал на пульт не поступил: кнопка не подключена",
        )
    if code == "VS-1":
        missing = [z for z in _REQUIRED_ZONES if z not in f.zones]
        raw = {
            "total": str(f.cameras),
            "working": str(f.working),
            "zones_not_covered": [str(z) for z in missing],
        }
        comment = "; ".join(f.faulty[:3]) + (f" и ещё {len(f.faulty) - 3}" if len(f.faulty) > 3 else "")
        return _Answer(item, raw, comment, photo="Камера без изображения" if comment else "")
    if code == "VS-2":
        comment = "" if f.archive_days >= 30 else "Накопитель 2 ТБ, запись перезаписывается по кругу"
        return _Answer(item, {"value": str(f.archive_days)}, comment)
    if code == "VS-3":
        if f.linked:
            return _Answer(item, {"value": "yes"})
        return _Answer(item, {"value": "no"}, "Ни одна камера не выведена на ЦОУ полиции")
    if code == "AC-3":
        if not f.turnstile:
            return _Answer(item, {"value": "no"}, "Турникет на центральном входе не установлен")
        if not f.turnstile_working:
            return _Answer(item, {"value": "no"}, "Турникет неисправен, проход свободный")
        return _Answer(item, {"value": "yes"})
    if code == "GU-1":
        c = f.contract
        if c is None:
            return _Answer(item, {"value": "no"}, "Договор на охрану не заключён, штатной охраны нет")
        if c.in_house:
            return _Answer(item, {"value": "yes"})
        if c.valid_until and c.valid_until < day:
            return _Answer(item, {"value": "no"}, f"Договор № {c.number} истёк {c.valid_until:%d.%m.%Y}")
        if c.firm and c.firm.licence_expiry and c.firm.licence_expiry < day:
            return _Answer(
                item, {"value": "no"}, f"Лицензия {c.firm.name} истекла {c.firm.licence_expiry:%d.%m.%Y}"
            )
        return _Answer(item, {"value": "yes"})
    if code == "GU-3":
        gaps = []
        for post in f.posts:
            lacks = [
                name
                for name, has in (
                    ("КТС", post.has_panic_button),
                    ("связи", post.has_radio),
                    ("инструкции", post.has_instructions),
                    ("журнала", post.has_log),
                )  # fmt: skip
                if not has
            ]
            if lacks:
                gaps.append(f"{post.location.split(',')[0]}: нет {', '.join(lacks)}")
        if gaps:
            return _Answer(item, {"value": "no"}, "; ".join(gaps))
        return _Answer(item, {"value": "yes"})
    return None


def _passing(item: Item, day: dt.date, at: dt.datetime, rng: random.Random) -> _Answer:
    kind = item.answer_kind
    if kind == AnswerKind.DATE:
        return _Answer(item, {"value": _before(day, rng.randint(14, min(150, item.max_age_days or 150)))})
    if kind == AnswerKind.PANIC_TEST:
        return _Answer(item, _panic(at, ack=rng.randint(18, 45), arrival=rng.randint(390, 710)))
    if kind == AnswerKind.ENTRY_TEST:
        return _Answer(item, {"stopped": "yes", "notes": rng.choice(_ENTRY_NOTES)})
    if kind == AnswerKind.STAFF_INTERVIEW:
        return _Answer(item, {"asked": "5", "correct": str(rng.choice((4, 5, 5)))})
    if kind == AnswerKind.NUMBER:
        return _Answer(item, {"value": "30"})
    if kind == AnswerKind.CAMERA_SURVEY:
        return _Answer(item, {"total": "10", "working": "10", "zones_not_covered": []})
    return _Answer(item, {"value": "yes"})


def _panic(at: dt.datetime, *, ack: int, arrival: int) -> dict:
    local = at.astimezone(ALMATY)
    pressed = local.replace(microsecond=0)

    def clock(seconds: int) -> str:
        return (pressed + dt.timedelta(seconds=seconds)).time().isoformat()

    return {
        "received": "yes",
        "pressed_at": clock(0),
        "acknowledged_at": clock(ack),
        "arrived_at": clock(arrival),
    }


def _panic_failure(at: dt.datetime, rng: random.Random, item: Item) -> _Answer:
    if rng.random() < 0.5:
        return _Answer(
            item,
            {"received": "no"},
            "Сигнал на пульт не поступил: абонентская плата не внесена с начала года",
        )
    return _Answer(
        item,
        _panic(at, ack=rng.randint(150, 200), arrival=rng.randint(780, 960)),
        "Пульт подтвердил сигнал только после звонка директора",
        override="fail",
        override_reason="Подтверждение пультом почти через 3 минуты: тревожный сигнал фактически не принят",
    )


# ---------------------------------------------------------------------------------------------------------
# What schools answer, and what the police decide.

_FIXES = {
    "AC-1": ("Издан приказ о пропускном режиме с порядком допуска родителей", "Приказ о пропускном режиме"),
    "AC-2": (
        "Журнал посетителей заведён, ведётся на посту охраны, документы проверяются",
        "Журнал посетителей",
    ),
    "AC-3": ("Турникеты установлены на центральном входе", "Турникеты на центральном входе"),
    "AC-4": (
        "Перечень запрещённых предметов утверждён и размещён на посту охраны",
        "Перечень на посту охраны",
    ),
    "AC-5": ("Установлен шлагбаум, въезд транспорта записывается в журнал", "Шлагбаум на въезде"),
    "AC-6": ("Проведён инструктаж охраны, пост перенесён к центральному входу", "Пост охраны у входа"),
    "PA-2": ("Договор на реагирование продлён, сигнал КТС выведен на пульт", "Договор на реагирование"),
    "PA-3": ("Канал связи восстановлен, повторное нажатие принято пультом", "Контрольное нажатие КТС"),
    "PA-4": ("Проведён инструктаж персонала о местах КТС", "Журнал инструктажа"),
    "VS-1": ("Неисправные камеры заменены, установлены камеры в непокрытых зонах", "Новые камеры"),
    "VS-2": ("Установлен накопитель 8 ТБ, архив хранится 30 суток", "Настройки видеоархива"),
    "VS-3": ("Камеры подключены к ЦОУ полиции", "Акт подключения к ЦОУ"),
    "VS-4": ("Заменён ИБП видеорегистратора", "Новый ИБП"),
    "VS-5": ("Приказом назначен ответственный за видеоархив", "Приказ об ответственном"),
    "GU-1": ("Заключён договор с лицензированной охранной организацией", "Договор на охрану"),
    "GU-2": ("Охранная организация представила свидетельства о спецподготовке", "Свидетельство"),
    "GU-3": ("Пост оснащён журналом, инструкцией и радиостанцией", "Оснащение поста охраны"),
    "GU-4": ("Утверждён график взаимодействия охраны с администрацией", "График взаимодействия"),
    "SR-1": ("Приказом назначен ответственный за АТЗ", "Приказ об ответственном за АТЗ"),
    "SR-2": ("Проведён плановый инструктаж всех групп персонала", "Журнал инструктажей"),
    "SR-3": ("Проведено учение по эвакуации при угрозе нападения", "Учение по эвакуации"),
    "SR-4": ("Журнал прошнурован, пронумерован и опечатан", "Журнал инструктажей"),
    "SR-5": ("Проведены занятия с персоналом, приняты зачёты", "Ведомость зачётов"),
    "SR-6": ("Оповещение отремонтировано, громкоговорители установлены в спортзале", "Громкоговоритель"),
    "PE-1": ("Ограждение восстановлено, акт выполненных работ прилагается", "Восстановленное ограждение"),
    "PE-2": ("Заменены прожекторы наружного освещения", "Наружное освещение"),
    "PE-3": ("Замок снят, запасной выход под контролем дежурного", "Запасной выход"),
    "DO-1": ("Паспорт АТЗ согласован с управлением полиции района и утверждён", "Лист согласования"),
    "DO-2": ("Паспорт АТЗ актуализирован", "Паспорт АТЗ"),
    "DO-3": ("Ранее выданные предписания исполнены", "Отчёт об исполнении"),
}
_REJECTIONS = [
    "На фото журнал без записей за последнюю неделю — приложите заполненные страницы",
    "Приложен проект приказа без подписи и регистрационного номера",
    "По фото нельзя понять, где это: сфотографируйте так, чтобы было видно здание школы",
]
_EXTENSION = (
    "Оборудование закупается через госзакупки, поставка по договору — в течение 45 дней. "
    "Просим продлить срок на 30 дней"
)
_WITHDRAWAL = (
    "Пункт исключён по возражению школы: требование выполнено до проверки, подтверждающие документы "
    "представлены"
)
_REFERRAL = (
    "Материалы направлены в группу административной практики для составления протокола по ст. 149 КоАП РК"
)
_REFUSAL = (
    "Директор от подписи в получении отказался в присутствии заместителя директора; "
    "предписание направлено заказным письмом"
)
_ON_SITE = "Проверено на месте при повторном выезде: нарушение устранено"
_RETURN = (
    "Уточните пункт VS-1: в реестре {cameras} камер, в ответе {answered}. Приложите фото поста охраны "
    "и повторите опрос персонала"
)
_FREE_FINDING = (
    "На кровле спортзала складированы строительные материалы, выход на кровлю не закрыт",
    "Спортивный зал",
    "Закрыть выход на кровлю на замок, вывезти строительные материалы",
)


# ---------------------------------------------------------------------------------------------------------
# The plan of the season.


@dataclass
class _Visit:
    """One school's inspection in the campaign and what becomes of it."""

    school: School
    district: District
    status: str  # the status it reaches: approved, submitted, in_progress, returned or planned
    role: str = ""  # for approved ones: issued, draft, clean or waiting (for an order)
    admin: User | None = None  # the school's administrator, for the schools with a demo login
    day: dt.date | None = None  # the day it was (or is to be) made
    scenario: str = ""  # for issued orders: what the school and the police do about it
    forced: tuple[str, ...] = ()  # failures this story needs
    inspection_id: int | None = None
    order_id: int | None = None


# What each demo school does with its order, in the order of the logins (districts in ALMATY_DISTRICTS
# order, the first school before the second). The rest of the issued orders are typical.
_LOGIN_SCENARIOS = [
    "closed", "progress", "referral", "withdrawn", "ignored", "ext_pending", "rejected", "paper",
]  # fmt: skip
_LOGIN_FORCED = [("SR-3",), ("SR-5",), ("AC-6", "AC-2"), ("PA-3", "PE-1"), ("AC-2",), ("SR-5", "PE-3")]
# Orders of schools without a login: delivered on paper and then verified on site, or left to run overdue;
# and two recent ones, one not yet delivered.
_OTHER_SCENARIOS = ["on_site", "overdue", "fresh_paper", "fresh"]
# How each order reaches its school: the rest are acknowledged in Qorgau by the school's administrator.
_REFUSED = {"ignored"}
_ON_PAPER = {"paper", "on_site", "overdue", "fresh_paper"}


@dataclass
class HistorySummary:
    inspections: dict[str, int]
    orders: dict[str, int]
    items: dict[str, int]
    notifications: int
    amendments: int
    reports: int


class _History:
    def __init__(self, *, seed: int, cutoff: dt.datetime):
        self.rng = random.Random(seed * 7 + 1)
        self.cutoff = cutoff
        self.today = cutoff.astimezone(ALMATY).date()
        self.starts_on = self.today - dt.timedelta(days=CAMPAIGN_STARTED_DAYS_AGO)
        self.ends_on = self.today + dt.timedelta(days=CAMPAIGN_ENDS_IN_DAYS)
        self.clock = _Clock(_moment(self.starts_on - dt.timedelta(days=30), 0))  # before anything happened
        self.timeline = _Timeline(self.clock, cutoff)
        self.users = {u.username: u for u in User.objects.select_related("organisation")}
        self.photos = 0
        self.campaign: Campaign | None = None

    # -- the plan -----------------------------------------------------------------------------------------

    def plan(self) -> list[_Visit]:
        rng = self.rng
        districts = list(District.objects.filter(code__in=[c for c in _district_codes()]))
        districts.sort(key=lambda d: _district_codes().index(d.code))
        visits: list[_Visit] = []
        login_index = other_index = 0
        for index, district in enumerate(districts):
            c = district.code.lower()
            admins = [self.users.get(name) for name in (f"school_{c}", f"school_{c}_2")]
            admins = [a for a in admins if a is not None]
            login_schools = [a.organisation.school_id for a in admins]
            schools = list(School.objects.filter(district=district).order_by("id"))
            others = [s for s in schools if s.pk not in login_schools]
            rng.shuffle(others)
            by_id = {s.pk: s for s in schools}
            ordered = [by_id[pk] for pk in login_schools] + others
            firsts = ["submitted", "in_progress", "returned", "planned"]
            firsts = firsts[index % 4 :] + firsts[: index % 4]
            statuses = (
                ["approved"] * len(admins) + firsts + ["approved"] * (APPROVED - len(admins))
                + ["submitted"] * (SUBMITTED - 1) + ["in_progress"] * (IN_PROGRESS - 1)
            )  # fmt: skip
            statuses = statuses[: len(ordered)] + ["planned"] * (len(ordered) - len(statuses))
            extra_approved = 0
            for position, (school, status) in enumerate(zip(ordered, statuses, strict=True)):
                visit = _Visit(school=school, district=district, status=status)
                if position < len(admins):
                    visit.admin = admins[position]
                    visit.role = "issued"
                    visit.scenario = (
                        _LOGIN_SCENARIOS[login_index] if login_index < len(_LOGIN_SCENARIOS) else ""
                    )
                    if login_index < len(_LOGIN_FORCED):
                        visit.forced = _LOGIN_FORCED[login_index]
                    visit.day = self._workday_from_start(4 + 2 * login_index)
                    login_index += 1
                elif status == "approved":
                    extra_approved += 1
                    if extra_approved == 1 and len(admins) == 1 and other_index < len(_OTHER_SCENARIOS):
                        visit.role = "issued"
                        visit.scenario = _OTHER_SCENARIOS[other_index]
                        ago = {"on_site": 58, "overdue": 50, "fresh_paper": 16, "fresh": 13}[visit.scenario]
                        visit.day = self._workday_ago(ago)
                        other_index += 1
                    elif extra_approved == 2 and district.code in ("ALM", "TUR"):
                        visit.role, visit.day = "draft", self._workday_ago(6)
                    elif extra_approved == 2 and district.code == "MED":
                        visit.role, visit.day = "clean", self._workday_ago(35)
                    else:
                        visit.role, visit.day = "waiting", self._workday_ago(rng.randint(6, 30))
                elif status == "submitted":
                    visit.day = self._workday_ago(rng.randint(2, 6))
                elif status == "in_progress":
                    visit.day = self._workday_ago(rng.randint(1, 3))
                elif status == "returned":
                    visit.day = self._workday_ago(rng.randint(10, 15))
                visits.append(visit)
        # The planned ones: most get an inspector and a date in what is left of the campaign.
        ahead = [self.today + dt.timedelta(days=n) for n in range(1, CAMPAIGN_ENDS_IN_DAYS + 1)]
        workdays = [day for day in ahead if day.weekday() < 5]
        for visit in visits:
            if visit.status == "planned" and rng.random() >= UNASSIGNED_SHARE:
                visit.day = rng.choice(workdays)
        return visits

    def _workday_ago(self, days: int) -> dt.date:
        day = _weekday(self.today - dt.timedelta(days=days), forward=False)
        return max(day, _weekday(self.starts_on))

    def _workday_from_start(self, days: int) -> dt.date:
        return _weekday(self.starts_on + dt.timedelta(days=days))

    # -- the season ---------------------------------------------------------------------------------------

    def write(self) -> None:
        visits = self.plan()
        self.version = inspections.latest_published_version()
        conducted = [v for v in visits if v.status != "planned"]
        self.facts = _facts([v.school.pk for v in conducted])
        t = self.timeline
        t.at(_moment(self.starts_on - dt.timedelta(days=12), 10, 30), lambda: self._create_campaign(visits))
        # The chiefs plan the first half of the campaign before it starts, the second half midway.
        midway = self.starts_on + dt.timedelta(days=35)
        for district_code in _district_codes():
            mine = [v for v in visits if v.district.code == district_code and v.day is not None]
            first = [v for v in mine if v.day <= midway + dt.timedelta(days=5)]
            second = [v for v in mine if v.day > midway + dt.timedelta(days=5)]
            t.at(_moment(_weekday(self.starts_on - dt.timedelta(days=5)), 11), self._assign_step(first))
            t.at(_moment(_weekday(midway), 11), self._assign_step(second))
        for visit in conducted:
            t.at(_moment(visit.day, 9, self.rng.randint(0, 59)), functools.partial(self._conduct, visit))
        # The deadline job runs every night.
        day = self.starts_on
        while day <= self.today:
            t.at(_moment(day, 0, 10), self._deadline_job)
            day += dt.timedelta(days=1)
        t.at(self.cutoff, lambda: check_deadlines(now=self.cutoff))
        with self.clock, translation.override("ru"):
            t.run()
        # The demo users have read what came more than two days ago (demo data: set directly).
        Notification.objects.filter(created_at__lt=self.cutoff - dt.timedelta(days=2)).update(
            read_at=F("created_at") + dt.timedelta(hours=3)
        )

    def _create_campaign(self, visits: list[_Visit]) -> None:
        season = _SEASONS[self.starts_on.month]
        self.campaign = inspections.campaign_create(
            actor=self.users["city"],
            name=f"{season} проверка АТЗ школ — {self.starts_on.year}",
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            districts=list(District.objects.filter(code__in=_district_codes())),
            template_version=self.version,
        )
        ids = dict(Inspection.objects.filter(campaign=self.campaign).values_list("school_id", "id"))
        for visit in visits:
            visit.inspection_id = ids[visit.school.pk]

    def _assign_step(self, visits: list[_Visit]) -> Step:
        def step() -> None:
            by_day: dict[dt.date, list[_Visit]] = {}
            for visit in sorted(visits, key=lambda v: v.day):
                by_day.setdefault(visit.day, []).append(visit)
            for day, group in by_day.items():
                c = group[0].district.code.lower()
                inspections.inspections_assign(
                    actor=self.users[f"chief_{c}"],
                    inspections=list(Inspection.objects.filter(pk__in=[v.inspection_id for v in group])),
                    inspector=self.users[f"inspector_{c}"],
                    planned_on=day,
                )

        return step

    def _deadline_job(self) -> None:
        check_deadlines(now=self.clock.moment)

    # -- an inspection -----------------------------------------------------------------------------------

    def _answers(
        self, visit: _Visit, items: list[Item], start: dt.datetime
    ) -> list[tuple[dt.datetime, _Answer]]:
        rng = self.rng
        facts = self.facts[visit.school.pk]
        moments = []
        at = start
        for _item in items:
            moments.append(at)
            at += dt.timedelta(seconds=rng.randint(100, 330))
        answers: dict[str, _Answer] = {}
        for item, moment in zip(items, moments, strict=True):
            answers[item.code] = _registry_answer(item, facts, visit.day) or _passing(
                item, visit.day, moment, rng
            )
        by_code = {item.code: (item, moment) for item, moment in zip(items, moments, strict=True)}
        failing = [code for code, a in answers.items() if _fails(a)]
        wanted = 0 if visit.role == "clean" else rng.randint(2, 6)
        story = [c for c in visit.forced if c in by_code]
        pool = [c for c in STORY_CODES if c in by_code and c not in failing and c not in story]
        rng.shuffle(pool)
        story += pool[: max(0, wanted - len(failing) - len(story))]
        for code in story:
            item, moment = by_code[code]
            if code == "PA-3":
                answers[code] = _panic_failure(moment, rng, item)
            else:
                raw, comment, photo = _story_failure(code, visit.day, rng)
                answers[code] = _Answer(item, dict(raw), comment, photo=photo)
        if visit.role == "clean":  # an exemplary school: whatever the registry says, it was put right
            for code, answer in list(answers.items()):
                if _fails(answer):
                    item, moment = by_code[code]
                    answers[code] = _passing(item, visit.day, moment, rng)
                    if code == "VS-1":
                        full = str(facts.cameras)
                        answers[code] = _Answer(
                            item, {"total": full, "working": full, "zones_not_covered": []}
                        )
        if visit.status == "returned":  # the inspector miscounted; the chief sends it back
            item, _m = by_code["VS-1"]
            answers["VS-1"].raw = {**answers["VS-1"].raw, "total": str(max(facts.cameras - 2, 0)),
                                   "working": str(max(min(facts.working, facts.cameras - 2), 0))}  # fmt: skip
        return [(moment, answers[item.code]) for item, moment in zip(items, moments, strict=True)]

    def _conduct(self, visit: _Visit) -> None:
        c = visit.district.code.lower()
        inspector = self.users[f"inspector_{c}"]
        inspection = Inspection.objects.select_related("school").get(pk=visit.inspection_id)
        items = inspections.applicable_items(inspection)
        answers = self._answers(visit, items, self.clock.moment)
        if visit.status == "in_progress":
            answers = answers[: len(answers) // 2]
        for moment, answer in answers:
            self.clock.moment = moment
            inspections.answer_save(
                actor=inspector, inspection=inspection, item=answer.item, raw=answer.raw, base_version=0,
                comment=answer.comment, override_result=answer.override,
                override_reason=answer.override_reason,
            )  # fmt: skip
            if (
                answer.photo
                and _fails(answer)
                and visit.role in ("issued", "waiting")
                and self.photos < PHOTOS_MAX
            ):
                self._photo(inspection, inspector, answer, moment)
        if visit.scenario == "withdrawn":
            text, location, _remedy = _FREE_FINDING
            inspections.finding_add(
                actor=inspector, inspection=inspection, severity="M", text=text, location=location
            )
        if visit.status == "in_progress":
            return
        self.clock.moment += dt.timedelta(minutes=12)
        inspections.inspection_submit(actor=inspector, inspection=inspection)
        chief = self.users[f"chief_{c}"]
        if visit.status == "returned":
            facts = self.facts[visit.school.pk]
            comment = _RETURN.format(cameras=facts.cameras, answered=max(facts.cameras - 2, 0))
            self.timeline.at(
                _moment(_after(visit.day, 2), 17, 5),
                lambda: inspections.inspection_return(actor=chief, inspection=inspection, comment=comment),
            )
        elif visit.status == "approved":
            approve_day = _after(visit.day, self.rng.choice((1, 1, 2)))
            self.timeline.at(
                _moment(approve_day, 16, self.rng.randint(0, 50)), functools.partial(self._approve, visit)
            )

    def _photo(self, inspection: Inspection, inspector: User, answer: _Answer, moment: dt.datetime) -> None:
        school = inspection.school
        number = "".join(ch for ch in school.name_ru.split("№")[-1] if ch.isdigit()) or str(school.pk)
        for shot in range(1 if self.photos % 3 else 2):
            self.clock.moment = moment + dt.timedelta(seconds=40 + 25 * shot)
            local = self.clock.moment.astimezone(ALMATY)
            data = picture(
                answer.photo,
                f"Школа № {number} · {local:%d.%m.%Y %H:%M}",
                seed=inspection.pk * 100 + self.photos,
            )
            photos.photo_add(
                actor=inspector, inspection=inspection, data=data, item=answer.item,
                latitude=school.latitude + Decimal(self.rng.randint(-30, 30)) / 100000,
                longitude=school.longitude + Decimal(self.rng.randint(-30, 30)) / 100000,
                accuracy=self.rng.randint(5, 25), caption=answer.photo,
            )  # fmt: skip
            self.photos += 1

    def _approve(self, visit: _Visit) -> None:
        c = visit.district.code.lower()
        inspection = Inspection.objects.get(pk=visit.inspection_id)
        inspections.inspection_approve(actor=self.users[f"chief_{c}"], inspection=inspection)
        if visit.role in ("issued", "draft"):
            day = _after(self.clock.moment.astimezone(ALMATY).date(), 1)
            self.timeline.at(_moment(day, 10, self.rng.randint(0, 50)), functools.partial(self._draft, visit))

    # -- its order ---------------------------------------------------------------------------------------

    def _draft(self, visit: _Visit) -> None:
        c = visit.district.code.lower()
        inspector = self.users[f"inspector_{c}"]
        inspection = Inspection.objects.get(pk=visit.inspection_id)
        order = orders.order_draft(actor=inspector, inspection=inspection)
        visit.order_id = order.pk
        for item in order.items.filter(remedy=""):  # a finding of the inspector's own needs its remedy
            orders.order_item_update(actor=inspector, item=item, data={"remedy": _FREE_FINDING[2]})
        if visit.role == "issued":
            day = _after(self.clock.moment.astimezone(ALMATY).date(), self.rng.choice((1, 1, 2)))
            self.timeline.at(_moment(day, 15, self.rng.randint(0, 50)), functools.partial(self._issue, visit))

    def _issue(self, visit: _Visit) -> None:
        c = visit.district.code.lower()
        chief, inspector = self.users[f"chief_{c}"], self.users[f"inspector_{c}"]
        order = orders.order_issue(actor=chief, order=Order.objects.get(pk=visit.order_id))
        issued = self.clock.moment.astimezone(ALMATY).date()
        at = self.timeline.at
        scenario = visit.scenario or "typical"
        # Delivery.
        if scenario in _ON_PAPER:
            delivered = _after(issued, 2)
            at(
                _moment(delivered, 12, 30),
                lambda: orders.order_record_delivery(
                    actor=inspector,
                    order=_fresh(order),
                    kind=Order.Delivery.PAPER,
                    received_by_name=visit.school.head_name,
                    delivered_on=delivered,
                ),  # fmt: skip
            )
            first_day = _after(issued, 3)
        elif scenario in _REFUSED:
            at(
                _moment(_after(issued, 1), 12, 10),
                lambda: orders.order_record_delivery(
                    actor=inspector, order=_fresh(order), kind=Order.Delivery.REFUSED, note=_REFUSAL
                ),
            )
            first_day = _after(issued, 2)
        elif visit.admin is not None:
            late = 4 if scenario == "referral" else 1
            name = f"{visit.admin.last_name} {visit.admin.first_name}"
            at(
                _moment(_after(issued, late), 11, self.rng.randint(0, 50)),
                lambda: orders.order_acknowledge(actor=visit.admin, order=_fresh(order), name=name),
            )
            first_day = _after(issued, late + 1)
        else:
            first_day = _after(issued, 2)
        # The items.
        items = list(order.items.select_related("finding__item").order_by("position"))
        last_day = self.today - dt.timedelta(days=3)
        past = [i for i in items if i.deadline < last_day]
        future = [i for i in items if i.deadline >= last_day]
        equipment = [i for i in future if i.fix_kind == FixKind.EQUIPMENT]
        fates: dict[int, str] = {}
        if scenario == "closed":
            fates = {i.pk: "done" for i in items}
        elif scenario == "progress":
            fates = {i.pk: "done" for i in past}
            rest = equipment or future
            if rest:
                fates[rest[0].pk] = "extend"
            if len(future) > 1:
                fates[[i for i in future if i.pk not in fates][0].pk] = "pending"
        elif scenario == "referral":
            for n, i in enumerate(past):
                fates[i.pk] = "ignore" if n % 2 else "done"
            entry = [i for i in past if _code(i) == "AC-6"] or past[:1]
            for i in entry:
                fates[i.pk] = "reject_refer"
        elif scenario == "withdrawn":
            fates = {i.pk: "done" for i in past}
            if future:
                fates[future[0].pk] = "pending"
            listed = [i for i in past if _code(i)]  # not the inspector's own finding: that one stands
            fates[(listed or items)[0].pk] = "withdraw"
        elif scenario == "ext_pending":
            fates = {i.pk: "done" for i in past}
            if past:
                fates[past[-1].pk] = "ignore"
            if future:
                fates[future[0].pk] = "extend_pending"
        elif scenario == "rejected":
            fates = {i.pk: "done" for i in past}
            if past:
                fates[past[0].pk] = "reject_done"
            if future:
                fates[future[-1].pk] = "pending"
        elif scenario == "on_site":
            for n, i in enumerate(past):
                fates[i.pk] = "on_site" if n % 2 == 0 else "ignore"
        elif scenario in ("typical", "paper"):
            for i in past:
                fates[i.pk] = "done" if self.rng.random() < 0.75 else "ignore"
            for i in future:
                fates[i.pk] = "pending" if self.rng.random() < 0.25 else "open"
        # Every school that works on its order has lately reported one fix its inspector has yet to check.
        if (
            visit.admin is not None
            and scenario not in ("closed", "ignored")
            and "pending" not in fates.values()
        ):
            waiting = [i for i in future if fates.get(i.pk, "open") == "open"]
            waiting = waiting or [i for i in past if fates.get(i.pk) == "done"]
            if waiting:
                fates[waiting[0].pk] = "pending"
        for item in items:
            self._item_story(visit, item, fates.get(item.pk, "open"), issued, first_day)

    def _item_story(
        self, visit: _Visit, item: OrderItem, fate: str, issued: dt.date, first_day: dt.date
    ) -> None:
        rng, at = self.rng, self.timeline.at
        c = visit.district.code.lower()
        chief, inspector, admin = self.users[f"chief_{c}"], self.users[f"inspector_{c}"], visit.admin
        recent = _weekday(self.today - dt.timedelta(days=rng.randint(1, 3)), forward=False)

        def report(day: dt.date, hour: int = 14):
            if admin is not None:
                at(_moment(max(day, first_day), hour, rng.randint(0, 50)), lambda: self._report(admin, item))

        def decide(day: dt.date, accept: bool, reason: str = ""):
            at(_moment(day, 10, rng.randint(0, 50)), lambda: self._decide(inspector, item, accept, reason))

        if fate == "done" and admin is not None:
            # Reported a few days before the deadline (at the latest ten days ago), accepted soon after.
            day = min(
                item.deadline - dt.timedelta(days=rng.randint(1, 6)), self.today - dt.timedelta(days=10)
            )
            day = max(_weekday(day, forward=False), first_day)
            report(day)
            decide(_after(day, rng.randint(1, 3)), True)
        elif fate == "pending" and admin is not None:
            report(max(recent, first_day), 15)
        elif fate == "reject_done" and admin is not None:
            day = _weekday(max(first_day, item.deadline - dt.timedelta(days=12)))
            report(day)
            decide(_after(day, 2), False, rng.choice(_REJECTIONS))
            report(_after(day, 5), 12)
            decide(_after(day, 7), True)
        elif fate == "reject_refer" and admin is not None:
            report(first_day)
            rejected = _after(first_day, 2)
            decide(rejected, False, _REJECTIONS[0])
            # Overdue from the night after the deadline, or after the rejection if that came later.
            refer = _after(max(item.deadline, rejected), 5)
            at(
                _moment(refer, 17),
                lambda: orders.item_refer(actor=chief, item=_fresh(item), note=_REFERRAL),
            )
            at(_moment(recent, 17, 30), lambda: self._follow_up(chief, inspector, item.order))
        elif fate == "extend" and admin is not None:
            day = _weekday(
                min(item.deadline - dt.timedelta(days=10), self.today - dt.timedelta(days=8)), forward=False
            )
            day = max(day, first_day)
            at(_moment(day, 13, rng.randint(0, 50)), lambda: self._extension(admin, item))
            at(_moment(_after(day, 2), 16), lambda: self._decide_extension(chief, item))
        elif fate == "extend_pending" and admin is not None:
            at(_moment(max(recent, first_day), 13), lambda: self._extension(admin, item))
        elif fate == "withdraw":
            at(
                _moment(_after(issued, 6), 12),
                lambda: orders.amendment_create(
                    actor=inspector, item=_fresh(item), kind=Amendment.Kind.WITHDRAW, reason=_WITHDRAWAL
                ),
            )
        elif fate == "on_site":
            at(
                _moment(_after(item.deadline, 3), 11),
                lambda: orders.item_verify(actor=inspector, item=_fresh(item), done=True, reason=_ON_SITE),
            )

    def _follow_up(self, chief: User, inspector: User, order: Order) -> None:
        """Lately the chief scheduled a follow-up visit for next week, and gave it to the inspector."""
        planned_on = _after(self.today, 5)
        follow_up = orders.follow_up_schedule(actor=chief, order=_fresh(order), planned_on=planned_on)
        inspections.inspections_assign(
            actor=chief, inspections=[follow_up], inspector=inspector, planned_on=planned_on
        )

    def _report(self, admin: User, item: OrderItem) -> None:
        item = _fresh(item)
        code = _code(item)
        text, caption = _FIXES.get(code, ("Нарушение устранено", "Фото после устранения"))
        school = item.order.school
        local = self.clock.moment.astimezone(ALMATY)
        data = picture(
            caption, f"{school.name_ru[:40]} · {local:%d.%m.%Y}", seed=item.pk * 10 + local.day, evidence=True
        )
        orders.report_fix(
            actor=admin, item=item, comment=text, files=[(f"{caption.lower().replace(' ', '-')}.jpg", data)]
        )

    def _decide(self, inspector: User, item: OrderItem, accept: bool, reason: str) -> None:
        report = (
            SchoolReport.objects.filter(item=item, kind=SchoolReport.Kind.FIX, decision="")
            .order_by("-at")
            .first()
        )
        if report is not None:
            orders.report_decide(actor=inspector, report=report, accept=accept, reason=reason)

    def _extension(self, admin: User, item: OrderItem) -> None:
        item = _fresh(item)
        orders.request_extension(
            actor=admin,
            item=item,
            requested_deadline=item.deadline + dt.timedelta(days=30),
            reason=_EXTENSION,
        )

    def _decide_extension(self, chief: User, item: OrderItem) -> None:
        report = SchoolReport.objects.filter(item=item, kind=SchoolReport.Kind.EXTENSION, decision="").first()
        if report is not None:
            orders.report_decide(actor=chief, report=report, accept=True)


_SEASONS = {1: "Зимняя", 2: "Зимняя", 3: "Весенняя", 4: "Весенняя", 5: "Весенняя", 6: "Летняя", 7: "Летняя",
            8: "Летняя", 9: "Осенняя", 10: "Осенняя", 11: "Осенняя", 12: "Зимняя"}  # fmt: skip


def _district_codes() -> list[str]:
    from qorgau.registry.districts import ALMATY_DISTRICTS

    return [row[0] for row in ALMATY_DISTRICTS]


def _fails(answer: _Answer) -> bool:
    raw = answer.raw
    if answer.override:
        return answer.override == "fail"
    if "value" in raw and raw["value"] == "no":
        return True
    if raw.get("received") == "no" or raw.get("stopped") == "no":
        return True
    if "total" in raw:
        return raw["total"] != raw["working"] or bool(raw["zones_not_covered"]) or raw["total"] == "0"
    if "asked" in raw:
        return int(raw["correct"]) * 100 < 80 * int(raw["asked"])
    if answer.item.answer_kind == AnswerKind.NUMBER:
        return int(raw["value"]) < int(answer.item.threshold or 0)
    return False


def _code(item: OrderItem) -> str:
    finding = item.finding
    return finding.item.code if finding is not None and finding.item is not None else ""


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# ---------------------------------------------------------------------------------------------------------


def history_create(*, seed: int) -> None:
    """Write the season's history over the demo city (schools and logins must exist)."""
    _History(seed=seed, cutoff=timezone.now()).write()


def history_summary() -> HistorySummary:
    items = Counter()
    for status, overdue in OrderItem.objects.values_list("status", "overdue_since"):
        items[status] += 1
        if overdue is not None and status in (OrderItem.Status.OPEN, OrderItem.Status.REPORTED):
            items["overdue"] += 1
    return HistorySummary(
        inspections=Counter(Inspection.objects.values_list("status", flat=True)),
        orders=Counter(Order.objects.values_list("status", flat=True)),
        items=items,
        notifications=Notification.objects.count(),
        amendments=Amendment.objects.count(),
        reports=SchoolReport.objects.count(),
    )
