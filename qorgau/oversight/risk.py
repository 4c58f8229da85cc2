"""What to inspect next: schools ranked by a risk score that the database computes.

A school's score is a weighted sum of reasons (settings `QORGAU_RISK_WEIGHTS`, README "Risk ranking"):
overdue order items, gross findings at the last approved inspection, months since that inspection (never
inspected counts as the cap), faulty or missing equipment, no panic button or no camera at all, no valid guard
contract, an expired licence of the guarding firm, and the number of pupils. Every reason is a correlated
subquery on an indexed column, so the ranking is one query whatever the number of schools; a page of the list
ranks the bare ids first and then annotates only the fifty rows it shows.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qorgau.accounts.scoping import visible
from qorgau.orders.models import Order, OrderItem
from qorgau.oversight.models import InspectionScore
from qorgau.registry.models import AccessPoint, Camera, EquipmentStatus, GuardContract, PanicButton, School

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
OPEN_ITEM_STATUSES = (OrderItem.Status.OPEN, OrderItem.Status.REPORTED)
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


def _first(queryset) -> Subquery:
    return Subquery(queryset.filter(school=OuterRef("pk")).order_by().values("pk")[:1])


def _reasons(today) -> dict:
    """The reasons as expressions on School, each one correlated subquery (or a column)."""
    overdue = OrderItem.objects.filter(
        status__in=OPEN_ITEM_STATUSES, overdue_since__isnull=False, order__status=Order.Status.ISSUED
    )
    last = InspectionScore.objects.filter(school=OuterRef("pk")).order_by("-approved_at", "-inspection_id")
    current = GuardContract.objects.filter(is_current=True)
    return {
        "overdue_items": _count(overdue, "order__school"),
        "gross_last": Coalesce(Subquery(last.values("gross_findings")[:1]), Value(0)),
        "days_since": DaysSince(Subquery(last.values("approved_at")[:1]), Value(today)),
        "faulty_equipment": _count(PanicButton.objects.filter(status__in=NOT_WORKING))
        + _count(Camera.objects.filter(status__in=NOT_WORKING))
        + _count(AccessPoint.objects.filter(status__in=NOT_WORKING)),
        # Whether a row exists, as "the first id or NULL": a LIMIT 1 probe of the school's index per row.
        # (An EXISTS here lets PostgreSQL hash the whole table once instead, which is slower for a district.)
        "any_panic_button": _first(PanicButton.objects.all()),
        "any_camera": _first(Camera.objects.all()),
        "current_contract": _first(current),
        "valid_contract": _first(current.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))),
        "expired_licence": _first(current.filter(firm__licence_expiry__lt=today)),
    }


def _flag(condition: Q, points: float) -> Case:
    return Case(When(condition, then=Value(points)), default=Value(0.0), output_field=FloatField())


def _score(w: dict[str, float]) -> ExpressionWrapper:
    cap = max_days()
    days = Least(Coalesce(F("days_since"), Value(cap)), Value(cap))
    total = (
        Value(w["overdue_item"]) * F("overdue_items")
        + Value(w["gross_finding"]) * F("gross_last")
        + Value(w["month_uninspected"] / DAYS_PER_MONTH) * days
        + Value(w["faulty_equipment"]) * F("faulty_equipment")
        + _flag(Q(any_panic_button__isnull=True), w["no_panic_button"])
        + _flag(Q(any_camera__isnull=True), w["no_cameras"])
        + _flag(Q(valid_contract__isnull=True), w["guard_contract"])
        + _flag(Q(expired_licence__isnull=False), w["licence_expired"])
        + Value(w["per_1000_pupils"] / 1000) * F("pupils")
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
    """The schools the user may see, riskiest first, each with `risk_score` and (by default) its reasons.

    Without reasons the components are only aliases inside the score: the query that orders a whole district
    computes each subquery once per school and returns nothing but what is asked for (e.g. the ids)."""
    qs = _area(user, district_id=district_id, size_tier=size_tier)
    reasons = _reasons(timezone.localdate())
    qs = qs.annotate(**reasons) if with_reasons else qs.alias(**reasons)
    qs = qs.annotate(risk_score=_score(weights())).order_by("-risk_score", "name_ru", "id")
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
    if school.any_panic_button is None:
        out.append(Reason(_("no panic button"), "bad", w["no_panic_button"]))
    if school.any_camera is None:
        out.append(Reason(_("no cameras"), "bad", w["no_cameras"]))
    if school.faulty_equipment:
        n = school.faulty_equipment
        text = ngettext("%(n)d device faulty or missing", "%(n)d devices faulty or missing", n) % {"n": n}
        out.append(Reason(text, "warn", n * w["faulty_equipment"]))
    if school.valid_contract is None:
        text = _("guard contract expired") if school.current_contract else _("no guard contract")
        out.append(Reason(text, "bad", w["guard_contract"]))
    if school.expired_licence is not None:
        out.append(Reason(_("guard firm's licence expired"), "bad", w["licence_expired"]))
    n = school.pupils or 0
    text = ngettext("%(n)d pupil", "%(n)d pupils", n) % {"n": n}
    out.append(Reason(text, "", n / 1000 * w["per_1000_pupils"]))
    return out


@contextmanager
def _without_jit():
    """PostgreSQL compiles a query to machine code (JIT) when its estimated cost is high, as ranking a whole
    city's schools is; the compiling then takes several times longer than running the query (measured: 0.8 s
    against 60 ms at 10,000 schools). Off for this one transaction only."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def risk_page(*, user, page_number, per_page: int, **filters) -> Page:
    """One page of the ranking, each row with `rank` and `reasons`. Two queries: the count of the schools
    (without any of the reasons) and the page itself, for which PostgreSQL evaluates the reasons shown only
    for the rows it returns, after ordering by the score."""
    paginator = Paginator(risk_ranking(user=user, **filters), per_page)
    paginator.count = _area(user, **filters).count()  # the ranking filters no school out
    page = paginator.get_page(page_number)
    with _without_jit():
        schools = list(page.object_list)
    w = weights()
    for rank, school in enumerate(schools, start=page.start_index()):
        school.rank = rank
        school.reasons = reasons_for(school, w)
        school.score_shown = round(school.risk_score)
    page.object_list = schools
    return page


def top_school_ids(*, user, n: int, **filters) -> list[int]:
    """The ids of the first `n` schools of the ranking, in order."""
    return list(risk_ranking(user=user, with_reasons=False, **filters).values_list("pk", flat=True)[:n])
