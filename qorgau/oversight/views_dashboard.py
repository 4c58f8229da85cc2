"""The city and district dashboards and the order-item list behind their numbers.

The dashboard's scope is the user's: the city for the city police and the education department, the district
for a district office (where a `?district=` is ignored). Schools and security firms have no dashboard (403).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from qorgau.accounts import policy
from qorgau.accounts.scoping import scope_for
from qorgau.core.exports import export_response
from qorgau.core.paging import id_page
from qorgau.oversight import charts, selectors


def _filters(request) -> tuple[selectors.Filters, selectors.FilterForm]:
    if not policy.can_see_dashboard(request.user):
        raise PermissionDenied
    return selectors.parse_filters(user=request.user, params=request.GET)


def _trend_series() -> list[charts.Series]:
    return [
        charts.Series("issued", _("Issued"), "issued"),
        charts.Series("done", pgettext("order items", "Fixed"), "done"),
        charts.Series("missed", _("Deadline missed"), "missed"),
    ]


@login_required
@require_GET
def dashboard(request):
    filters, form = _filters(request)
    data = selectors.dashboard(user=request.user, filters=filters, sort=request.GET.get("sort", "name"))
    scope = scope_for(request.user)
    district_name = ""
    if scope.level == "district" and data["rows"]:
        district_name = data["rows"][0].name
    context = {
        **data,
        "form": form,
        "district_name": district_name,
        "show_districts": scope.level == "city" and not filters.district_id,
        "compliance_chart": charts.compliance_chart(data["categories"]),
        "trend_chart": charts.trend_chart(data["months"], _trend_series()),
        "series": _trend_series(),
        "sort_columns": [
            ("name", _("District")),
            ("schools", _("Schools")),
            ("inspected", _("Inspected")),
            ("compliance", _("Compliance")),
            ("open", _("Open")),
            ("overdue", _("Overdue")),
            ("done", pgettext("order items", "Fixed")),
            ("days", _("Days to fix")),
        ],
        "query": request.GET.copy(),
    }
    return render(request, "oversight/dashboard.html", context)


def _district_columns():
    return [
        (_("District"), lambda r: r.name),
        (_("Schools"), lambda r: r.schools),
        (_("Inspected schools"), lambda r: r.inspected),
        (_("Inspected, %"), lambda r: r.inspected_pct),
        (_("Approved inspections"), lambda r: r.inspections),
        (_("Compliance, %"), lambda r: r.compliance),
        (_("Passed checks"), lambda r: r.passed),
        (_("Failed checks"), lambda r: r.failed),
        (_("Items issued in the period"), lambda r: r.issued),
        (_("Open items"), lambda r: r.open),
        (_("Overdue items"), lambda r: r.overdue),
        (_("Fixed in the period"), lambda r: r.done),
        (_("Average days to fix"), lambda r: r.days_to_fix),
    ]


def _category_columns():
    return [
        (_("Category"), lambda c: c.label),
        (_("Compliance, %"), lambda c: c.compliance),
        (_("Passed checks"), lambda c: c.passed),
        (_("Failed checks"), lambda c: c.failed),
        (_("Open items"), lambda c: c.open),
        (_("Overdue items"), lambda c: c.overdue),
        (_("Fixed in the period"), lambda c: c.done),
    ]


def _month_columns():
    return [
        (_("Month"), lambda m: f"{m.start:%Y-%m}"),
        *[(s.label, lambda m, key=s.key: getattr(m, key)) for s in _trend_series()],
    ]


@login_required
@require_GET
def dashboard_export(request, fmt: str):
    """A table of the dashboard with the same filters and scope as the page: `?table=districts` (the default;
    the total as the last row), `categories` or `months` (the trend's data table)."""
    filters, _form = _filters(request)
    data = selectors.dashboard(user=request.user, filters=filters, sort=request.GET.get("sort", "name"))
    table = request.GET.get("table", "districts")
    if table == "categories":
        rows, columns, sheet = data["categories"], _category_columns(), _("Categories")
    elif table == "months":
        rows, columns, sheet = data["months"], _month_columns(), _("Months")
    else:
        table = "districts"
        total = data["total"]
        total.name = _("Total")
        rows, columns, sheet = [*data["rows"], total], _district_columns(), _("Districts")
    return export_response(rows=rows, columns=columns, fmt=fmt, filename=f"dashboard-{table}", sheet=sheet)


@login_required
@require_GET
def item_list(request):
    filters, form = _filters(request)
    qs = selectors.item_list(user=request.user, filters=filters)
    page = id_page(qs, request.GET.get("page"), settings.PAGE_SIZE)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "query": request.GET.copy(),
        "show_district": scope_for(request.user).level == "city",
        "state_label": dict(selectors.STATES)[filters.state or "issued"],
    }
    return render(request, "oversight/item_list.html", context)


def _category(item) -> str:
    finding = item.finding
    if finding is None or finding.item is None:
        return ""
    return finding.item.section.code


@login_required
@require_GET
def item_list_export(request, fmt: str):
    filters, _form = _filters(request)
    rows = selectors.item_list(user=request.user, filters=filters)
    columns = [
        (_("Order"), lambda i: i.order.number),
        (_("Issued"), lambda i: i.order.issued_at),
        (_("District"), lambda i: i.order.district.name),
        (_("School"), lambda i: i.order.school.name),
        (_("BIN"), lambda i: i.order.school.bin),
        (_("No."), lambda i: i.position),
        (_("Category"), _category),
        (_("What was found"), lambda i: i.found),
        (_("Degree"), lambda i: i.get_severity_display()),
        (_("Deadline"), lambda i: i.deadline),
        (_("Status"), lambda i: i.get_status_display()),
        (_("Overdue since"), lambda i: i.overdue_since),
        (pgettext("order item", "Fixed on"), lambda i: i.done_at),
    ]
    return export_response(
        rows=rows.iterator(chunk_size=2000),
        columns=columns,
        fmt=fmt,
        filename="order-items",
        sheet=_("Items"),
    )
