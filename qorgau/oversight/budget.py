"""Budget needs: the open order items that take money (equipment to buy or repair), by school and district.

The education department plans the money; it needs to know which schools must buy what, by when, and how
much is already overdue. The rows come from issued orders only (a draft is not yet a demand), and only items
still open or reported (a reported fix may still be rejected).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from django.core.paginator import Page
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.scoping import scope_for, visible
from qorgau.checklists.models import FixKind
from qorgau.core.paging import id_page
from qorgau.orders.models import OrderItem, open_issued
from qorgau.registry.models import District, School

# The deadline window filter: key -> label. A window counts from today and includes what is overdue.
WINDOWS = {
    "overdue": _("Overdue"),
    "30": _("Due within 30 days"),
    "90": _("Due within 90 days"),
    "365": _("Due within a year"),
}


def _needs(prefix: str = "", *, district_id: int | None = None, window: str = "") -> Q:
    """Which items are budget needs, on OrderItem or through a relation (`prefix`, e.g. "order_items__")."""
    q = open_issued(prefix) & Q(**{f"{prefix}fix_kind": FixKind.EQUIPMENT})
    if district_id:
        q &= Q(**{f"{prefix}district_id": district_id})
    today = timezone.localdate()
    if window == "overdue":
        q &= Q(**{f"{prefix}deadline__lt": today})
    elif window.isdigit():
        q &= Q(**{f"{prefix}deadline__lte": today + dt.timedelta(days=int(window))})
    return q


def budget_items(*, user, district_id: int | None = None, window: str = "") -> QuerySet[OrderItem]:
    """Open equipment items of issued orders in the user's area."""
    return visible(user, OrderItem).filter(_needs(district_id=district_id, window=window))


def budget_schools(*, user, district_id: int | None = None, window: str = "") -> QuerySet[School]:
    """The schools with items in the window, by district and name."""
    items = budget_items(user=user, district_id=district_id, window=window)
    return (
        visible(user, School)
        .filter(pk__in=items.values("school_id"))
        .select_related("district")
        .order_by("district__name_ru", "name_ru", "id")
    )


def _item_rows(items: QuerySet[OrderItem]) -> QuerySet[OrderItem]:
    return items.select_related("order__district", "order__school__district").order_by(
        "order__school__district__name_ru", "order__school__name_ru", "order__school_id", "deadline", "id"
    )


def budget_page(*, user, page_number, per_page: int, district_id=None, window: str = "") -> Page:
    """One page of schools, each with its `items` (what to buy or repair, by deadline), `items_count`,
    `overdue_count` and `earliest_deadline`: counted from the items the page reads anyway."""
    schools = budget_schools(user=user, district_id=district_id, window=window)
    page = id_page(schools, page_number, per_page)
    page.object_list = with_items(
        user=user, schools=list(page.object_list), district_id=district_id, window=window
    )
    return page


def with_items(*, user, schools: list[School], district_id=None, window: str = "") -> list[School]:
    """The schools (a page of `budget_schools`, for the page and the API alike), each with its `items`,
    `items_count`, `overdue_count` and `earliest_deadline`, as `budget_page` describes them."""
    by_school: dict[int, list[OrderItem]] = {school.pk: [] for school in schools}
    items = budget_items(user=user, district_id=district_id, window=window)
    today = timezone.localdate()
    # The row is the school: its items need only their order's number (district code) beside them.
    page_items = items.filter(school_id__in=list(by_school)).select_related("order__district")
    for item in page_items.order_by("school_id", "deadline", "id"):
        item.is_late = item.deadline < today
        by_school[item.school_id].append(item)
    for school in schools:
        school.items = by_school[school.pk]
        school.items_count = len(school.items)
        school.overdue_count = sum(1 for item in school.items if item.is_late)
        school.earliest_deadline = school.items[0].deadline if school.items else None  # items go by deadline
    return schools


@dataclass
class DistrictTotal:
    district_id: int | None
    names: dict[str, str]
    schools: int
    items: int
    overdue: int
    earliest_deadline: dt.date | None

    @property
    def name(self) -> str:
        lang = (get_language() or "ru")[:2]
        return self.names.get(lang) or self.names["ru"]


def district_totals(*, user, district_id=None, window: str = "") -> tuple[list[DistrictTotal], DistrictTotal]:
    """Per district: schools, items, overdue items and the earliest deadline; and the total of them."""
    today = timezone.localdate()
    # Read from the districts (a handful) into their items: each district's needs are then one range of the
    # (status, fix kind, district, …) index. Grouping the items instead made SQLite walk the district index
    # for its order and read every open item's row.
    # The districts the user sees bound the items: right for the readers of budget needs (the city and a
    # district office, `policy.can_see_budget_needs`). A user scoped to a school or a firm sees a district,
    # not all its items, so the totals are not theirs to read.
    if scope_for(user).level not in ("city", "district"):
        return [], DistrictTotal(None, {"ru": str(_("Total"))}, 0, 0, 0, None)
    item = "order_items"
    rows = (
        visible(user, District)
        .filter(_needs(f"{item}__", district_id=district_id, window=window))
        .values("pk", "name_ru", "name_kk", "name_en")
        .annotate(
            schools=Count(f"{item}__school_id", distinct=True),
            # Counted by a column the index holds (never empty), so PostgreSQL reads the index alone.
            items=Count(f"{item}__school_id"),
            overdue=Count(f"{item}__school_id", filter=Q(**{f"{item}__deadline__lt": today})),
            earliest=Min(f"{item}__deadline"),
        )
        .order_by("name_ru", "pk")
    )
    districts = [
        DistrictTotal(
            district_id=row["pk"],
            names={"ru": row["name_ru"], "kk": row["name_kk"], "en": row["name_en"]},
            schools=row["schools"],
            items=row["items"],
            overdue=row["overdue"],
            earliest_deadline=row["earliest"],
        )
        for row in rows
    ]
    total = DistrictTotal(
        district_id=None,
        names={"ru": str(_("Total"))},
        schools=sum(d.schools for d in districts),
        items=sum(d.items for d in districts),
        overdue=sum(d.overdue for d in districts),
        earliest_deadline=min((d.earliest_deadline for d in districts if d.earliest_deadline), default=None),
    )
    return districts, total


def describe(item: OrderItem) -> str:
    """One item as a budget planner reads it: what to do, by when, under which order."""
    return f"{item.remedy} ({item.deadline:%d.%m.%Y}, {item.order.number} · {item.position})"


@dataclass
class SchoolNeeds:
    """A school's row of the export, made from its items."""

    school: School
    items: list[OrderItem]
    overdue_count: int

    @property
    def items_count(self) -> int:
        return len(self.items)

    @property
    def earliest_deadline(self) -> dt.date:
        return min(item.deadline for item in self.items)

    @property
    def descriptions(self) -> str:
        return "\n".join(f"{n}. {describe(item)}" for n, item in enumerate(self.items, start=1))


def school_needs(*, user, district_id=None, window: str = "") -> Iterator[SchoolNeeds]:
    """The export's rows, one per school, in the page's order. One streamed query over the items, grouped
    by school as they come, so a city's worth of items is never held in memory at once."""
    today = timezone.localdate()
    items = _item_rows(budget_items(user=user, district_id=district_id, window=window))
    for _school_id, group in groupby(items.iterator(chunk_size=2000), key=lambda item: item.order.school_id):
        school_items = list(group)
        overdue = sum(1 for item in school_items if item.deadline < today)
        yield SchoolNeeds(school=school_items[0].order.school, items=school_items, overdue_count=overdue)


def item_rows(*, user, district_id=None, window: str = "") -> Iterator[OrderItem]:
    """The export's rows, one per item, in the page's order."""
    return _item_rows(budget_items(user=user, district_id=district_id, window=window)).iterator(
        chunk_size=2000
    )
