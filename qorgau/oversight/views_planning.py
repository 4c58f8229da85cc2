"""What to inspect next: the risk-ranked school list, its export, and a campaign from the top of it.

The police read the ranking (a district office its district, the city every district); the district chief and
the city supervisor plan a campaign from it. A district the user does not see is answered 404, as a district
that does not exist; a role without the right gets 403 before anything is looked up.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from qorgau.accounts import policy
from qorgau.accounts.scoping import scope_for, visible
from qorgau.core.exports import export_response
from qorgau.oversight import risk, services
from qorgau.oversight.forms import PlanForm, RiskFilterForm
from qorgau.registry.models import School


def _ranking_allowed(request) -> None:
    if not policy.can_see_risk_ranking(request.user):
        raise PermissionDenied


def _filters(request) -> tuple[RiskFilterForm, dict]:
    form = RiskFilterForm(request.GET or None, user=request.user)
    return form, form.filters()


@login_required
@require_GET
def risk_list(request):
    _ranking_allowed(request)
    form, filters = _filters(request)
    risk.refresh_missing(user=request.user)
    page = risk.risk_page(
        user=request.user, page_number=request.GET.get("page"), per_page=settings.PAGE_SIZE, **filters
    )
    can_plan = policy.can_plan_from_ranking(request.user)
    context = {
        "form": form,
        "page": page,
        "query": request.GET.copy(),
        "can_plan": can_plan,
        "plan_form": PlanForm(user=request.user, district_id=filters.get("district_id"))
        if can_plan
        else None,
        "weights": risk.weights(),
        "max_months": risk.max_days() // risk.DAYS_PER_MONTH,
        "show_district": scope_for(request.user).level == "city",
        "facts_as_of": risk.facts_as_of(user=request.user, **filters),
    }
    template = "oversight/_risk_table.html" if request.htmx else "oversight/risk_list.html"
    return render(request, template, context)


def _risk_columns():
    def reasons(school):
        return "; ".join(reason.text for reason in risk.reasons_for(school, weights))

    weights = risk.weights()
    return [
        (_("Rank"), lambda s: s.rank),
        (_("Risk score"), lambda s: round(s.risk_score, 1)),
        (_("BIN"), lambda s: s.bin),
        (_("School"), lambda s: s.name),
        (_("District"), lambda s: s.district.name),
        (_("Size tier"), lambda s: s.size_tier),
        (_("Pupils"), lambda s: s.pupils),
        (_("Overdue items"), lambda s: s.overdue_items),
        (_("Gross findings at the last inspection"), lambda s: s.gross_last),
        (_("Days since the last approved inspection"), lambda s: s.days_since),
        (_("Faulty or missing devices"), lambda s: s.faulty_equipment),
        (_("Panic button"), lambda s: _("yes") if s.has_panic_button else _("no")),
        (_("Cameras"), lambda s: _("yes") if s.has_camera else _("no")),
        (_("Valid guard contract"), lambda s: _("yes") if s.valid_contract else _("no")),
        (_("Guard firm's licence expired"), lambda s: _("yes") if s.expired_licence else _("no")),
        (_("Reasons"), reasons),
    ]


def _ranked(rows):
    for rank, school in enumerate(rows, start=1):
        school.rank = rank
        yield school


@login_required
@require_GET
def risk_export(request, fmt: str):
    _ranking_allowed(request)
    _form, filters = _filters(request)
    risk.refresh_missing(user=request.user)
    schools = risk.risk_ranking(user=request.user, **filters)
    return export_response(
        rows=_ranked(schools.iterator(chunk_size=2000)), columns=_risk_columns(), fmt=fmt,
        filename="what-to-inspect-next", sheet=_("What to inspect next"),
    )  # fmt: skip


@login_required
@require_POST
def risk_refresh(request):
    """Gather the ranking's facts anew for the user's schools, then show the ranking again."""
    _ranking_allowed(request)
    n = risk.refresh_risk(schools=visible(request.user, School))
    messages.success(
        request,
        ngettext(
            "The ranking was brought up to date for %(n)d school.",
            "The ranking was brought up to date for %(n)d schools.",
            n,
        )
        % {"n": n},
    )
    # Back to the ranking as it was filtered (only the filters' own parameters are carried over).
    query = urlencode({key: request.POST[key] for key in ("district", "tier") if request.POST.get(key)})
    return redirect(reverse("oversight:risk_list") + (f"?{query}" if query else ""))


@login_required
def risk_plan(request):
    """GET: the form alone (e.g. on a phone, or shown again with its errors); POST: the campaign."""
    if not policy.can_plan_from_ranking(request.user):
        raise PermissionDenied
    filter_form, filters = _filters(request)
    form = PlanForm(request.POST or None, user=request.user, district_id=filters.get("district_id"))
    if request.method == "POST" and form.is_valid():
        try:
            campaign, ids = services.plan_from_ranking(actor=request.user, **form.cleaned_data, **filters)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(
                request,
                ngettext(
                    "Campaign created: %(n)d inspection planned.",
                    "Campaign created: %(n)d inspections planned.",
                    len(ids),
                )
                % {"n": len(ids)},
            )
            return redirect("inspections:campaign_detail", pk=campaign.pk)
    context = {"form": form, "filter_form": filter_form, "query": request.GET.copy()}
    return render(request, "oversight/risk_plan.html", context)
