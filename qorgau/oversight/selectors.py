"""Reads behind the dashboards and the lists their numbers open.

One place decides what a dashboard number counts: the filters (`parse_filters`, used by the dashboards, the
order-item list, the school list and the inspection list alike) and the base querysets (`schools`, `scores`,
`inspected_condition`, `approved_inspections`, `items`, `items_in_state`). The dashboard aggregates those
querysets; each list filters the same ones. A number and the list behind it therefore cannot drift apart.

What a number counts:
- schools: the schools in scope (district, size tier); the period does not apply;
- inspected: schools with an approved inspection (an `InspectionScore`) approved in the period;
- compliance of a category: passed checks / (passed + failed) over the inspections approved in the period;
- items of issued orders, withdrawn ones left out, by state:
  "issued" — the order was issued in the period; "open" — open or reported now, of orders issued up to the
  end of the period; "overdue" — open items past their deadline (the deadline job has marked them);
  "done" — fixed (verified) in the period; "missed" — became overdue in the period, whatever their state now;
- days to fix: done_at − the order's issued_at, over the items fixed in the period;
- equipment: the current inventory of the schools in scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django import forms
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.scoping import scope_for, visible
from qorgau.inspections.models import Campaign, Inspection
from qorgau.orders.models import OPEN_STATUSES, OrderItem
from qorgau.oversight.models import CATEGORIES, CATEGORY_CODES, InspectionScore, fail_field, pass_field
from qorgau.registry.models import (
    Camera,
    District,
    EquipmentStatus,
    PanicButton,
    School,
    SizeTier,
)
from qorgau.registry.selectors import EQUIPMENT_LINKS, missing_condition

STATES = (
    ("issued", _("Issued in the period")),
    ("open", _("Open now")),
    ("overdue", _("Overdue now")),
    ("done", _("Fixed in the period")),
    ("missed", _("Deadline missed in the period")),
)
STATE_CODES = tuple(code for code, _label in STATES)


def school_year(today: dt.date) -> tuple[dt.date, dt.date]:
    """The school year around `today`: 1 September to 31 August."""
    first = today.year if today.month >= 9 else today.year - 1
    return dt.date(first, 9, 1), dt.date(first + 1, 8, 31)


# Filters ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    start: dt.date  # first day of the period
    end: dt.date  # last day of the period, included
    campaign_id: int | None = None
    district_id: int | None = None
    tier: str = ""
    category: str = ""
    state: str = ""
    explicit_period: bool = False

    @property
    def start_at(self) -> dt.datetime:
        """The period's first moment in local time (Asia/Almaty), as stored times are compared."""
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_before(self) -> dt.datetime:
        """The first moment after the period."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    def params(self, **changes) -> dict[str, str]:
        """The query parameters that give these filters back (with some changed), for links."""
        f = replace(self, **changes) if changes else self
        out = {"from": f.start.isoformat(), "to": f.end.isoformat()}
        for key, value in (
            ("campaign", f.campaign_id),
            ("district", f.district_id),
            ("tier", f.tier),
            ("category", f.category),
            ("state", f.state),
        ):
            if value:
                out[key] = str(value)
        return out

    def query(self, **changes) -> str:
        return urlencode(self.params(**changes))


class FilterForm(forms.Form):
    """The filters of the dashboards and of every list their numbers open. A district office's users have no
    district field: their district is their scope, and a `?district=` they send is ignored."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none(), required=False)
    tier = forms.ChoiceField(label=_("Size tier"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    state = forms.ChoiceField(label=_("Items"), required=False)

    # The query parameters of the period are "from" and "to" (a Python keyword cannot name a field).
    PARAMS = {"date_from": "from", "date_to": "to"}

    def __init__(self, params=None, *, user, **kwargs):
        super().__init__(params or {}, **kwargs)
        self.fields["campaign"].queryset = visible(user, Campaign).order_by("-starts_on", "id")
        self.fields["campaign"].empty_label = _("Any campaign")
        if scope_for(user).level == "city":
            self.fields["district"].queryset = visible(user, District).order_by("name_ru", "id")
            self.fields["district"].empty_label = _("All districts")
        else:
            del self.fields["district"]
        self.fields["tier"].choices = [("", _("All tiers")), *SizeTier.choices]
        self.fields["category"].choices = [("", _("All categories")), *CATEGORIES]
        self.fields["state"].choices = [("", _("Any state")), *STATES]

    def add_prefix(self, field_name):
        # The inputs are named as the query parameters, so that links and the form agree.
        return self.PARAMS.get(field_name, field_name)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        for name, day in (("date_from", start), ("date_to", end)):
            if day and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(name, _("Give a date from %(first)s to %(last)s.") % {
                    "first": f"{FIRST_DAY:%d.%m.%Y}", "last": f"{LAST_DAY:%d.%m.%Y}"})  # fmt: skip
        if self.has_error("date_from") or self.has_error("date_to"):
            return data
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        elif start or end:
            first, last = period(start, end, timezone.localdate())
            if (last.year - first.year) * 12 + last.month - first.month >= MAX_PERIOD_YEARS * 12:
                message = _("The period can be at most %(years)d years.") % {"years": MAX_PERIOD_YEARS}
                self.add_error("date_to" if end else "date_from", message)
        return data


# The trend counts every month of the period in a column of its own: the period is kept to this century and
# to ten years, so that no query has thousands of columns (and none ends on the calendar's last day).
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
MAX_PERIOD_YEARS = 10


def period(start: dt.date | None, end: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period from the dates given (either may be missing): by default the current school year; from a
    start, up to the end of the current school year at least; up to an end, from the school year it is in."""
    default_start, default_end = school_year(today)
    return (
        start or (default_start if not end else dt.date(end.year - (end.month < 9), 9, 1)),
        end or (default_end if not start else max(default_end, start)),
    )


def parse_filters(*, user, params) -> tuple[Filters, FilterForm]:
    """The filters from a request's query string; a bad value is reported on its field and left out."""
    form = FilterForm(params, user=user)
    form.is_valid()
    data = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
    start, end = data.get("date_from"), data.get("date_to")
    if "date_to" in form.errors or "date_from" in form.errors:
        start = end = None
    first, last = period(start, end, timezone.localdate())
    filters = Filters(
        start=first,
        end=last,
        campaign_id=data["campaign"].pk if data.get("campaign") else None,
        district_id=data["district"].pk if data.get("district") else None,
        tier=data.get("tier") or "",
        category=data.get("category") or "",
        state=data.get("state") or "",
        explicit_period=bool(start or end),
    )
    return filters, form


# Base querysets --------------------------------------------------------------------------------------------


def schools(*, user, filters: Filters) -> QuerySet[School]:
    qs = visible(user, School)
    if filters.district_id:
        qs = qs.filter(district_id=filters.district_id)
    if filters.tier:
        qs = qs.filter(size_tier=filters.tier)
    return qs


def _score_conditions(filters: Filters, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}approved_at__gte": filters.start_at, f"{prefix}approved_at__lt": filters.end_before})
    if filters.campaign_id:
        q &= Q(**{f"{prefix}campaign_id": filters.campaign_id})
    return q


def inspected_condition(filters: Filters) -> Exists:
    """On School: the school has an inspection approved in the period (of the campaign, if one is chosen)."""
    return Exists(InspectionScore.objects.filter(_score_conditions(filters), school=OuterRef("pk")))


def scores(*, user, filters: Filters) -> QuerySet[InspectionScore]:
    qs = visible(user, InspectionScore).filter(_score_conditions(filters))
    if filters.district_id:
        qs = qs.filter(school__district_id=filters.district_id)
    if filters.tier:
        qs = qs.filter(school__size_tier=filters.tier)
    return qs


def approved_inspections(qs: QuerySet[Inspection], filters: Filters) -> QuerySet[Inspection]:
    """The inspection list narrowed to what a dashboard counts: inspections with a score in the period."""
    qs = qs.filter(_score_conditions(filters, "score__"))
    if filters.district_id:
        qs = qs.filter(school__district_id=filters.district_id)
    if filters.tier:
        qs = qs.filter(school__size_tier=filters.tier)
    return qs


def items(*, user, filters: Filters) -> QuerySet[OrderItem]:
    """Items of issued orders in scope, withdrawn ones left out; the period is applied by `items_in_state`."""
    # An item's own copies of its order's issue time and district: no join with the orders.
    qs = visible(user, OrderItem).filter(issued_at__isnull=False).exclude(status=OrderItem.Status.WITHDRAWN)
    if filters.district_id:
        qs = qs.filter(district_id=filters.district_id)
    if filters.tier:
        qs = qs.filter(order__school__size_tier=filters.tier)
    if filters.campaign_id:
        qs = qs.filter(order__inspection__campaign_id=filters.campaign_id)
    if filters.category:
        qs = qs.filter(category=filters.category)
    return qs


def state_condition(state: str, filters: Filters) -> Q:
    """Which items a state counts (see the module's docstring); "" counts the items issued in the period."""
    # Issued before the end of the period: every issued order is, when the period runs to today or later.
    issued_before_end = Q(issued_at__lt=filters.end_before) if filters.end < timezone.localdate() else Q()
    if state == "open":
        return Q(status__in=OPEN_STATUSES) & issued_before_end
    if state == "overdue":
        return Q(status__in=OPEN_STATUSES, overdue_since__isnull=False) & issued_before_end
    if state == "done":
        return Q(status=OrderItem.Status.DONE, done_at__gte=filters.start_at, done_at__lt=filters.end_before)
    if state == "missed":
        return Q(overdue_since__gte=filters.start, overdue_since__lte=filters.end)
    return Q(issued_at__gte=filters.start_at) & issued_before_end


def items_in_state(*, user, filters: Filters) -> QuerySet[OrderItem]:
    return items(user=user, filters=filters).filter(state_condition(filters.state, filters))


# Each state's list in the order that reads its index: the longest overdue first, the latest fixed first.
LIST_ORDER = {
    "open": ("deadline", "id"),
    "overdue": ("overdue_since", "id"),
    "done": ("-done_at", "-id"),
    "missed": ("overdue_since", "id"),
}


def item_list(*, user, filters: Filters) -> QuerySet[OrderItem]:
    """The order-item list: the items a dashboard number counts, with what a row shows."""
    return (
        items_in_state(user=user, filters=filters)
        .select_related("order__school", "order__district", "finding__item__section")
        .order_by(*LIST_ORDER.get(filters.state, ("-issued_at", "-id")))
    )


# The dashboard ----------------------------------------------------------------------------------------------

FIX_TIME = ExpressionWrapper(F("done_at") - F("issued_at"), output_field=DurationField())


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Row:
    """One district's figures (or the whole scope's, as the total row)."""

    district_id: int | None
    name: str
    schools: int = 0
    inspected: int = 0
    inspections: int = 0
    passed: int = 0
    failed: int = 0
    issued: int = 0
    open: int = 0
    overdue: int = 0
    done: int = 0
    missed: int = 0
    fix_time: dt.timedelta = field(default_factory=dt.timedelta)

    @property
    def inspected_pct(self) -> float | None:
        return _pct(self.inspected, self.schools)

    @property
    def compliance(self) -> float | None:
        return _pct(self.passed, self.passed + self.failed)

    @property
    def days_to_fix(self) -> float | None:
        if not self.done:
            return None
        return round(self.fix_time.total_seconds() / 86400 / self.done, 1)

    def add(self, other: Row) -> None:
        for name in ("schools", "inspected", "inspections", "passed", "failed", "issued", "open", "overdue",
                     "done", "missed"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.fix_time += other.fix_time


@dataclass
class CategoryRow:
    code: str
    label: str
    passed: int = 0
    failed: int = 0
    open: int = 0
    overdue: int = 0
    done: int = 0

    @property
    def compliance(self) -> float | None:
        return _pct(self.passed, self.passed + self.failed)


@dataclass
class Month:
    start: dt.date
    end: dt.date
    issued: int = 0
    done: int = 0
    missed: int = 0


SORT_KEYS = {
    "name": lambda r: r.name,
    "schools": lambda r: r.schools,
    "inspected": lambda r: r.inspected_pct if r.inspected_pct is not None else -1,
    "compliance": lambda r: r.compliance if r.compliance is not None else -1,
    "open": lambda r: r.open,
    "overdue": lambda r: r.overdue,
    "done": lambda r: r.done,
    "days": lambda r: r.days_to_fix if r.days_to_fix is not None else -1,
}


def _months(filters: Filters, today: dt.date) -> list[Month]:
    last = min(filters.end, max(today, filters.start))
    months, cursor = [], filters.start.replace(day=1)
    while cursor <= last:
        following = (cursor + dt.timedelta(days=32)).replace(day=1)
        months.append(Month(start=max(cursor, filters.start), end=min(following - dt.timedelta(days=1),
                                                                     filters.end)))  # fmt: skip
        cursor = following
    return months


def _month_condition(stamp: str, month: Month) -> Q:
    """Whether a date or time field falls in a month of the trend (local time for times)."""
    if stamp == "overdue_since":
        return Q(overdue_since__gte=month.start, overdue_since__lte=month.end)
    start = timezone.make_aware(dt.datetime.combine(month.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(month.end + dt.timedelta(days=1), dt.time.min))
    return Q(**{f"{stamp}__gte": start, f"{stamp}__lt": end})


def dashboard(*, user, filters: Filters, sort: str = "name") -> dict:
    """Every figure of the dashboard, aggregated in the database in a fixed number of queries.

    Returns a dict: `scope` ("city" or "district"), `total` (a Row over the scope), `rows` (a Row per
    district, sorted by `sort`, "-" first for descending), `categories` (CategoryRow per category), `months`
    (the trend), `equipment` and `filters`.
    """
    scope = scope_for(user)
    districts = visible(user, District).order_by("name_ru", "id")
    if filters.district_id:
        districts = districts.filter(pk=filters.district_id)
    rows = {d.pk: Row(d.pk, d.name) for d in districts}

    # Schools per district, and how many of them have no connected panic button or camera.
    today = timezone.localdate()
    school_counts = (
        schools(user=user, filters=filters)
        .order_by()
        .values("district_id")
        .annotate(
            n=Count("pk"),
            panic_unlinked=Count("pk", filter=missing_condition("panic_unlinked", today)),
            cameras_missing=Count("pk", filter=missing_condition("cameras", today)),
            cameras_unlinked=Count("pk", filter=missing_condition("cameras_unlinked", today)),
        )
    )
    without = {"panic_unlinked": 0, "cameras": 0, "cameras_unlinked": 0}
    for r in school_counts:
        if r["district_id"] in rows:
            rows[r["district_id"]].schools = r["n"]
        without["panic_unlinked"] += r["panic_unlinked"]
        without["cameras"] += r["cameras_missing"]
        without["cameras_unlinked"] += r["cameras_unlinked"]

    # Inspections approved in the period, inspected schools and checks per category, per district.
    sums = {}
    for code in CATEGORY_CODES:
        sums[pass_field(code)] = Sum(pass_field(code))
        sums[fail_field(code)] = Sum(fail_field(code))
    # Only the rows' districts are read: a score is counted under its school's district, and a district office
    # then joins its own schools only, not the city's.
    score_rows = (
        scores(user=user, filters=filters)
        .filter(school__district_id__in=list(rows))
        .order_by()
        .values("school__district_id")
        .annotate(n=Count("pk"), schools_n=Count("school_id", distinct=True), **sums)
    )
    categories = {code: CategoryRow(code, str(label)) for code, label in CATEGORIES}
    for r in score_rows:
        row = rows.get(r["school__district_id"])
        if row is None:
            continue
        row.inspections, row.inspected = r["n"], r["schools_n"]
        for code in CATEGORY_CODES:
            passed, failed = r[pass_field(code)] or 0, r[fail_field(code)] or 0
            row.passed += passed
            row.failed += failed
            categories[code].passed += passed
            categories[code].failed += failed

    # Order items: one query per state, each reading only its state's rows through an index, grouped by the
    # items' own district and category columns. The periodic states count per month of the trend in the same
    # pass, by comparisons only.
    months = _months(filters, today)
    base = items(user=user, filters=filters).order_by()
    keys = ("district_id", "category")
    now_rows = list(
        base.filter(state_condition("open", filters))
        .values(*keys)
        .annotate(open=Count("pk"), overdue=Count("pk", filter=state_condition("overdue", filters)))
    )
    periodic = {}
    for state, stamp in (("issued", "issued_at"), ("done", "done_at"), ("missed", "overdue_since")):
        per_month = {f"m{n}": Count("pk", filter=_month_condition(stamp, m)) for n, m in enumerate(months)}
        extra = {"fix_time": Sum(FIX_TIME)} if state == "done" else {}
        periodic[state] = list(
            base.filter(state_condition(state, filters))
            .values(*keys)
            .annotate(n=Count("pk"), **per_month, **extra)
        )
    for r in now_rows:
        row = rows.get(r["district_id"])
        category = categories.get(r["category"])
        for target in (row, category):
            if target is not None:
                target.open += r["open"]
                target.overdue += r["overdue"]
    for state, state_rows in periodic.items():
        for r in state_rows:
            row = rows.get(r["district_id"])
            if row is None:
                continue
            setattr(row, state, getattr(row, state) + r["n"])
            for n, month in enumerate(months):
                setattr(month, state, getattr(month, state) + r[f"m{n}"])
            if state == "done":
                row.fix_time += r["fix_time"] or dt.timedelta()
                category = categories.get(r["category"])
                if category is not None:
                    category.done += r["n"]

    # Equipment of the schools in scope, as it is on record now.
    in_scope = {}
    if filters.district_id:
        in_scope["school__district_id"] = filters.district_id
    if filters.tier:
        in_scope["school__size_tier"] = filters.tier
    # Devices are counted by their school column (never empty): the database then answers from the
    # (school, status, …) indexes alone, without reading the devices' rows.
    # "Connected" and "linked" are the equipment list's conditions, so that each figure opens its own list.
    working = Q(status=EquipmentStatus.WORKING)
    panic = (
        visible(user, PanicButton)
        .filter(**in_scope)
        .aggregate(
            total=Count("school_id"),
            connected=Count("school_id", filter=EQUIPMENT_LINKS[PanicButton].condition),
        )
    )
    cameras = (
        visible(user, Camera)
        .filter(**in_scope)
        .aggregate(
            total=Count("school_id"),
            working=Count("school_id", filter=working),
            linked=Count("school_id", filter=EQUIPMENT_LINKS[Camera].condition),
        )
    )

    total = Row(filters.district_id, "")
    for row in rows.values():
        total.add(row)
    key = sort.lstrip("-")
    ordered = sorted(rows.values(), key=SORT_KEYS.get(key, SORT_KEYS["name"]), reverse=sort.startswith("-"))
    return {
        "scope": scope.level,
        "filters": filters,
        "total": total,
        "rows": ordered,
        "sort": sort if key in SORT_KEYS else "name",
        "categories": list(categories.values()),
        "months": months,
        "equipment": {
            "panic_total": panic["total"],
            "panic_connected": panic["connected"],
            "cameras_total": cameras["total"],
            "cameras_working": cameras["working"],
            "cameras_linked": cameras["linked"],
            "schools_without_connected_panic": without["panic_unlinked"],
            "schools_without_working_camera": without["cameras"],
            "schools_without_linked_camera": without["cameras_unlinked"],
        },
    }
