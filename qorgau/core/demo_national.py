"""A national-scale history for benchmark cities: five school years of inspections written in bulk.

`qorgau demo --schools 10000` builds the registry of a big city (`demo.py`) and then this history over it:
two campaigns a year for five years with an approved inspection of nearly every school in each, the current
campaign in progress (approved, submitted, returned, in progress, planned), follow-up and unplanned visits,
every applicable answer of every inspection, findings from the failures, orders with their items in every
state (open, reported, done, withdrawn; overdue ones with `overdue_since`), the schools' pending reports,
withdrawal amendments and the `InspectionScore` summary of every approved inspection. At 10,000 schools that
is about 110,000 inspections, 3.4 million answers and 300,000 order items.

The standard demo goes through the services (`demo_history.py`) so that every screen tells a story; at this
size that would take hours, so here the rows are decided in Python and written straight into the tables:
executemany in one transaction on SQLite, COPY on PostgreSQL. What the services would guarantee is kept by
construction: act and order numbers run per district and year in the order of their dates (the counters end
at the largest number given, so real approvals and issues continue the sequence), findings are the failed
answers, order items the findings, statuses agree with their dates, and each score row holds exactly what
`oversight.summary.rebuild_scores()` computes (the tests compare them). Issued documents (PDF/DOCX files),
photos, answer revisions, status events and notifications are left out: they cost disk and time, and no
list or dashboard reads them.

One seeded random generator decides everything, so a seed gives the same history; dates count from today.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from qorgau.accounts.models import Organisation, OrgKind, Role, User
from qorgau.checklists.answers import evaluate
from qorgau.checklists.models import AnswerKind, FixKind, Item, Severity, TemplateVersion
from qorgau.core.demo_history import _story_failure
from qorgau.inspections.models import ActCounter, Answer, Campaign, Finding, Inspection
from qorgau.inspections.services import BINARY_KINDS, latest_published_version
from qorgau.orders.models import Amendment, Order, OrderCounter, OrderItem, SchoolReport
from qorgau.orders.services import deadline_days
from qorgau.oversight.models import CATEGORY_CODES, InspectionScore, fail_field, pass_field
from qorgau.registry.models import District, School

ALMATY = ZoneInfo("Asia/Almaty")
UTC = dt.UTC
SEED = 2026
YEARS = 5  # school years of finished campaigns before the current one
CAMPAIGN_DAYS = 100
CURRENT_STARTED_DAYS_AGO = 80  # as in the standard demo: the current campaign is always running
CHUNK = 20_000  # rows per executemany call

# How often an item fails, by checklist section, before the district, school, severity and year factors.
_SECTION_FAIL = {"PA": 0.085, "VS": 0.12, "AC": 0.10, "GU": 0.06, "SR": 0.10, "PE": 0.07, "DO": 0.08}
_SEVERITY_FACTOR = {Severity.GROSS: 0.8, Severity.SIGNIFICANT: 1.0, Severity.MINOR: 1.3}
# The new-build districts on the city's edge fail more often, the old centre less.
_DISTRICT_FACTOR = {
    "ALT": 1.35, "NAU": 1.3, "AUE": 1.1, "TUR": 1.1, "BOS": 1.0, "ZHE": 0.95, "MED": 0.8, "ALM": 0.7
}  # fmt: skip
_NA_SHARE = {"VS-3": 0.3, "AC-3": 0.35}  # "where required": often not applicable
# The current campaign, 80 of its 100 days gone: shares of its inspections by status (the rest planned).
_CURRENT = (("approved", 0.55), ("submitted", 0.05), ("returned", 0.015), ("in_progress", 0.045))
_SEASONS = {9: "Осенняя", 10: "Осенняя", 11: "Осенняя", 12: "Зимняя", 1: "Зимняя", 2: "Весенняя"}

_FREE_FINDING = (
    "На кровле спортзала складированы строительные материалы, выход на кровлю не закрыт",
    "Спортивный зал",
    "Закрыть выход на кровлю на замок, вывезти строительные материалы",
)
_ADHOC_REASON = "Обращение родителей о посторонних на территории школы"
_WITHDRAWAL = "Пункт исключён по возражению школы: требование выполнено до проверки, документы представлены"
_REPORT = "Нарушение устранено, подтверждающие материалы приложены"
_RECEIVED_BY = "Заместитель директора по безопасности"

# Failures the standard demo does not tell a story for: (raw answer, comment).
_MORE_FAILURES = {
    "PA-1": ({"value": "no"}, "Тревожная кнопка демонтирована при ремонте вахты и не восстановлена"),
    "PA-2": ({"value": "no"}, "Договор на реагирование по сигналу КТС истёк, сигнал на пульт не выводится"),
    "PA-3": ({"received": "no"}, "Сигнал на пульт не поступил: абонентская плата не внесена"),
    "VS-1": (
        {"total": "24", "working": "19", "zones_not_covered": ["perimeter"]},
        "Пять камер не работают, периметр со стороны стадиона не просматривается",
    ),
    "VS-2": ({"value": "14"}, "Накопитель видеорегистратора переполнен, архив хранится 14 суток"),
    "VS-3": ({"value": "no"}, "Камеры к ЦОУ полиции не подключены"),
    "AC-3": ({"value": "no"}, "Турникеты на центральном входе не установлены"),
    "GU-1": ({"value": "no"}, "Договор с охранной организацией истёк, охрану несёт вахтёр школы"),
    "GU-3": ({"value": "no"}, "На посту охраны нет инструкции и журнала, радиостанция неисправна"),
    "DO-3": ({"value": "no"}, "Два пункта предписания прошлой проверки не исполнены в срок"),
}


# ---------------------------------------------------------------------------------------------------------
# What the generator decides before anything is written.


@dataclass(slots=True)
class _Item:
    id: int
    code: str
    section: str
    severity: str
    kind: str
    fix_kind: str
    legal_ref: str
    max_age_days: int | None
    text: dict[str, str]
    remedy: dict[str, str]
    # (value JSON, result, summary, comment) variants of a pass and of a failure; a date's are per answer.
    passes: list[tuple[str, str, str, str]] = field(default_factory=list)
    fails: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Inspection:
    id: int
    school: int
    district: int
    campaign: int | None
    kind: str
    status: str
    planned_on: dt.date | None
    inspector: int | None
    started_at: dt.datetime | None = None
    submitted_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    act_year: int | None = None
    act_seq: int | None = None
    answered: int = 0  # how many items have an answer (all but for one in progress)
    fails: tuple[int, ...] = ()  # indexes into the item list
    nas: tuple[int, ...] = ()
    free_finding: bool = False


@dataclass
class NationalSummary:
    campaigns: int = 0
    inspections: int = 0
    answers: int = 0
    findings: int = 0
    orders: int = 0
    order_items: int = 0
    overdue_items: int = 0
    reports: int = 0
    amendments: int = 0
    scores: int = 0
    school_admins: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    item_statuses: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"National history: {self.campaigns} campaigns, {self.inspections:,} inspections "
            f"({_counts(self.by_status)}), {self.answers:,} answers, "
            f"{self.findings:,} findings, {self.orders:,} orders, {self.order_items:,} order items "
            f"({_counts(self.item_statuses)}; "
            f"{self.overdue_items:,} overdue), {self.reports:,} pending school reports, "
            f"{self.amendments:,} amendments, {self.scores:,} score rows, {self.school_admins:,} school "
            "administrators added."
        )


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ALMATY).astimezone(UTC)


def _workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _counts(by: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {name}" for name, n in sorted(by.items()))


class _Writer:
    """Rows straight into a table: COPY on PostgreSQL, executemany on SQLite (inside the caller's
    transaction either way). Datetimes are given aware in UTC."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"

    def ts(self, moment: dt.datetime | None):
        if moment is None or self.pg:
            return moment
        return moment.replace(tzinfo=None).isoformat(" ")  # how Django stores datetimes in SQLite

    def write(self, model, columns: tuple[str, ...], rows) -> int:
        table = model._meta.db_table
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        connection.ensure_connection()
        # Table and column names come from the models, never from input.
        sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608

        def flush(chunk: list) -> None:
            if self.pg:
                with (
                    connection.cursor() as cursor,
                    cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
                ):
                    for row in chunk:
                        copy.write_row(row)
            else:
                connection.connection.executemany(sql, chunk)

        # Rows are gathered in chunks before each write: the generator may query the database itself, which
        # must not happen while a COPY holds the connection (psycopg would wait for itself forever).
        count, chunk = 0, []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK:
                flush(chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            flush(chunk)
            count += len(chunk)
        return count


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


# ---------------------------------------------------------------------------------------------------------


class _Generator:
    def __init__(self, *, seed: int, years: int):
        self.rng = random.Random(seed)
        self.years = years
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.out = _Writer()
        self.summary = NationalSummary()

    # -- what is there ------------------------------------------------------------------------------------

    def _load(self) -> None:
        self.version: TemplateVersion = latest_published_version()
        self.districts = {d.pk: d.code for d in District.objects.all()}
        self.schools = list(
            School.objects.order_by("pk").values_list("pk", "district_id", "document_language", "size_tier")
        )
        users = User.objects.filter(role__in=[Role.DISTRICT_CHIEF, Role.INSPECTOR], is_active=True)
        self.police: dict[tuple[int, str], int] = {}
        for pk, role, district in users.order_by("pk").values_list("pk", "role", "organisation__district_id"):
            self.police.setdefault((district, role), pk)
        supervisors = User.objects.filter(role=Role.CITY_SUPERVISOR).order_by("pk")
        self.city = supervisors.values_list("pk", flat=True).first()
        self.items = self._items()
        tiers = {tier for *_rest, tier in self.schools}
        self.applicable = {
            tier: [i for i, item in enumerate(self.items) if tier in self._tiers[item.id]] for tier in tiers
        }

    def _items(self) -> list[_Item]:
        rows = list(
            Item.objects.filter(version=self.version)
            .select_related("section")
            .order_by("section__order", "order", "id")
        )
        self._tiers = {i.pk: set(i.tier_list) for i in rows}
        reference = self.today
        items = []
        with translation.override("ru"):
            self.date_summary = gettext("Last on %(date)s, %(days)d days ago (allowed %(max)d)")
            self.not_met = {}
            for lang in ("ru", "kk"):
                with translation.override(lang):
                    self.not_met[lang] = gettext("Not met: %(requirement)s")
            for row in rows:
                item = _Item(
                    id=row.pk, code=row.code, section=row.section.code, severity=row.severity,
                    kind=row.answer_kind, fix_kind=row.fix_kind, legal_ref=row.legal_ref,
                    max_age_days=row.max_age_days, text={"ru": row.text_ru, "kk": row.text_kk},
                    remedy={"ru": row.remedy_ru, "kk": row.remedy_kk or row.remedy_ru},
                )  # fmt: skip
                if row.answer_kind != AnswerKind.DATE:
                    for raw in _passing_raws(row):
                        item.passes.append(_variant(row, raw, "", reference))
                    failures = []
                    if row.code not in _MORE_FAILURES:  # the standard demo's story of this failure
                        rng = random.Random(row.pk)
                        failures = [_story_failure(row.code, reference, rng)[:2] for _n in range(3)]
                    if row.code in _MORE_FAILURES:
                        failures.append(_MORE_FAILURES[row.code])
                    for raw, comment in failures or [({"value": "no"}, "Требование не выполнено")]:
                        variant = _variant(row, raw, comment, reference)
                        if variant[1] == Answer.Result.FAIL:
                            item.fails.append(variant)
                    if not item.fails:
                        raise ValueError(f"No failing answer for {row.code}")  # pragma: no cover
                items.append(item)
        return items

    def _school_admins(self) -> dict[int, int]:
        """Every school has an administrator who answers its orders (the city builder gives a login to a
        few demo schools only)."""
        admins = dict(
            User.objects.filter(role=Role.SCHOOL_ADMIN)
            .order_by("-pk")
            .values_list("organisation__school_id", "pk")
        )
        orgs = Organisation.objects.filter(kind=OrgKind.SCHOOL).exclude(school_id__in=admins)
        password = make_password(None)
        new = [
            User(
                username=f"head_{school_id}",
                password=password,
                role=Role.SCHOOL_ADMIN,
                organisation_id=org_id,
                first_name="Заместитель",
                last_name="директора",
                position="Заместитель директора по безопасности",
                language=lang or "ru",
            )  # fmt: skip
            for org_id, school_id, lang in orgs.values_list("pk", "school_id", "school__document_language")
        ]
        User.objects.bulk_create(new, batch_size=2000)
        self.summary.school_admins = len(new)
        return dict(
            User.objects.filter(role=Role.SCHOOL_ADMIN)
            .order_by("-pk")
            .values_list("organisation__school_id", "pk")
        )

    # -- the plan -----------------------------------------------------------------------------------------

    def _campaigns(self) -> list[Campaign]:
        """Two campaigns a school year for `years` years, then the current one (which started 80 days ago)."""
        current = self.today - dt.timedelta(days=CURRENT_STARTED_DAYS_AGO)
        starts = [current - dt.timedelta(days=182 * k) for k in range(2 * self.years, -1, -1)]
        campaigns = [
            Campaign(
                name=f"{_SEASONS.get(s.month, 'Весенняя')} проверка АТЗ школ — {s.year}",
                starts_on=s,
                ends_on=s + dt.timedelta(days=CAMPAIGN_DAYS),
                template_version=self.version,
                created_by_id=self.city,
            )
            for s in starts
        ]
        Campaign.objects.bulk_create(campaigns)
        campaigns = list(Campaign.objects.filter(starts_on__in=starts).order_by("starts_on", "pk"))
        through = Campaign.districts.through
        through.objects.bulk_create(
            [through(campaign_id=c.pk, district_id=d) for c in campaigns for d in self.districts]
        )
        self.summary.campaigns = len(campaigns)
        return campaigns

    def _plan(self, campaigns: list[Campaign]) -> list[_Inspection]:
        rng = self.rng
        next_id = _next_id(Inspection)
        planned: list[_Inspection] = []
        past, current = campaigns[:-1], campaigns[-1]
        school_factor = {pk: rng.lognormvariate(-0.125, 0.5) for pk, *_rest in self.schools}

        def add(school, campaign, kind, status, day, when_index) -> _Inspection:
            nonlocal next_id
            pk, district, _lang, tier = school
            inspector = self.police.get((district, Role.INSPECTOR))
            insp = _Inspection(
                id=next_id, school=pk, district=district, campaign=campaign, kind=kind, status=status,
                planned_on=day, inspector=inspector,
            )  # fmt: skip
            next_id += 1
            if status != Inspection.Status.PLANNED and day is not None:
                insp.started_at = _moment(day, rng.randint(9, 11), rng.randint(0, 59))
                applicable = self.applicable[tier]
                insp.answered = len(applicable)
                if status == Inspection.Status.IN_PROGRESS:
                    insp.answered = rng.randint(1, len(applicable) - 1)
                self._results(insp, applicable, school_factor[pk] * when_index)
                if status in ("submitted", "returned", "approved"):
                    insp.submitted_at = insp.started_at + dt.timedelta(minutes=rng.randint(70, 240))
                if status == "approved":
                    approved = _workday(day + dt.timedelta(days=rng.randint(1, 5)))
                    insp.approved_at = _moment(approved, rng.randint(10, 17), rng.randint(0, 59))
                    if insp.approved_at > self.now:  # approved today, a little earlier
                        insp.approved_at = insp.submitted_at + dt.timedelta(minutes=30)
            planned.append(insp)
            return insp

        n_past = len(past)
        for n, school in enumerate(self.schools):
            for index, campaign in enumerate(past):
                # Schools improve: the oldest campaigns fail about 1.25 times as often, the latest 0.9.
                trend = 1.25 - 0.35 * index / max(1, n_past - 1)
                if rng.random() < 0.97:
                    day = _workday(campaign.starts_on + dt.timedelta(days=rng.randint(0, CAMPAIGN_DAYS - 10)))
                    add(school, campaign.pk, Inspection.Kind.PLANNED, "approved", day, trend)
                    if rng.random() < 0.05:  # a follow-up visit on the order two to three months later
                        later = _workday(day + dt.timedelta(days=rng.randint(60, 90)))
                        add(school, None, Inspection.Kind.FOLLOW_UP, "approved", later, trend * 0.6)
                if rng.random() < 0.015:
                    day = _workday(campaign.ends_on + dt.timedelta(days=rng.randint(5, 60)))
                    add(school, None, Inspection.Kind.ADHOC, "approved", day, trend)
            self._current(n, school, current, add)
        return planned

    def _status_now(self, n: int) -> str:
        """The status of the n-th school's inspection in the current campaign; the first schools take one
        of each, so that even a small city shows every status."""
        statuses = [status for status, _share in _CURRENT] + [Inspection.Status.PLANNED]
        draw = self.rng.random()
        if n < len(statuses):
            return statuses[n]
        for status, share in _CURRENT:
            if draw < share:
                return status
            draw -= share
        return Inspection.Status.PLANNED

    def _current(self, n: int, school, campaign: Campaign, add) -> None:
        rng = self.rng
        elapsed = (self.today - campaign.starts_on).days
        status = self._status_now(n)
        if status == "approved":
            day = _workday(campaign.starts_on + dt.timedelta(days=rng.randint(0, max(0, elapsed - 8))))
        elif status in ("submitted", "returned"):
            day = campaign.starts_on + dt.timedelta(days=max(0, elapsed - rng.randint(1, 7)))
        elif status == "in_progress":
            day = self.today - dt.timedelta(days=rng.randint(0, 2))
        else:
            day = None if rng.random() < 0.2 else self.today + dt.timedelta(days=rng.randint(0, 20))
        insp = add(school, campaign.pk, Inspection.Kind.PLANNED, status, day, 0.9)
        if day is None:
            insp.inspector = None  # not yet assigned by the chief

    def _results(self, insp: _Inspection, applicable: list[int], factor: float) -> None:
        rng = self.rng
        district = _DISTRICT_FACTOR.get(self.districts[insp.district], 1.0)
        fails, nas = [], []
        for index in applicable[: insp.answered]:
            item = self.items[index]
            if item.code in _NA_SHARE and rng.random() < _NA_SHARE[item.code]:
                nas.append(index)
                continue
            p = _SECTION_FAIL.get(item.section, 0.1) * _SEVERITY_FACTOR[item.severity] * district * factor
            if rng.random() < min(p, 0.9):
                fails.append(index)
        insp.fails, insp.nas = tuple(fails), tuple(nas)
        insp.free_finding = insp.answered == len(applicable) and rng.random() < 0.02

    def _number_acts(self, inspections: list[_Inspection]) -> dict[tuple[int, int], int]:
        last: dict[tuple[int, int], int] = {}
        approved = sorted((i for i in inspections if i.approved_at), key=lambda i: (i.approved_at, i.id))
        for insp in approved:
            insp.act_year = insp.approved_at.astimezone(ALMATY).year
            key = (insp.district, insp.act_year)
            last[key] = last.get(key, 0) + 1
            insp.act_seq = last[key]
        return last

    # -- writing ------------------------------------------------------------------------------------------

    def build(self) -> NationalSummary:
        self._load()
        admins = self._school_admins()
        campaigns = self._campaigns()
        inspections = self._plan(campaigns)
        acts = self._number_acts(inspections)
        self._write_inspections(inspections)
        self._write_answers(inspections)
        findings = self._write_findings(inspections)
        self._write_orders(inspections, findings, admins)
        self._write_scores(inspections, findings)
        _set_counters(ActCounter, acts)
        self._finish()
        return self.summary

    def _write_inspections(self, inspections: list[_Inspection]) -> None:
        ts = self.out.ts
        chiefs = {d: self.police.get((d, Role.DISTRICT_CHIEF)) for d in self.districts}
        created = {c.pk: c.starts_on for c in Campaign.objects.all()}

        def rows():
            for i in inspections:
                first = created.get(i.campaign) or i.planned_on or self.today
                made = _moment(first - dt.timedelta(days=7), 11)
                if made > self.now:
                    made = self.now
                updated = i.approved_at or i.submitted_at or i.started_at or made
                reason = _ADHOC_REASON if i.kind == Inspection.Kind.ADHOC else ""
                approver = chiefs[i.district] if i.approved_at else None
                yield (
                    i.id, i.school, i.district, i.campaign, i.kind, reason, self.version.pk, i.planned_on,
                    i.inspector, i.status, ts(i.started_at), ts(i.submitted_at), ts(i.approved_at), approver,
                    i.act_year, i.act_seq, chiefs[i.district], ts(made), ts(updated),
                )  # fmt: skip
                self.summary.by_status[i.status] = self.summary.by_status.get(i.status, 0) + 1

        columns = (
            "id", "school_id", "district_id", "campaign_id", "kind", "reason", "template_version_id",
            "planned_on", "inspector_id", "status", "started_at", "submitted_at", "approved_at",
            "approved_by_id", "act_year", "act_seq", "created_by_id", "created_at", "updated_at",
        )  # fmt: skip
        self.summary.inspections = self.out.write(Inspection, columns, rows())

    def _answer(self, item: _Item, insp: _Inspection, failed: bool, n: int) -> tuple[str, str, str, str]:
        if item.kind == AnswerKind.DATE:
            limit = item.max_age_days or 0
            age = (limit + 20 + n % 120) if failed else (14 + n % max(1, min(150, limit) - 14))
            day = insp.planned_on - dt.timedelta(days=age)
            summary = self.date_summary % {"date": day.strftime("%d.%m.%Y"), "days": age, "max": limit}
            comment = "Последнее занятие проведено давно, график не соблюдается" if failed else ""
            value = json.dumps({"value": day.isoformat()})
            return value, Answer.Result.FAIL if failed else Answer.Result.PASS, summary, comment
        variants = item.fails if failed else item.passes
        return variants[n % len(variants)]

    def _write_answers(self, inspections: list[_Inspection]) -> None:
        ts = self.out.ts
        na = (json.dumps({"value": "na"}), Answer.Result.NA, "Не применимо", "")
        tiers = {pk: tier for pk, _d, _l, tier in self.schools}

        def rows():
            pk = _next_id(Answer)
            for i in inspections:
                if not i.answered:
                    continue
                fails, nas = set(i.fails), set(i.nas)
                applicable = self.applicable[tiers[i.school]]
                for position, index in enumerate(applicable[: i.answered]):
                    item = self.items[index]
                    if index in nas:
                        value, result, summary, comment = na
                    else:
                        value, result, summary, comment = self._answer(
                            item, i, index in fails, i.id + position
                        )
                    at = ts(i.started_at + dt.timedelta(seconds=150 * position))
                    yield (pk, i.id, item.id, value, result, result, summary, "", comment, 1, i.inspector, at)
                    pk += 1

        columns = (
            "id", "inspection_id", "item_id", "value", "auto_result", "result", "summary", "override_reason",
            "comment", "version", "updated_by_id", "updated_at",
        )  # fmt: skip
        self.summary.answers = self.out.write(Answer, columns, rows())

    def _write_findings(self, inspections: list[_Inspection]) -> dict[int, list[tuple]]:
        """Findings of every submitted inspection: one per failed item (its text is what the service's
        `finding_detail` makes of the answer) and now and then one of the inspector's own."""
        ts = self.out.ts
        pk = _next_id(Finding)
        by_inspection: dict[int, list[tuple]] = {}
        rows = []
        for i in inspections:
            if i.submitted_at is None:
                continue
            mine = []
            applicable = self.applicable[self._tier[i.school]]
            for index in i.fails:
                item = self.items[index]
                _value, _result, summary, comment = self._answer(
                    item, i, True, i.id + applicable.index(index)
                )
                parts = [] if item.kind in BINARY_KINDS else [summary]
                parts.append(comment)
                text = ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip())
                row = (
                    pk,
                    i.id,
                    item.id,
                    item.severity,
                    text,
                    "",
                    item.legal_ref,
                    i.inspector,
                    ts(i.submitted_at),
                )
                mine.append((row, item))
                pk += 1
            if i.free_finding:
                row = (
                    pk, i.id, None, Severity.MINOR, _FREE_FINDING[0], _FREE_FINDING[1], "", i.inspector,
                    ts(i.started_at + dt.timedelta(minutes=40)),
                )  # fmt: skip
                mine.append((row, None))
                pk += 1
            if mine:
                by_inspection[i.id] = mine
                rows += [r for r, _item in mine]
        columns = (
            "id", "inspection_id", "item_id", "severity", "text", "location", "legal_ref", "created_by_id",
            "created_at",
        )  # fmt: skip
        self.summary.findings = self.out.write(Finding, columns, rows)
        return by_inspection

    @property
    def _tier(self) -> dict[int, str]:
        if not hasattr(self, "_tier_map"):
            self._tier_map = {pk: tier for pk, _d, _l, tier in self.schools}
        return self._tier_map

    def _write_orders(self, inspections, findings: dict[int, list[tuple]], admins: dict[int, int]) -> None:
        rng, ts, today = self.rng, self.out.ts, self.today
        days = deadline_days()
        language = {pk: lang or "ru" for pk, _d, lang, _t in self.schools}
        chiefs = {d: self.police.get((d, Role.DISTRICT_CHIEF)) for d in self.districts}
        order_pk, item_pk = _next_id(Order), _next_id(OrderItem)
        report_pk, amendment_pk = _next_id(SchoolReport), _next_id(Amendment)
        orders, items, reports, amendments = [], [], [], []
        numbered = []
        for insp in sorted(
            (i for i in inspections if i.id in findings and i.approved_at), key=lambda i: i.id
        ):
            approved_day = insp.approved_at.astimezone(ALMATY).date()
            if rng.random() < 0.03:
                continue  # now and then the order is never drafted (the school fixed it on the spot)
            drafted_day = _workday(approved_day + dt.timedelta(days=rng.randint(0, 2)))
            issue_day = _workday(drafted_day + dt.timedelta(days=rng.randint(1, 3)))
            drafted_at = _moment(drafted_day, rng.randint(12, 17), rng.randint(0, 59))
            if drafted_at > self.now:
                continue  # not drafted yet
            issued_at = _moment(issue_day, rng.randint(10, 17), rng.randint(0, 59))
            issued = issued_at <= self.now
            lang = language[insp.school]
            order = {
                "id": order_pk, "inspection": insp.id, "school": insp.school, "district": insp.district,
                "lang": lang, "drafted_by": insp.inspector, "drafted_at": drafted_at,
                "issued_at": issued_at if issued else None, "closed_at": None,
            }  # fmt: skip
            order_pk += 1
            open_left = False
            finished = []
            for position, (finding, item) in enumerate(findings[insp.id], start=1):
                severity = finding[3]
                fix_kind = item.fix_kind if item else FixKind.ORGANISATIONAL
                start = issue_day if issued else today
                deadline = start + dt.timedelta(days=days.get((fix_kind, severity), 30))
                status, overdue, done_at = OrderItem.Status.OPEN, None, None
                if issued:
                    status, done_at, report_at = self._item_fate(issued_at, deadline)
                    withdrawn_at = None
                    if status == OrderItem.Status.REPORTED:
                        reports.append(
                            (
                                report_pk,
                                item_pk,
                                "fix",
                                _REPORT,
                                None,
                                admins.get(insp.school),
                                ts(report_at),
                                "",
                                None,
                                None,
                                "",
                            )
                        )
                        report_pk += 1
                    if status == OrderItem.Status.WITHDRAWN:
                        withdrawn_at = issued_at + dt.timedelta(days=rng.randint(3, 12))
                        amendments.append(
                            [
                                amendment_pk,
                                order["id"],
                                item_pk,
                                None,
                                "withdraw",
                                deadline,
                                None,
                                _WITHDRAWAL,
                                chiefs[insp.district],
                                withdrawn_at,
                            ]
                        )
                        amendment_pk += 1
                    # The deadline job marks an item overdue the night after its deadline if it is still open
                    # then; the mark stays when the item is settled later.
                    settled = done_at or report_at or withdrawn_at
                    settled_day = settled.astimezone(ALMATY).date() if settled else today
                    if settled_day > deadline:
                        overdue = deadline + dt.timedelta(days=1)
                    finished += [m for m in (done_at, withdrawn_at) if m]
                    open_left |= status in (OrderItem.Status.OPEN, OrderItem.Status.REPORTED)
                self.summary.item_statuses[status] = self.summary.item_statuses.get(status, 0) + 1
                self.summary.overdue_items += overdue is not None and status in ("open", "reported")
                if item:
                    requirement = item.text[lang].rstrip(".")
                    found = self.not_met[lang] % {"requirement": requirement}
                    found = f"{found}. {finding[4]}" if finding[4] else found
                    remedy, legal = item.remedy[lang], item.legal_ref
                else:
                    found, remedy, legal = f"{finding[4]} ({finding[5]})", _FREE_FINDING[2], ""
                items.append(
                    (
                        item_pk,
                        order["id"],
                        finding[0],
                        position,
                        found,
                        legal,
                        remedy,
                        severity,
                        fix_kind,
                        deadline,
                        status,
                        overdue,
                        ts(done_at),
                        None,
                        None,
                        "",
                        insp.school,
                        insp.district,
                        ts(order["issued_at"]),
                        item.section if item else "",
                    )
                )
                item_pk += 1
            if issued and not open_left:
                order["closed_at"] = max(finished)
            orders.append(order)
            if issued:
                numbered.append(order)
        # Order numbers per district and year in the order of issue; amendments numbered per order.
        last: dict[tuple[int, int], int] = {}
        for order in sorted(numbered, key=lambda o: (o["issued_at"], o["id"])):
            year = order["issued_at"].astimezone(ALMATY).year
            key = (order["district"], year)
            last[key] = last.get(key, 0) + 1
            order["year"], order["seq"] = year, last[key]
        per_order: dict[int, int] = {}
        for a in sorted(amendments, key=lambda a: (a[1], a[9], a[0])):
            per_order[a[1]] = per_order.get(a[1], 0) + 1
            a[3] = per_order[a[1]]
            a[9] = ts(a[9])

        def order_rows():
            for o in orders:
                issued = o["issued_at"] is not None
                delivered = issued and rng.random() < 0.95
                status = "closed" if o["closed_at"] else ("issued" if issued else "draft")
                delivered_at = o["issued_at"] + dt.timedelta(days=rng.randint(1, 3)) if delivered else None
                if delivered_at and delivered_at > self.now:
                    delivered, delivered_at = False, None
                kind = ("online" if rng.random() < 0.75 else "paper") if delivered else ""
                yield (
                    o["id"], o["inspection"], o["school"], o["district"], status, o["lang"], o.get("year"),
                    o.get("seq"), 3, None, o["drafted_by"], ts(o["drafted_at"]),
                    chiefs[o["district"]] if issued else None, ts(o["issued_at"]), kind, ts(delivered_at),
                    _RECEIVED_BY if delivered else "", "", o["drafted_by"] if kind == "paper" else None,
                    ts(o["closed_at"]), "", "", "", "",
                )  # fmt: skip

        columns = (
            "id", "inspection_id", "school_id", "district_id", "status", "language", "year", "seq",
            "report_by_days", "follow_up_on", "drafted_by_id", "drafted_at", "issued_by_id", "issued_at",
            "delivery", "delivered_at", "received_by_name", "delivery_note", "delivery_recorded_by_id",
            "closed_at", "pdf_file", "pdf_sha256", "docx_file", "docx_sha256",
        )  # fmt: skip
        self.summary.orders = self.out.write(Order, columns, order_rows())
        columns = (
            "id", "order_id", "finding_id", "position", "found", "legal_ref", "remedy", "severity",
            "fix_kind", "deadline", "status", "overdue_since", "done_at", "referred_at", "referred_by_id",
            "referral_note", "school_id", "district_id", "issued_at", "category",
        )  # fmt: skip
        self.summary.order_items = self.out.write(OrderItem, columns, items)
        columns = (
            "id", "item_id", "kind", "comment", "requested_deadline", "by_id", "at", "decision",
            "decided_by_id", "decided_at", "decision_reason",
        )  # fmt: skip
        self.summary.reports = self.out.write(SchoolReport, columns, reports)
        columns = (
            "id", "order_id", "item_id", "seq", "kind", "old_deadline", "new_deadline", "reason", "by_id",
            "at", "pdf_file", "pdf_sha256",
        )  # fmt: skip
        self.summary.amendments = self.out.write(Amendment, columns, [(*a, "", "") for a in amendments])
        _set_counters(OrderCounter, last)

    def _item_fate(self, issued_at: dt.datetime, deadline: dt.date):
        """(status, done_at, report_at) of an issued item: most are fixed around their deadline, some
        late; a few are withdrawn; the longer ago, the likelier it is settled."""
        rng, now = self.rng, self.now
        age = (now - issued_at).days
        draw = rng.random()
        if draw < 0.025:
            return OrderItem.Status.WITHDRAWN, None, None
        open_share = 0.55 if age < 60 else 0.15 if age < 200 else 0.05 if age < 400 else 0.015
        reported_share = 0.12 if age < 60 else 0.04 if age < 200 else 0.005
        draw = rng.random()
        span = (deadline - issued_at.astimezone(ALMATY).date()).days
        if draw < open_share:
            return OrderItem.Status.OPEN, None, None
        if draw < open_share + reported_share:
            report_at = issued_at + dt.timedelta(days=rng.randint(2, max(3, min(age, span + 20))), hours=2)
            report_at = min(report_at, now - dt.timedelta(hours=1))
            if report_at <= issued_at:
                return OrderItem.Status.OPEN, None, None
            return OrderItem.Status.REPORTED, None, report_at
        done_at = issued_at + dt.timedelta(days=rng.randint(3, max(4, span + 25)), hours=rng.randint(0, 6))
        if done_at > now:
            return OrderItem.Status.OPEN, None, None
        return OrderItem.Status.DONE, done_at, None

    def _write_scores(self, inspections, findings: dict[int, list[tuple]]) -> None:
        codes = [c for c in CATEGORY_CODES]
        index_of = {code: n for n, code in enumerate(codes)}

        def rows():
            for i in inspections:
                if i.approved_at is None:
                    continue
                passes, fails = [0] * len(codes), [0] * len(codes)
                skip = set(i.fails) | set(i.nas)
                for index in self.applicable[self._tier[i.school]][: i.answered]:
                    section = index_of.get(self.items[index].section)
                    if section is not None and index not in skip:
                        passes[section] += 1
                for index in i.fails:
                    section = index_of.get(self.items[index].section)
                    if section is not None:
                        fails[section] += 1
                mine = findings.get(i.id, [])
                gross = sum(1 for row, _item in mine if row[3] == Severity.GROSS)
                values = [v for pair in zip(passes, fails, strict=True) for v in pair]
                yield (
                    i.id,
                    i.school,
                    i.district,
                    i.campaign,
                    self.out.ts(i.approved_at),
                    gross,
                    len(mine),
                    *values,
                )

        columns = (
            "inspection_id", "school_id", "district_id", "campaign_id", "approved_at", "gross_findings",
            "findings", *[f for code in codes for f in (pass_field(code), fail_field(code))],
        )  # fmt: skip
        self.summary.scores = self.out.write(InspectionScore, columns, rows())

    def _finish(self) -> None:
        """Identity sequences past the ids written here (SQLite's AUTOINCREMENT follows by itself), and
        fresh planner statistics for every table."""
        models = [Inspection, Answer, Finding, Order, OrderItem, SchoolReport, Amendment]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            # Every table: the registry's were filled in bulk too, and a planner that believes the schools
            # are a tenth of what they are picks nested loops over them.
            cursor.execute("ANALYZE")


def _passing_raws(item: Item) -> list[dict]:
    kind = item.answer_kind
    if kind == AnswerKind.PANIC_TEST:
        return [
            {"received": "yes", "pressed_at": f"10:{m:02d}:00", "acknowledged_at": f"10:{m:02d}:{ack:02d}",
             "arrived_at": f"10:{m + arr // 60:02d}:{arr % 60:02d}"}
            for m, ack, arr in ((5, 22, 480), (12, 31, 610), (20, 18, 395), (31, 40, 702))
        ]  # fmt: skip
    if kind == AnswerKind.CAMERA_SURVEY:
        return [{"total": str(n), "working": str(n), "zones_not_covered": []} for n in (16, 22, 28, 34)]
    if kind == AnswerKind.NUMBER:
        return [{"value": v} for v in ("30", "30", "45", "60")]
    if kind == AnswerKind.ENTRY_TEST:
        return [
            {"stopped": "yes", "notes": "охранник остановил, потребовал документ и сверился со списком"},
            {"stopped": "yes", "notes": "остановлен на турникете, вызван дежурный администратор"},
        ]
    if kind == AnswerKind.STAFF_INTERVIEW:
        return [
            {"asked": "5", "correct": "5"},
            {"asked": "5", "correct": "4"},
            {"asked": "6", "correct": "6"},
        ]
    return [{"value": "yes"}]


def _variant(item: Item, raw: dict, comment: str, day: dt.date) -> tuple[str, str, str, str]:
    evaluation = evaluate(item, raw, on_date=day)
    return (
        json.dumps(evaluation.value, ensure_ascii=False),
        evaluation.result,
        str(evaluation.summary),
        comment,
    )


def _set_counters(model, last: dict[tuple[int, int], int]) -> None:
    """Counters at the largest number given, so the next approval or issue continues the sequence."""
    for (district, year), seq in last.items():
        counter, _created = model.objects.get_or_create(district_id=district, year=year)
        if counter.last < seq:
            model.objects.filter(pk=counter.pk).update(last=seq)


@transaction.atomic
def national_history_create(*, seed: int = SEED, years: int = YEARS) -> NationalSummary:
    """Write the national history over the registry that is there (one transaction)."""
    return _Generator(seed=seed, years=years).build()
