"""Oversight API: the dashboards and the lists behind their numbers, what to inspect next, budget needs.

Each endpoint reads through the same selectors and the same filter forms as its page, so a figure here is the
figure the page shows for the same user and the same query string. The role is checked first, as the pages
check it (403 before anything is looked up). A district or campaign named in the query that the caller cannot
see is answered 404, the same answer as an id of nothing.

One difference from the dashboard page: the page quietly ignores a `?district=` a district office sends (its
district is its scope) and shows a bad filter above the figures. An API client gets no such hint, so here a
district the caller does not see is 404 and any other bad filter is 422, naming the query parameter.
"""

# No `from __future__ import annotations`: ninja reads the annotations at runtime.
import datetime as dt
from typing import Literal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as InputError
from ninja.pagination import LimitOffsetPagination

from qorgau.accounts import policy
from qorgau.accounts.api import Message
from qorgau.accounts.scoping import get_visible_or_404, visible
from qorgau.core.api_schema import MAX_PAGE, STRICT, choice
from qorgau.core.errors import NotAllowed
from qorgau.inspections import selectors as inspection_selectors
from qorgau.inspections.api import CampaignOut, SchoolRefOut
from qorgau.inspections.models import Inspection
from qorgau.orders.models import OrderItem
from qorgau.oversight import budget, risk, selectors, services
from qorgau.oversight.forms import BudgetFilterForm, PlanForm, RiskFilterForm
from qorgau.oversight.models import CATEGORY_CODES
from qorgau.registry.api import DistrictRefOut
from qorgau.registry.models import District, School, SizeTier

router = Router(tags=["oversight"])

SORTS = tuple(f"{order}{key}" for key in selectors.SORT_KEYS for order in ("", "-"))
# The period's limits are the page's (selectors.FilterForm); the schema states the days' range too.
FIRST_DAY, LAST_DAY = selectors.FIRST_DAY, selectors.LAST_DAY

# Besides the answers every operation documents (qorgau/api.py): refused by role before anything is looked up,
# and a district or campaign of the query that the caller does not see.
REFUSED_OR_NOT_FOUND = {403: Message, 404: Message}


# Schemas: input --------------------------------------------------------------------------------------------


class DashboardFilters(Schema):
    """The dashboard page's query string."""

    date_from: dt.date | None = Field(
        None, alias="from", ge=FIRST_DAY, le=LAST_DAY, description="First day of the period."
    )
    date_to: dt.date | None = Field(
        None,
        alias="to",
        ge=FIRST_DAY,
        le=LAST_DAY,
        description="Last day of the period. Without either day: the current school year (1 September to "
        "31 August).",
    )
    campaign: int | None = Field(None, description="Only inspections and items of this campaign.")
    district: int | None = Field(
        None, description="Only this district; a district office may name its own district only."
    )
    tier: choice(SizeTier) | None = Field(None, description="Only schools of this size tier.")


class DashboardQuery(DashboardFilters):
    sort: Literal[SORTS] = Field("name", description="Order of the districts; '-' first for descending.")  # type: ignore[valid-type]


class ItemFilters(DashboardFilters):
    """The query string of the list behind a dashboard number."""

    category: Literal[CATEGORY_CODES] | None = Field(None, description="Checklist category (section code).")  # type: ignore[valid-type]
    state: Literal[selectors.STATE_CODES] | None = Field(  # type: ignore[valid-type]
        None,
        description="issued (default): issued in the period; open, overdue: now; done: fixed in the period; "
        "missed: fell overdue in the period.",
    )


class RiskFilters(Schema):
    district: int | None = None
    tier: choice(SizeTier) | None = None


class BudgetFilters(Schema):
    district: int | None = None
    window: Literal[tuple(budget.WINDOWS)] | None = Field(  # type: ignore[valid-type]
        None, description="overdue: past their deadline; 30, 90, 365: due within so many days (overdue too)."
    )


# The same limit and offset as every list endpoint of the API (ninja's LimitOffsetPagination).
Paging = LimitOffsetPagination.Input


class PlanIn(Schema):
    model_config = STRICT
    n: int = Field(description="How many schools, from the top of the ranking as it is filtered.")
    name: str
    starts_on: dt.date
    ends_on: dt.date
    inspector_id: int | None = Field(None, description="An inspector of the district; none: assign later.")


# Schemas: output -------------------------------------------------------------------------------------------


class FiltersOut(Schema):
    """The filters the figures are for, defaults filled in."""

    start: dt.date = Field(description="First day of the period.")
    end: dt.date = Field(description="Last day of the period.")
    campaign_id: int | None
    district_id: int | None
    tier: str


class FiguresOut(Schema):
    schools: int = Field(description="Schools in scope (the period does not apply).")
    inspected: int = Field(description="Schools with an inspection approved in the period.")
    inspected_pct: float | None
    inspections: int = Field(description="Inspections approved in the period.")
    passed: int = Field(description="Checks passed, over the inspections approved in the period.")
    failed: int
    compliance: float | None = Field(description="passed / (passed + failed), in per cent.")
    issued: int = Field(description="Order items issued in the period.")
    open: int = Field(description="Items open now (of orders issued up to the end of the period).")
    overdue: int = Field(description="Of those, past their deadline.")
    done: int = Field(description="Items fixed in the period.")
    missed: int = Field(description="Items that fell overdue in the period.")
    days_to_fix: float | None = Field(description="Average days from the order's issue to the fix.")


class DistrictFiguresOut(FiguresOut):
    district_id: int
    name: str


class CategoryOut(Schema):
    code: str
    label: str
    passed: int
    failed: int
    compliance: float | None
    open: int
    overdue: int
    done: int


class MonthOut(Schema):
    start: dt.date
    end: dt.date
    issued: int
    done: int
    missed: int


class EquipmentOut(Schema):
    panic_total: int
    panic_connected: int
    cameras_total: int
    cameras_working: int
    cameras_linked: int
    schools_without_connected_panic: int
    schools_without_working_camera: int
    schools_without_linked_camera: int


class DashboardOut(Schema):
    scope: str = Field(description='"city" or "district".')
    filters: FiltersOut
    total: FiguresOut
    districts: list[DistrictFiguresOut] = Field(..., alias="rows")
    sort: str
    categories: list[CategoryOut]
    months: list[MonthOut] = Field(description="The trend: items issued, fixed and missed per month.")
    equipment: EquipmentOut = Field(description="The current inventory of the schools in scope.")


class DashboardItemOut(Schema):
    id: int
    order_id: int
    order_number: str
    school: SchoolRefOut
    district: DistrictRefOut
    position: int
    category: str
    found: str
    severity: str
    status: choice(OrderItem.Status)
    issued_at: dt.datetime
    deadline: dt.date
    overdue_since: dt.date | None
    done_at: dt.datetime | None

    @staticmethod
    def resolve_order_number(item: OrderItem) -> str:
        return item.order.number

    @staticmethod
    def resolve_school(item: OrderItem) -> School:
        return item.order.school

    @staticmethod
    def resolve_district(item: OrderItem) -> District:
        return item.order.district


class ItemPageOut(Schema):
    count: int
    items: list[DashboardItemOut]


class ReasonOut(Schema):
    text: str
    level: str = Field(description='"bad", "warn", or "" for information.')
    points: float


class InspectionInHandOut(Schema):
    id: int
    status: choice(Inspection.Status)
    planned_on: dt.date | None


class RankedSchoolOut(Schema):
    rank: int
    id: int
    name: str
    bin: str
    district: DistrictRefOut
    size_tier: str
    pupils: int | None
    score: float = Field(..., alias="risk_score")
    reasons: list[ReasonOut]
    overdue_items: int
    gross_last: int = Field(description="Gross findings at the last approved inspection.")
    days_since: int | None = Field(description="Days since the last approved inspection; null: never.")
    faulty_equipment: int
    has_panic_button: bool
    has_camera: bool
    valid_contract: bool
    expired_licence: bool
    in_hand: InspectionInHandOut | None = Field(
        description="An inspection already planned or under way (a plan from the ranking skips the school)."
    )

    # Comparisons with a date the school has none of (no contract, no licence) are NULL: not so.
    @staticmethod
    def resolve_valid_contract(school: School) -> bool:
        return bool(school.valid_contract)

    @staticmethod
    def resolve_expired_licence(school: School) -> bool:
        return bool(school.expired_licence)


class RiskPageOut(Schema):
    count: int
    facts_as_of: dt.datetime | None = Field(
        description="When the oldest of the ranked schools' facts were gathered."
    )
    items: list[RankedSchoolOut]


class PlanOut(Schema):
    campaign: CampaignOut
    school_ids: list[int] = Field(description="The planned schools, riskiest first.")


class BudgetItemOut(Schema):
    id: int
    order_id: int
    order_number: str
    position: int
    remedy: str
    found: str
    severity: str
    status: choice(OrderItem.Status)
    deadline: dt.date
    overdue: bool = Field(..., alias="is_late", description="Past its deadline.")

    @staticmethod
    def resolve_order_number(item: OrderItem) -> str:
        return item.order.number


class BudgetSchoolOut(Schema):
    id: int
    name: str
    bin: str
    address: str
    pupils: int | None
    district: DistrictRefOut
    items_count: int
    overdue_count: int
    earliest_deadline: dt.date | None
    items: list[BudgetItemOut] = Field(description="What to buy or repair, by deadline.")


class BudgetTotalOut(Schema):
    schools: int
    items: int
    overdue: int
    earliest_deadline: dt.date | None


class BudgetDistrictOut(BudgetTotalOut):
    district_id: int
    name: str


class BudgetOut(Schema):
    count: int = Field(description="Schools with needs under these filters.")
    items: list[BudgetSchoolOut]
    districts: list[BudgetDistrictOut]
    total: BudgetTotalOut


# Filters ----------------------------------------------------------------------------------------------------


def _query(**values) -> dict[str, str]:
    """Query parameters as the pages' forms read them: the ones given, as text."""
    return {key: str(value) for key, value in values.items() if value is not None}


def _bad_query(errors: dict[str, list[str]]):
    return InputError(
        [{"loc": ("query", field), "msg": msg} for field, msgs in errors.items() for msg in msgs]
    )


def _dashboard_filters(request: HttpRequest, query: DashboardFilters, **extra) -> selectors.Filters:
    """The page's filters from the API's query (see the module's docstring for the one difference)."""
    user = request.user
    if not policy.can_see_dashboard(user):
        raise NotAllowed(_("You may not see the dashboards."))
    if query.district is not None and not visible(user, District).filter(pk=query.district).exists():
        raise Http404
    params = _query(
        **{"from": query.date_from, "to": query.date_to},
        campaign=query.campaign, district=query.district, tier=query.tier, **extra,
    )  # fmt: skip
    filters, form = selectors.parse_filters(user=user, params=params)
    if "campaign" in form.errors or "district" in form.errors:
        raise Http404
    if form.errors:
        raise _bad_query({form.add_prefix(name): list(errors) for name, errors in form.errors.items()})
    return filters


def _risk_filters(query: RiskFilters, user) -> dict:
    form = RiskFilterForm(_query(district=query.district, tier=query.tier) or None, user=user)
    return form.filters()  # a district the user does not see: 404


def _page(qs, paging: Paging) -> tuple[int, list]:
    limit = min(paging.limit, MAX_PAGE)
    return qs.count(), list(qs[paging.offset : paging.offset + limit])


# Dashboard --------------------------------------------------------------------------------------------------


@router.get("/dashboard", response={200: DashboardOut, **REFUSED_OR_NOT_FOUND})
def dashboard(request: HttpRequest, query: Query[DashboardQuery]):
    """The dashboard's figures: the total over the caller's scope, a row per district, compliance and items
    per category, the monthly trend and the equipment on record. The police and the education department."""
    filters = _dashboard_filters(request, query)
    return selectors.dashboard(user=request.user, filters=filters, sort=query.sort)


@router.get("/dashboard/items", response={200: ItemPageOut, **REFUSED_OR_NOT_FOUND})
def dashboard_item_list(request: HttpRequest, query: Query[ItemFilters], paging: Query[Paging]):
    """The order items a dashboard number counts, with the same filters: `count` is that number."""
    filters = _dashboard_filters(request, query, category=query.category, state=query.state)
    count, items = _page(selectors.item_list(user=request.user, filters=filters), paging)
    return {"count": count, "items": items}


# What to inspect next ---------------------------------------------------------------------------------------


@router.get("/planning/next", response={200: RiskPageOut, **REFUSED_OR_NOT_FOUND})
def risk_list(request: HttpRequest, query: Query[RiskFilters], paging: Query[Paging]):
    """Schools ranked by risk, riskiest first, each with its score and the reasons behind it. The police."""
    if not policy.can_see_risk_ranking(request.user):
        raise NotAllowed(_("You may not see the risk ranking."))
    filters = _risk_filters(query, request.user)
    risk.refresh_missing(user=request.user)
    count, schools = _page(risk.risk_ranking(user=request.user, **filters), paging)
    schools = risk.ranked_rows(schools, user=request.user, first_rank=paging.offset + 1)
    return {
        "count": count,
        "facts_as_of": risk.facts_as_of(user=request.user, **filters),
        "items": schools,
    }


# Field names of the plan's form and service, as this API's body names them.
PLAN_FIELDS = {"inspector": "inspector_id", "schools": NON_FIELD_ERRORS}


def _plan_errors(errors: dict) -> ValidationError:
    return ValidationError({PLAN_FIELDS.get(name, name): messages for name, messages in errors.items()})


@router.post("/planning/next/campaign", response={201: PlanOut, 404: Message})
def risk_plan(request: HttpRequest, query: Query[RiskFilters], payload: PlanIn):
    """A campaign over the first `n` schools of the ranking as it is filtered, in one step: a planned
    inspection for each, assigned to `inspector_id` if given. The district chief and the city supervisor."""
    user = request.user
    if not policy.can_plan_from_ranking(user):
        raise NotAllowed(_("You may not create campaigns."))
    filters = _risk_filters(query, user)
    data = _query(
        n=payload.n, name=payload.name, starts_on=payload.starts_on, ends_on=payload.ends_on,
        inspector=payload.inspector_id,
    )  # fmt: skip
    form = PlanForm(data, user=user, district_id=filters.get("district_id"))
    if not form.is_valid():
        raise _plan_errors(form.errors.as_data())
    try:
        campaign, ids = services.plan_from_ranking(actor=user, **form.cleaned_data, **filters)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise _plan_errors(error.error_dict) from None
    overview = inspection_selectors.campaign_overview(user=user)
    return Status(201, {"campaign": get_visible_or_404(user, overview, pk=campaign.pk), "school_ids": ids})


# Budget needs -----------------------------------------------------------------------------------------------


@router.get("/budget", response={200: BudgetOut, **REFUSED_OR_NOT_FOUND})
def budget_list(request: HttpRequest, query: Query[BudgetFilters], paging: Query[Paging]):
    """Open equipment items of issued orders (what must be bought or repaired), school by school, and the
    totals per district. The education department and the city supervisor; a district chief the district."""
    user = request.user
    if not policy.can_see_budget_needs(user):
        raise NotAllowed(_("You may not see the budget needs."))
    form = BudgetFilterForm(_query(district=query.district, window=query.window) or None, user=user)
    filters = form.filters()  # a district the user does not see: 404
    count, schools = _page(budget.budget_schools(user=user, **filters), paging)
    districts, total = budget.district_totals(user=user, **filters)
    return {
        "count": count,
        "items": budget.with_items(user=user, schools=schools, **filters),
        "districts": districts,
        "total": total,
    }
