"""Registry pages. Each view gets its objects through the scoping layer and writes through a service."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qorgau.accounts import policy
from qorgau.accounts.scoping import get_visible_or_404, scope_for
from qorgau.core.paging import id_page
from qorgau.inspections import selectors as inspection_selectors
from qorgau.registry import exports, selectors, services
from qorgau.registry.forms import (
    ContractForm,
    EquipmentFilterForm,
    FirmForm,
    SchoolFilterForm,
    SchoolForm,
    equipment_form_class,
)
from qorgau.registry.models import EQUIPMENT_MODELS, School, SecurityFirm


def _school(request, pk: int) -> School:
    return get_visible_or_404(request.user, School.objects.select_related("district"), pk=pk)


def _equipment_kind(kind: str):
    model = EQUIPMENT_MODELS.get(kind)
    if model is None:
        raise Http404
    return model


def _page(request, qs):
    paginator = Paginator(qs, settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


@login_required
def school_list(request):
    form = SchoolFilterForm(request.GET or None, user=request.user)
    page = selectors.school_page(
        user=request.user, page_number=request.GET.get("page"), per_page=settings.PAGE_SIZE, **form.filters()
    )
    context = {
        "form": form,
        "page": page,
        "query": request.GET.copy(),
        "can_create": policy.can_create_school(request.user),
    }
    template = "registry/_school_table.html" if request.htmx else "registry/school_list.html"
    return render(request, template, context)


@login_required
def school_export(request, fmt: str):
    form = SchoolFilterForm(request.GET or None, user=request.user)
    schools = selectors.school_list(user=request.user, **form.filters())
    return exports.school_export_response(schools, fmt)


def _equipment_filters(request) -> tuple[EquipmentFilterForm, str, object]:
    form = EquipmentFilterForm(request.GET or None, user=request.user)
    if form.model is None:
        raise Http404  # a kind of equipment that does not exist
    qs = selectors.equipment_list(user=request.user, model=form.model, **form.filters())
    return form, form.kind, qs


@login_required
@require_GET
def equipment_list(request):
    """Devices of one kind across the schools the user sees: the list behind the dashboard's equipment."""
    form, kind, qs = _equipment_filters(request)
    context = {
        "form": form,
        "kind": kind,
        "page": id_page(qs, request.GET.get("page"), settings.PAGE_SIZE),
        "query": request.GET.copy(),
        "show_district": scope_for(request.user).level == "city",
    }
    template = "registry/_equipment_page.html" if request.htmx else "registry/equipment_list.html"
    return render(request, template, context)


@login_required
@require_GET
def equipment_export(request, fmt: str):
    _form, kind, qs = _equipment_filters(request)
    return exports.equipment_export_response(qs, kind, fmt)


@login_required
def school_detail(request, pk: int):
    school = _school(request, pk)
    passport = selectors.school_passport(user=request.user, school=school)
    context = {
        "passport": passport,
        "school": school,
        # Inspections the user may see (a school: approved ones only; a security firm: none).
        "show_inspections": scope_for(request.user).level != "firm",
        "inspections": inspection_selectors.school_inspections(user=request.user, school=school),
        "can_create_inspection": policy.can_create_inspection(request.user),
        "can_edit_school": policy.can_edit_school(request.user),
        "can_edit_contract": policy.can_edit_contract(request.user),
        "editable_kinds": {
            kind for kind in EQUIPMENT_MODELS if policy.can_edit_equipment(request.user, kind)
        },
    }
    return render(request, "registry/school_detail.html", context)


def _form_page(request, form, template_context: dict, on_valid, success_url):
    """POST: validate the form, call the service, map its errors back onto the form."""
    if request.method == "POST" and form.is_valid():
        try:
            on_valid(form.cleaned_data)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Saved."))
            return redirect(success_url)
    # Cancel goes where saving would have gone: no javascript: link, which the Content-Security-Policy blocks.
    context = {"form": form, "cancel_url": resolve_url(success_url), **template_context}
    return render(request, "registry/form.html", context)


@login_required
def school_create(request):
    if not policy.can_create_school(request.user):
        raise PermissionDenied
    form = SchoolForm(request.POST or None, user=request.user)
    created = {}

    def save(data):
        created["school"] = services.school_create(actor=request.user, data=data)

    response = _form_page(request, form, {"title": _("New school")}, save, "registry:school_list")
    if "school" in created:
        return redirect("registry:school_detail", pk=created["school"].pk)
    return response


@login_required
def school_edit(request, pk: int):
    school = _school(request, pk)
    if not policy.can_edit_school(request.user):
        raise PermissionDenied
    form = SchoolForm(request.POST or None, instance=school, user=request.user)
    return _form_page(
        request,
        form,
        {"title": _("School details"), "school": school},
        lambda data: services.school_update(actor=request.user, school=school, data=data),
        school.get_absolute_url(),
    )


@login_required
def contract_edit(request, pk: int):
    school = _school(request, pk)
    if not policy.can_edit_contract(request.user):
        raise PermissionDenied
    current = school.guard_contracts.filter(is_current=True).first()
    form = ContractForm(request.POST or None, instance=current, user=request.user)
    return _form_page(
        request,
        form,
        {"title": _("Guard contract"), "school": school},
        lambda data: services.contract_set(actor=request.user, school=school, data=data),
        school.get_absolute_url(),
    )


@login_required
def equipment_create(request, pk: int, kind: str):
    school = _school(request, pk)
    model = _equipment_kind(kind)
    if not policy.can_edit_equipment(request.user, kind):
        raise PermissionDenied
    form = equipment_form_class(model)(request.POST or None, user=request.user)
    return _form_page(
        request,
        form,
        {"title": _("Add: %(kind)s") % {"kind": model._meta.verbose_name}, "school": school},
        lambda data: services.equipment_create(actor=request.user, school=school, kind=kind, data=data),
        school.get_absolute_url() + f"#{kind}",
    )


@login_required
def equipment_edit(request, pk: int, kind: str, item_pk: int):
    school = _school(request, pk)
    model = _equipment_kind(kind)
    item = get_visible_or_404(request.user, model.objects.filter(school=school), pk=item_pk)
    if not policy.can_edit_equipment(request.user, kind):
        raise PermissionDenied
    form = equipment_form_class(model)(request.POST or None, instance=item, user=request.user)
    return _form_page(
        request,
        form,
        {
            "title": f"{model._meta.verbose_name.capitalize()}: {item.location}",
            "school": school,
            "delete_url": reverse("registry:equipment_delete", args=[school.pk, kind, item.pk]),
        },
        lambda data: services.equipment_update(actor=request.user, item=item, kind=kind, data=data),
        school.get_absolute_url() + f"#{kind}",
    )


@login_required
@require_POST
def equipment_delete(request, pk: int, kind: str, item_pk: int):
    school = _school(request, pk)
    model = _equipment_kind(kind)
    item = get_visible_or_404(request.user, model.objects.filter(school=school), pk=item_pk)
    services.equipment_delete(actor=request.user, item=item, kind=kind)
    messages.success(request, _("Deleted."))
    return redirect(school.get_absolute_url() + f"#{kind}")


def _firm_filters(request) -> dict:
    """The firm list's filters from the query string: the page and its export read them here."""
    return {"q": request.GET.get("q", "")[:100]}


@login_required
def firm_list(request):
    filters = _firm_filters(request)
    page = _page(request, selectors.firm_list(user=request.user, **filters))
    return render(
        request,
        "registry/firm_list.html",
        {"page": page, "q": filters["q"], "can_create": policy.can_create_firm(request.user)},
    )


@login_required
@require_GET
def firm_export(request, fmt: str):
    return exports.firm_export_response(selectors.firm_list(user=request.user, **_firm_filters(request)), fmt)


@login_required
def firm_detail(request, pk: int):
    firm = get_visible_or_404(request.user, SecurityFirm, pk=pk)
    schools = selectors.school_list(user=request.user).filter(
        guard_contracts__firm=firm, guard_contracts__is_current=True
    )
    return render(
        request,
        "registry/firm_detail.html",
        {"firm": firm, "page": _page(request, schools), "can_edit": policy.can_edit_firm(request.user, firm)},
    )


@login_required
def firm_create(request):
    if not policy.can_create_firm(request.user):
        raise PermissionDenied
    form = FirmForm(request.POST or None, user=request.user)
    return _form_page(
        request,
        form,
        {"title": _("New security firm")},
        lambda data: services.firm_create(actor=request.user, data=data),
        "registry:firm_list",
    )


@login_required
def firm_edit(request, pk: int):
    firm = get_visible_or_404(request.user, SecurityFirm, pk=pk)
    if not policy.can_edit_firm(request.user, firm):
        raise PermissionDenied
    form = FirmForm(request.POST or None, instance=firm, user=request.user)
    return _form_page(
        request,
        form,
        {"title": firm.name},
        lambda data: services.firm_update(actor=request.user, firm=firm, data=data),
        firm.get_absolute_url(),
    )
