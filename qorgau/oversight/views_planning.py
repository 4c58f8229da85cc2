"""What to inspect next: the risk-ranked school list, its export, and a campaign from the top of it.

The police read the ranking (a district office its district, the city every district); the district chief and
the city supervisor plan a campaign from it. A district the user does not see is answered 404, as a district
that does not exist; a role without the right gets 403 before anything is looked up.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from qorgau.accounts import policy
from qorgau.accounts.scoping import scope_for, visible
from qorgau.core.exports import export_response
from qorgau.inspections import selectors as inspection_selectors
from qorgau.inspections.forms import ErrorsMixin, InspectorChoiceField
from qorgau.oversight import risk, services
from qorgau.registry.forms import DateInput
from qorgau.registry.models import District, School, SizeTier

MAX_PLANNED = 200


class RiskFilterForm(forms.Form):
    district = forms.ModelChoiceField(
        label=gettext_lazy("District"), queryset=District.objects.none(), required=False
    )
    tier = forms.ChoiceField(label=gettext_lazy("Size tier"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = visible(user, District)
        self.fields["district"].empty_label = gettext_lazy("All districts")
        self.fields["tier"].choices = [("", gettext_lazy("All tiers")), *SizeTier.choices]

    def filters(self) -> dict:
        """The selector's filters. A district the user does not see (or no district at all) is a 404."""
        if not self.is_bound:
            return {}
        self.is_valid()  # a bad size tier is ignored; the valid fields stay in cleaned_data
        if "district" in self.errors:
            raise Http404
        district = self.cleaned_data.get("district")
        return {
            "district_id": district.pk if district else None,
            "size_tier": self.cleaned_data.get("tier") or "",
        }


class PlanForm(ErrorsMixin, forms.Form):
    """A campaign over the first N schools of the ranking as it is filtered."""

    n = forms.IntegerField(
        label=gettext_lazy("How many schools"), min_value=1, max_value=MAX_PLANNED, initial=10,
        help_text=gettext_lazy("The first schools of the list, as it is filtered."),
    )  # fmt: skip
    name = forms.CharField(label=gettext_lazy("Campaign name"), max_length=200)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=DateInput())
    inspector = InspectorChoiceField(label=gettext_lazy("Inspector"), queryset=None, required=False)

    def __init__(self, *args, user=None, district_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["name"].initial = _("Risk-based checks, %(date)s") % {"date": today.strftime("%d.%m.%Y")}
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today + dt.timedelta(days=30)
        inspectors = inspection_selectors.district_inspectors(user=user, district_id=district_id)
        self.fields["inspector"].queryset = inspectors
        self.fields["inspector"].empty_label = _("Assign later")
        if scope_for(user).level == "city" and not district_id:
            self.fields["inspector"].help_text = _("Choose a district above to assign one of its inspectors.")


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
