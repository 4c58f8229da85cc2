"""Campaigns, planning and the review of inspection results.

Each view fetches its objects through the scoping layer (outsiders get 404), asks the policy whether the
user may act (read-only users get 403) and writes through a service, whose errors go back onto the form.
"""

from itertools import groupby
from operator import attrgetter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from qorgau.accounts import policy
from qorgau.accounts.scoping import get_visible_or_404, scope_for
from qorgau.core.errors import InvalidTransition
from qorgau.core.paging import id_page
from qorgau.inspections import exports, selectors, services
from qorgau.inspections.forms import (
    AmendForm,
    ApproveForm,
    AssignForm,
    CampaignFilterForm,
    CampaignForm,
    InspectionCreateForm,
    InspectionFilterForm,
    ReturnForm,
)
from qorgau.inspections.models import Answer, Campaign, Inspection
from qorgau.registry.models import School

BUCKET_TITLES = {
    selectors.BUCKET_RETURNED: gettext_lazy("Returned for rework"),
    selectors.BUCKET_OVERDUE: gettext_lazy("Planned date passed"),
    selectors.BUCKET_TODAY: gettext_lazy("Today"),
    selectors.BUCKET_UPCOMING: gettext_lazy("Upcoming"),
    selectors.BUCKET_SUBMITTED: gettext_lazy("Awaiting approval"),
    selectors.BUCKET_DONE: gettext_lazy("Approved"),
}


def _page(request, qs):
    return id_page(qs, request.GET.get("page"), settings.PAGE_SIZE)


def _police_or_city(request) -> None:
    """Campaign pages are for police and the education department; schools and firms never see them."""
    if scope_for(request.user).level not in ("city", "district"):
        raise Http404


def _inspection(request, pk: int) -> Inspection:
    related = ("school", "district", "campaign", "inspector", "approved_by", "template_version__template")
    return get_visible_or_404(request.user, Inspection.objects.select_related(*related), pk=pk)


# Campaigns ------------------------------------------------------------------------------------------------


@login_required
def campaign_list(request):
    _police_or_city(request)
    page = _page(request, selectors.campaign_overview(user=request.user))
    return render(
        request,
        "inspections/campaign_list.html",
        {"page": page, "query": request.GET.copy(), "can_create": policy.can_create_campaign(request.user)},
    )


@login_required
@require_GET
def campaign_export(request, fmt: str):
    _police_or_city(request)
    return exports.campaign_export_response(selectors.campaign_overview(user=request.user), fmt)


@login_required
def campaign_create(request):
    if not policy.can_create_campaign(request.user):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                districts=list(data["districts"]),
                template_version=data["template_version"],
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            planned = campaign.inspections.count()
            messages.success(
                request,
                ngettext(
                    "Campaign created: %(n)d inspection planned.",
                    "Campaign created: %(n)d inspections planned.",
                    planned,
                )
                % {"n": planned},
            )
            return redirect("inspections:campaign_detail", pk=campaign.pk)
    return render(request, "inspections/campaign_form.html", {"form": form})


def _campaign_filters(request, pk: int) -> tuple[Campaign, CampaignFilterForm, dict]:
    """The campaign and the filters of its list of schools: the page and its export read them here."""
    _police_or_city(request)
    campaign = get_visible_or_404(
        request.user, Campaign.objects.select_related("template_version__template"), pk=pk
    )
    filter_form = CampaignFilterForm(request.GET or None, user=request.user, campaign=campaign)
    return campaign, filter_form, filter_form.filters()


@login_required
def campaign_detail(request, pk: int):
    campaign, filter_form, filters = _campaign_filters(request, pk)
    scope = scope_for(request.user)
    # Inspectors are chosen within one district: a chief's own, or the one a city supervisor filtered to.
    district_id = scope.district_id if scope.level == "district" else filters.get("district_id")
    can_assign = policy.can_assign_inspectors(request.user) and district_id is not None

    assign_form = None
    if request.method == "POST":
        if not policy.can_assign_inspectors(request.user):
            raise PermissionDenied
        assign_form = AssignForm(request.POST, user=request.user, campaign=campaign, district_id=district_id)
        if assign_form.is_valid():
            data = assign_form.cleaned_data
            try:
                count = services.inspections_assign(
                    actor=request.user,
                    inspections=list(data["inspections"]),
                    inspector=data["inspector"],
                    planned_on=data["planned_on"],
                )
            except ValidationError as error:
                assign_form.apply_errors(error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d school assigned to %(name)s.", "%(n)d schools assigned to %(name)s.", count
                    )
                    % {"n": count, "name": data["inspector"].display_name},
                )
                return redirect(request.get_full_path())
    elif can_assign:
        assign_form = AssignForm(user=request.user, campaign=campaign, district_id=district_id)

    rows = selectors.campaign_inspections(user=request.user, campaign=campaign, **filters)
    context = {
        "campaign": campaign,
        "filter_form": filter_form,
        "assign_form": assign_form if can_assign else None,
        "ticked": {str(pk) for pk in request.POST.getlist("inspections")},
        "page": _page(request, rows),
        "query": request.GET.copy(),
        "counts": selectors.campaign_district_counts(user=request.user, campaign=campaign),
        "is_city": scope.level == "city",
        "can_conduct": policy.can_conduct_inspection(request.user),
    }
    return render(request, "inspections/campaign_detail.html", context)


@login_required
@require_GET
def campaign_detail_export(request, pk: int, fmt: str):
    campaign, _form, filters = _campaign_filters(request, pk)
    rows = selectors.campaign_inspections(user=request.user, campaign=campaign, **filters)
    return exports.campaign_inspections_export_response(campaign, rows, fmt)


# Inspections ----------------------------------------------------------------------------------------------


def _inspection_filters(request) -> tuple[InspectionFilterForm, dict]:
    """The inspection list's filters: the page and its export read them here. Firms have no such list."""
    if scope_for(request.user).level not in ("city", "district", "school"):
        raise Http404
    form = InspectionFilterForm(request.GET, user=request.user)
    return form, form.filters()


@login_required
def inspection_list(request):
    form, filters = _inspection_filters(request)
    page = _page(request, selectors.inspection_rows(user=request.user, **filters))
    if filters.get("mine"):
        groups = [
            (bucket, BUCKET_TITLES[bucket], list(rows))
            for bucket, rows in groupby(page.object_list, key=attrgetter("bucket"))
        ]
    else:
        groups = [(None, None, list(page.object_list))] if page.object_list else []
    context = {
        "form": form,
        "page": page,
        "groups": groups,
        "mine": filters.get("mine"),
        "query": request.GET.copy(),
        "can_create": policy.can_create_inspection(request.user),
        "can_conduct": policy.can_conduct_inspection(request.user),
        "can_review": policy.can_approve_inspection(request.user),
    }
    if request.htmx:
        return render(request, "inspections/_inspection_rows.html", context)
    return render(request, "inspections/inspection_list.html", context)


@login_required
@require_GET
def inspection_export(request, fmt: str):
    _form, filters = _inspection_filters(request)
    rows = selectors.inspection_rows(user=request.user, **filters)
    titles = BUCKET_TITLES if filters.get("mine") else None
    return exports.inspection_export_response(rows, fmt, bucket_titles=titles)


@login_required
def inspection_create(request):
    if not policy.can_create_inspection(request.user):
        raise PermissionDenied
    school = None
    if request.GET.get("school"):
        # The "new unplanned inspection" button of a school's passport names the school.
        school = get_visible_or_404(request.user, School, pk=request.GET["school"])
    initial = {"school": school.pk} if school else {}
    form = InspectionCreateForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_create(
                actor=request.user,
                school=data["school"],
                kind=data["kind"],
                reason=data["reason"],
                planned_on=data["planned_on"],
                inspector=data["inspector"],
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The inspection is planned."))
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    return render(request, "inspections/inspection_form_new.html", {"form": form, "school": school})


def _detail(request, inspection: Inspection, *, return_form=None):
    user = request.user
    status = inspection.status
    context = {
        "inspection": inspection,
        "review": selectors.inspection_review(inspection=inspection),
        "can_conduct": policy.can_conduct_inspection(user) and inspection.is_editable,
        "can_review": policy.can_approve_inspection(user) and status == Inspection.Status.SUBMITTED,
        "can_amend": policy.can_amend_inspection(user) and status == Inspection.Status.APPROVED,
        "approve_form": ApproveForm(),
        "return_form": return_form or ReturnForm(),
        "act_languages": [("ru", _("Act (RU)")), ("kk", _("Act (KK)"))],
    }
    return render(request, "inspections/inspection_detail.html", context)


@login_required
def inspection_detail(request, pk: int):
    return _detail(request, _inspection(request, pk))


@login_required
@require_POST
def inspection_approve(request, pk: int):
    inspection = _inspection(request, pk)
    if not policy.can_approve_inspection(request.user):
        raise PermissionDenied
    form = ApproveForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    inspection = services.inspection_approve(actor=request.user, inspection=inspection, comment=comment)
    messages.success(request, _("Approved. Act no. %(number)s.") % {"number": inspection.act_number})
    return redirect("inspections:inspection_detail", pk=pk)


@login_required
@require_POST
def inspection_return(request, pk: int):
    inspection = _inspection(request, pk)
    if not policy.can_approve_inspection(request.user):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.inspection_return(
                actor=request.user, inspection=inspection, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Returned to the inspector for rework."))
            return redirect("inspections:inspection_detail", pk=pk)
    return _detail(request, inspection, return_form=form)


@login_required
def answer_amend(request, pk: int, item_pk: int):
    inspection = _inspection(request, pk)
    if not policy.can_amend_inspection(request.user):
        raise PermissionDenied
    if inspection.status != Inspection.Status.APPROVED:
        raise InvalidTransition(_("Only approved results are amended; until then, edit the answers."))
    item = get_object_or_404(inspection.template_version.items.select_related("section"), pk=item_pk)
    answer = get_visible_or_404(request.user, Answer.objects.filter(inspection=inspection), item=item)
    form = AmendForm(request.POST or None, item=item, answer=answer)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_amend(
                actor=request.user,
                inspection=inspection,
                item=item,
                raw=form.raw(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("The answer is amended; the history keeps the previous one."))
            return redirect(reverse("inspections:inspection_detail", args=[pk]) + "#amendments")
    return render(
        request,
        "inspections/answer_amend.html",
        {"inspection": inspection, "item": item, "answer": answer, "form": form},
    )
