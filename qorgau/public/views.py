"""The public pages (no sign-in: find a school, see whether it was checked, report a concern, follow it by
reference number) and the police's queue of concerns with its triage actions.

Public views get plain records from the public selectors, never model instances, so a template cannot
reach what the public must not see. A school is named by its BIN, which is public, not by an internal id.
Police views fetch the concern through the scoping layer (404 outside the district), ask the policy (403 for
the roles that do not handle concerns), then call a service.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qorgau.accounts import policy
from qorgau.accounts.scoping import get_visible_or_404
from qorgau.core.exports import export_response
from qorgau.core.net import client_ip
from qorgau.public import selectors, services
from qorgau.public.forms import (
    CloseForm,
    ConcernFilterForm,
    ConcernForm,
    DismissForm,
    InspectionForm,
    NoteForm,
    SearchForm,
    StatusForm,
)
from qorgau.public.models import Concern, normalise_reference

POLICE_PAGE_SIZE = 30

# The public side ---------------------------------------------------------------------------------------


@require_GET
def home(request):
    """Find a school by name or BIN."""
    form = SearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    page = selectors.public_school_search(q=q, page_number=request.GET.get("page"))
    return render(
        request,
        "public/home.html",
        {
            "form": form,
            "q": q,
            "page": page,
            "query": request.GET,
            "min_length": selectors.SEARCH_MIN_LENGTH,
        },
    )


def _summary(bin: str):
    summary = selectors.public_school_summary(bin=bin)
    if summary is None:
        raise Http404
    return summary


@require_GET
def school(request, bin: str):
    return render(request, "public/school.html", {"summary": _summary(bin)})


def concern_new(request, bin: str):
    summary = _summary(bin)
    form = ConcernForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        target = selectors.public_school_for_concern(bin=bin)
        data = form.cleaned_data
        try:
            concern = services.concern_report(
                school=target, what=data["what"], where=data["where"], when=data["when"],
                contact=data["contact"], ip=client_ip(request),
            )  # fmt: skip
        except services.Throttled as error:
            form.add_error(None, str(error))
            status = 429
        except ValidationError as error:
            form.apply_errors(error)
        else:
            url = reverse("public:concern_status") + "?" + urlencode({"ref": concern.reference, "new": 1})
            return redirect(url)
    return render(request, "public/concern_form.html", {"summary": summary, "form": form}, status=status)


@require_GET
def concern_status(request):
    """The public status of a concern, found by its reference number, and nothing else about it."""
    if "ref" not in request.GET:
        return render(request, "public/concern_status.html", {"form": StatusForm()})
    form = StatusForm(request.GET)
    found = None
    if form.is_valid():
        reference = normalise_reference(form.cleaned_data["ref"])
        found = selectors.public_concern_status(reference=reference) if reference else None
        if found is None:
            form.add_error("ref", _("No concern has this reference number. Check it and try again."))
    context = {"form": form, "found": found, "new": found is not None and request.GET.get("new") == "1"}
    return render(request, "public/concern_status.html", context, status=200 if found else 404)


# The police's queue ------------------------------------------------------------------------------------


def _allow(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _concern(request, pk: int) -> Concern:
    _allow(policy.can_read_concerns(request.user))
    return get_visible_or_404(
        request.user, Concern.objects.select_related("school", "district", "inspection"), pk=pk
    )


def _queue(request):
    """The queue's filter form and the concerns it selects, for the page and its export."""
    _allow(policy.can_read_concerns(request.user))
    form = ConcernFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    return form, selectors.concern_list(user=request.user, status=status)


@login_required
@require_GET
def concern_list(request):
    form, qs = _queue(request)
    page = Paginator(qs, POLICE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "public/concern_list.html",
        {
            "form": form,
            "page": page,
            "query": request.GET,
            "new_count": selectors.concern_new_count(user=request.user),
        },
    )


def _concern_columns(user):
    def contact(concern) -> str:
        return concern.contact if policy.can_see_reporter_contact(user, concern) else ""

    return [
        (_("Reference number"), lambda c: c.reference),
        (_("Received"), lambda c: c.created_at),
        (_("District"), lambda c: c.district.name),
        (_("School"), lambda c: c.school.name),
        (_("BIN"), lambda c: c.school.bin),
        (_("Status"), lambda c: c.get_status_display()),
        (_("Outcome"), lambda c: c.get_outcome_display()),
        (_("What happened"), lambda c: c.what),
        (_("Where"), lambda c: c.where),
        (_("When"), lambda c: c.when),
        (_("Reporter's contact"), contact),
    ]


@login_required
@require_GET
def concern_export(request, fmt: str):
    """The queue with the page's status filter and scope; the reporter's contact for the district's police
    only, as on the concern's page."""
    _form, qs = _queue(request)
    columns = _concern_columns(request.user)
    return export_response(
        rows=qs.iterator(chunk_size=2000), columns=columns, fmt=fmt, filename="concerns", sheet=_("Concerns")
    )


ACTIONS = {
    "note": NoteForm,
    "dismiss": DismissForm,
    "close": CloseForm,
    "inspect": InspectionForm,
}


def _form(key: str, **kwargs):
    # One page holds all four forms: their fields' ids must differ ("reason" is in two of them).
    return ACTIONS[key](auto_id=f"id_{key}_%s", **kwargs)


def _detail(request, concern: Concern, forms: dict | None = None, status: int = 200):
    can_triage = policy.can_triage_concerns(request.user)
    forms = forms or {}
    if can_triage:
        initial = {"inspect": {"reason": _("Parent concern %(ref)s") % {"ref": concern.reference}}}
        forms = {key: forms.get(key) or _form(key, initial=initial.get(key)) for key in ACTIONS}
    context = {
        "concern": concern,
        "events": selectors.concern_events(user=request.user, concern=concern),
        "can_triage": can_triage,
        "show_contact": policy.can_see_reporter_contact(request.user, concern),
        "forms": forms,
        "open_form": next(iter(key for key, form in forms.items() if form.is_bound), ""),
    }
    return render(request, "public/concern_detail.html", context, status=status)


@login_required
@require_GET
def concern_detail(request, pk: int):
    return _detail(request, _concern(request, pk))


def _action(request, pk: int, key: str, call, success: str):
    _allow(policy.can_triage_concerns(request.user))  # before the lookup: nothing to learn from a 404
    concern = _concern(request, pk)
    form = _form(key, data=request.POST)
    if form.is_valid():
        try:
            result = call(concern, form.cleaned_data)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, success)
            if key == "inspect":
                return redirect("inspections:inspection_detail", pk=result.pk)
            return redirect("public:concern_detail", pk=concern.pk)
    return _detail(request, concern, {key: form})


@login_required
@require_POST
def concern_note(request, pk: int):
    return _action(
        request, pk, "note",
        lambda c, d: services.concern_note(actor=request.user, concern=c, comment=d["comment"]),
        _("The note is saved."),
    )  # fmt: skip


@login_required
@require_POST
def concern_dismiss(request, pk: int):
    return _action(
        request, pk, "dismiss",
        lambda c, d: services.concern_dismiss(actor=request.user, concern=c, reason=d["reason"]),
        _("The concern is dismissed."),
    )  # fmt: skip


@login_required
@require_POST
def concern_close(request, pk: int):
    return _action(
        request, pk, "close",
        lambda c, d: services.concern_close(actor=request.user, concern=c, comment=d["comment"]),
        _("The concern is closed."),
    )  # fmt: skip


@login_required
@require_POST
def concern_inspect(request, pk: int):
    return _action(
        request, pk, "inspect",
        lambda c, d: services.concern_start_inspection(
            actor=request.user, concern=c, reason=d["reason"], planned_on=d["planned_on"]
        ),
        _("An unplanned inspection is planned for this concern."),
    )  # fmt: skip
