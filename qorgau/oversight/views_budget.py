"""Budget needs: open equipment items of issued orders, by school and district, read-only.

For the education department and the city supervisor (the whole city) and a district chief (the district).
Other roles get 403 before anything is looked up; a district the user does not see is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qorgau.accounts import policy
from qorgau.accounts.scoping import scope_for
from qorgau.core.exports import export_response
from qorgau.oversight import budget
from qorgau.oversight.forms import BudgetFilterForm


def _filters(request) -> tuple[BudgetFilterForm, dict]:
    if not policy.can_see_budget_needs(request.user):
        raise PermissionDenied
    form = BudgetFilterForm(request.GET or None, user=request.user)
    return form, form.filters()


@login_required
@require_GET
def budget_list(request):
    form, filters = _filters(request)
    page = budget.budget_page(
        user=request.user, page_number=request.GET.get("page"), per_page=settings.PAGE_SIZE, **filters
    )
    districts, total = budget.district_totals(user=request.user, **filters)
    context = {
        "form": form,
        "page": page,
        "districts": districts,
        "total": total,
        "query": request.GET.copy(),
        "show_district": scope_for(request.user).level == "city",
    }
    template = "oversight/_budget_table.html" if request.htmx else "oversight/budget_list.html"
    return render(request, template, context)


def _school_columns():
    return [
        (_("District"), lambda row: row.school.district.name),
        (_("School"), lambda row: row.school.name),
        (_("BIN"), lambda row: row.school.bin),
        (_("Address"), lambda row: row.school.address),
        (_("Pupils"), lambda row: row.school.pupils),
        (_("Items"), lambda row: row.items_count),
        (_("Overdue"), lambda row: row.overdue_count),
        (_("Earliest deadline"), lambda row: row.earliest_deadline),
        (_("What is needed"), lambda row: row.descriptions),
    ]


def _district_columns():
    return [
        (_("District"), lambda d: d.name),
        (_("Schools"), lambda d: d.schools),
        (_("Items"), lambda d: d.items),
        (_("Overdue"), lambda d: d.overdue),
        (_("Earliest deadline"), lambda d: d.earliest_deadline),
    ]


def _item_columns():
    return [
        (_("District"), lambda item: item.order.school.district.name),
        (_("School"), lambda item: item.order.school.name),
        (_("BIN"), lambda item: item.order.school.bin),
        (_("Order"), lambda item: item.order.number),
        (_("No."), lambda item: item.position),
        (_("Required remedy"), lambda item: item.remedy),
        (_("What was found"), lambda item: item.found),
        (_("Degree"), lambda item: item.get_severity_display()),
        (_("Deadline"), lambda item: item.deadline),
        (_("Status"), lambda item: item.get_status_display()),
    ]


@login_required
@require_GET
def budget_export(request, fmt: str):
    """`?per=item` gives one row per item, `?per=district` the district totals (the total as the last row);
    by default one row per school with its items described."""
    _form, filters = _filters(request)
    per = request.GET.get("per")
    if per == "item":
        rows, columns = budget.item_rows(user=request.user, **filters), _item_columns()
    elif per == "district":
        districts, total = budget.district_totals(user=request.user, **filters)
        rows, columns = [*districts, total], _district_columns()
    else:
        rows, columns = budget.school_needs(user=request.user, **filters), _school_columns()
    return export_response(
        rows=rows, columns=columns, fmt=fmt, filename="budget-needs", sheet=_("Budget needs")
    )
