"""What to inspect next: schools ranked by a risk score that the database computes.

A school's score is a weighted sum of reasons (settings `QORGAU_RISK_WEIGHTS`, README "Risk ranking"):
overdue order items, gross findings at the last approved inspection, months since that inspection (never
inspected counts as the cap), faulty or missing equipment of every kind, no panic button or no camera at all,
no valid guard contract, an expired licence of the guarding firm, and the number of pupils.

The facts behind the reasons are gathered per school into `SchoolRisk` (`refresh_risk`: one set of correlated
subqueries for all the schools asked for) by the deadline job on every run, by the ranking's Refresh button,
and for schools that have no row yet. The ranking then reads one row per school and works out what depends
on the day (months since the inspection, expired contracts and licences) from the stored dates, so that a
city's schools rank in one short query. The page says when its facts were gathered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qorgau.accounts.scoping import visible
from qorgau.core.paging import IdPaginator
from qorgau.inspections.models import Inspection
from qorgau.orders.models import OPEN_ISSUED_ITEM, OrderItem
from qorgau.oversight.models import InspectionScore, SchoolRisk
from qorgau.registry.models import (
    AccessPoint,
    Camera,
    EquipmentStatus,
    GuardContract,
    GuardPost,
    PanicButton,
    School,
)

DEFAULT_WEIGHTS: dict[str, float] = {
    "overdue_item": 10,
    "gross_finding": 8,
    "month_uninspected": 1.5,
    "faulty_equipment": 4,
    "no_panic_button": 15,
    "no_cameras": 10,
    "guard_contract": 12,
    "licence_expired": 12,
    "per_1000_pupils": 5,
}
DAYS_PER_MONTH = 30
OPEN_ENDED = dt.date(9999, 12, 31)  # a guard contract without an end date
NOT_WORKING = (EquipmentStatus.FAULTY, EquipmentStatus.MISSING)


def weights() -> dict[str, float]:
    """The weights in force: the settings over the defaults, so a deployment may change only some."""
    configured = getattr(settings, "QORGAU_RISK_WEIGHTS", None) or {}
    return {key: float(configured.get(key, default)) for key, default in DEFAULT_WEIGHTS.items()}


def max_days() -> int:
    return int(getattr(settings, "QORGAU_RISK_MAX_MONTHS", 36)) * DAYS_PER_MONTH


class DaysSince(Func):
    """Whole days from a moment to a date, in the database: DaysSince(moment, today). NULL stays NULL."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, moment, today, **extra):
        super().__init__(today, moment, **extra)  # the SQL below reads "today minus moment"

    def as_sqlite(self, compiler, connection, **extra):
        # julianday() reads both the stored timestamp text and the date parameter.
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(", **extra,
        )  # fmt: skip

    def as_postgresql(self, compiler, connection, **extra):
        # date - date is a whole number of days; the moment is taken as a date in UTC, as stored.
        return self.as_sql(
            compiler, connection, template="(CAST(%(expressions)s AS date))",
            arg_joiner=" AS date) - CAST(", **extra,
        )  # fmt: skip


def _count(queryset, school_lookup: str = "school") -> Coalesce:
    sub = (
        queryset.filter(**{school_lookup: OuterRef("pk")})
        .order_by()
        .values(school_lookup)
        .annotate(c=Count("pk"))
        .values("c")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def _facts() -> dict:
    """What `SchoolRisk` stores, as expressions on School: each one correlated subquery."""
    overdue = OrderItem.objects.filter(OPEN_ISSUED_ITEM, overdue_since__isnull=False)
    last = InspectionScore.objects.filter(school=OuterRef("pk")).order_by("-approved_at", "-inspection_id")
    current = GuardContract.objects.filter(is_current=True, school=OuterRef("pk"))
    until = current.annotate(until=Coalesce("valid_until", Value(OPEN_ENDED))).order_by("-until")
    licence = current.filter(firm__licence_expiry__isnull=False).order_by("firm__licence_expiry")
    return {
        "overdue_items": _count(overdue),
        "gross_last": Coalesce(Subquery(last.values("gross_findings")[:1]), Value(0)),
        "last_approved_at": Subquery(last.values("approved_at")[:1]),
        "faulty_equipment": _count(PanicButton.objects.filter(status__in=NOT_WORKING))
        + _count(Camera.objects.filter(status__in=NOT_WORKING))
        + _count(AccessPoint.objects.filter(status__in=NOT_WORKING))
        + _count(GuardPost.objects.filter(status__in=NOT_WORKING)),
        "has_panic_button": Exists(PanicButton.objects.filter(school=OuterRef("pk"))),
        "has_camera": Exists(Camera.objects.filter(school=OuterRef("pk"))),
        "contract_until": Subquery(until.values("until")[:1]),
        "licence_expiry": Subquery(licence.values("firm__licence_expiry")[:1]),
    }


FACT_FIELDS = (
    "overdue_items", "gross_last", "last_approved_at", "faulty_equipment", "has_panic_button", "has_camera",
    "contract_until", "licence_expiry",
)  # fmt: skip


@transaction.atomic
def refresh_risk(*, schools: QuerySet[School] | None = None) -> int:
    """Gather the ranking's facts anew for `schools` (all of them by default); returns how many."""
    schools = School.objects.all() if schools is None else schools
    now = timezone.now()
    facts = schools.order_by().annotate(**_facts()).values("pk", "district_id", *FACT_FIELDS)
    rows = [
        SchoolRisk(
            school_id=row["pk"],
            district_id=row["district_id"],
            refreshed_at=now,
            **{name: row[name] for name in FACT_FIELDS},
        )  # fmt: skip
        for row in facts.iterator(chunk_size=2000)
    ]
    SchoolRisk.objects.filter(school__in=schools.values("pk")).delete()
    SchoolRisk.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def refresh_missing(*, user) -> int:
    """Gather the facts of the user's schools that have none yet (a new school, or a new installation)."""
    missing = visible(user, School).filter(risk__isnull=True)
    return refresh_risk(schools=missing) if missing.exists() else 0


def facts_as_of(*, user, district_id: int | None = None, size_tier: str = ""):
    """When the oldest of the ranked schools' facts were gathered (None: none yet)."""
    # Read from the facts' own rows (every ranked school has one: `refresh_missing` runs first) through their
    # refresh-time indexes, not by joining every school of the city.
    facts = visible(user, SchoolRisk)
    if district_id:
        facts = facts.filter(district_id=district_id)
    if size_tier:
        facts = facts.filter(school__size_tier=size_tier)
    return facts.aggregate(at=Min("refreshed_at"))["at"]


def _reasons(today) -> dict:
    """The reasons as expressions on School, read from its `SchoolRisk` row and the day."""
    return {
        "overdue_items": F("risk__overdue_items"),
        "gross_last": F("risk__gross_last"),
        "days_since": DaysSince(F("risk__last_approved_at"), Value(today)),
        "faulty_equipment": F("risk__faulty_equipment"),
        "has_panic_button": F("risk__has_panic_button"),
        "has_camera": F("risk__has_camera"),
        "current_contract": Q(risk__contract_until__isnull=False),
        "valid_contract": Q(risk__contract_until__gte=today),
        "expired_licence": Q(risk__licence_expiry__lt=today),
    }


def _points(value: float) -> Cast:
    # A weight as a double: a bare decimal literal makes PostgreSQL score every school in numeric arithmetic,
    # several times slower over a city.
    return Cast(Value(value), FloatField())


def _flag(condition: Q, points: float) -> Case:
    return Case(When(condition, then=_points(points)), default=_points(0.0), output_field=FloatField())


def _score(w: dict[str, float], today) -> ExpressionWrapper:
    cap = max_days()
    days = Least(Coalesce(DaysSince(F("risk__last_approved_at"), Value(today)), Value(cap)), Value(cap))
    total = (
        _points(w["overdue_item"]) * F("risk__overdue_items")
        + _points(w["gross_finding"]) * F("risk__gross_last")
        + _points(w["month_uninspected"] / DAYS_PER_MONTH) * days
        + _points(w["faulty_equipment"]) * F("risk__faulty_equipment")
        + _flag(Q(risk__has_panic_button=False), w["no_panic_button"])
        + _flag(Q(risk__has_camera=False), w["no_cameras"])
        + _flag(Q(risk__contract_until__isnull=True) | Q(risk__contract_until__lt=today), w["guard_contract"])
        + _flag(Q(risk__licence_expiry__lt=today), w["licence_expired"])
        + _points(w["per_1000_pupils"] / 1000) * F("pupils")
    )
    return ExpressionWrapper(total, output_field=FloatField())


def _area(user, *, district_id: int | None = None, size_tier: str = "") -> QuerySet[School]:
    qs = visible(user, School)
    if district_id:
        qs = qs.filter(district_id=district_id)
    if size_tier:
        qs = qs.filter(size_tier=size_tier)
    return qs


def risk_ranking(
    *, user, district_id: int | None = None, size_tier: str = "", with_reasons: bool = True
) -> QuerySet[School]:
    """The schools the user may see, riskiest first, each with `risk_score` and (by default) its reasons,
    from their `SchoolRisk` rows (see `refresh_missing` for schools without one)."""
    today = timezone.localdate()
    qs = _area(user, district_id=district_id, size_tier=size_tier)
    if with_reasons:
        qs = qs.annotate(**_reasons(today))
    qs = qs.annotate(risk_score=_score(weights(), today)).order_by("-risk_score", "name_ru", "id")
    if with_reasons:
        qs = qs.select_related("district")
    return qs


@dataclass(frozen=True)
class Reason:
    text: str
    level: str  # "bad", "warn" or "" (for information)
    points: float

    @property
    def shown(self) -> int:
        """The points as a page shows them: whole (the template's floatformat is slow on a long list)."""
        return round(self.points)


def reasons_for(school: School, w: dict[str, float] | None = None) -> list[Reason]:
    """The reasons of a ranked school as readable chips, each with the points it adds to the score."""
    w = w or weights()
    out: list[Reason] = []
    if school.overdue_items:
        n = school.overdue_items
        text = ngettext("%(n)d overdue item", "%(n)d overdue items", n) % {"n": n}
        out.append(Reason(text, "bad", n * w["overdue_item"]))
    if school.gross_last:
        n = school.gross_last
        text = ngettext("%(n)d gross finding last time", "%(n)d gross findings last time", n) % {"n": n}
        out.append(Reason(text, "bad", n * w["gross_finding"]))
    cap = max_days()
    if school.days_since is None:
        out.append(Reason(_("never inspected"), "bad", cap / DAYS_PER_MONTH * w["month_uninspected"]))
    else:
        months = school.days_since // DAYS_PER_MONTH
        if months >= 1:
            text = ngettext("not inspected for %(n)d month", "not inspected for %(n)d months", months) % {
                "n": months
            }
            points = min(school.days_since, cap) / DAYS_PER_MONTH * w["month_uninspected"]
            out.append(Reason(text, "warn" if months >= 12 else "", points))
    if not school.has_panic_button:
        out.append(Reason(_("no panic button"), "bad", w["no_panic_button"]))
    if not school.has_camera:
        out.append(Reason(_("no cameras"), "bad", w["no_cameras"]))
    if school.faulty_equipment:
        n = school.faulty_equipment
        text = ngettext("%(n)d device faulty or missing", "%(n)d devices faulty or missing", n) % {"n": n}
        out.append(Reason(text, "warn", n * w["faulty_equipment"]))
    if not school.valid_contract:
        text = _("guard contract expired") if school.current_contract else _("no guard contract")
        out.append(Reason(text, "bad", w["guard_contract"]))
    if school.expired_licence:
        out.append(Reason(_("guard firm's licence expired"), "bad", w["licence_expired"]))
    n = school.pupils or 0
    text = ngettext("%(n)d pupil", "%(n)d pupils", n) % {"n": n}
    out.append(Reason(text, "", n / 1000 * w["per_1000_pupils"]))
    return out


# An inspection in hand: planned, under way or awaiting approval. Its school needs no new one yet.
IN_HAND = ~Q(status=Inspection.Status.APPROVED)


def inspections_in_hand(*, user, school_ids) -> dict[int, Inspection]:
    """The earliest inspection in hand that the user sees of each of the schools (one query), for the
    ranking's rows; an undated one comes after the dated ones on both databases."""
    found: dict[int, Inspection] = {}
    rows = visible(user, Inspection).filter(IN_HAND, school_id__in=list(school_ids))
    order = ("school_id", F("planned_on").asc(nulls_last=True), "id")
    for inspection in rows.only("id", "school_id", "status", "planned_on").order_by(*order):
        found.setdefault(inspection.school_id, inspection)
    return found


def risk_page(*, user, page_number, per_page: int, **filters) -> Page:
    """One page of the ranking, each row with `rank`, `reasons` and `in_hand` (an inspection already planned
    or under way, None if there is none): the count of the schools and the page."""
    # The ranking is sorted on the narrow score alone; only the page's schools are read whole.
    paginator = IdPaginator(risk_ranking(user=user, **filters), per_page)
    paginator.count = _area(user, **filters).count()  # the ranking filters no school out
    page = paginator.get_page(page_number)
    page.object_list = ranked_rows(list(page.object_list), user=user, first_rank=page.start_index())
    return page


def ranked_rows(schools: list[School], *, user, first_rank: int) -> list[School]:
    """A slice of the ranking made into rows (for the page and the API): each school with its `rank`, its
    `reasons`, `in_hand` (see `risk_page`) and `score_shown`. One query, for the inspections in hand."""
    w = weights()
    in_hand = inspections_in_hand(user=user, school_ids=(school.pk for school in schools))
    for rank, school in enumerate(schools, start=first_rank):
        school.rank = rank
        school.in_hand = in_hand.get(school.pk)
        school.reasons = reasons_for(school, w)
        school.score_shown = round(school.risk_score)
    return schools


def top_school_ids(*, user, n: int, **filters) -> list[int]:
    """The ids of the first `n` schools of the ranking, in order, leaving out those with an inspection in
    hand (whoever planned it: all inspections, not only those the user sees), so that a campaign from the
    top of the list plans no second visit to a school already planned (`services.plan_from_ranking`
    serialises two plans of a district)."""
    in_hand = Inspection.objects.filter(IN_HAND, school=OuterRef("pk"))
    ranking = risk_ranking(user=user, with_reasons=False, **filters).exclude(Exists(in_hand))
    return list(ranking.values_list("pk", flat=True)[:n])
