"""Checklist template pages. Everyone signed in reads them; the city supervisor edits drafts and publishes.

Objects come through the scoping layer (404), the policy decides who may change them (403), and the
services write. A published version never changes: its edit pages send the user back with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qorgau.accounts import policy
from qorgau.accounts.scoping import get_visible_or_404
from qorgau.checklists import selectors, services
from qorgau.checklists.forms import ItemForm, PublishForm
from qorgau.checklists.models import ChecklistTemplate, Item, TemplateVersion
from qorgau.core.errors import InvalidTransition


def _version(request, pk: int) -> TemplateVersion:
    return get_visible_or_404(
        request.user,
        TemplateVersion.objects.select_related("template", "published_by", "created_by", "based_on"),
        pk=pk,
    )


def _item_of(version: TemplateVersion, item_pk: int) -> Item:
    # Reached through its scoped version: another version's item under this URL is simply not found.
    try:
        return version.items.select_related("section", "version").get(pk=item_pk)
    except Item.DoesNotExist:
        raise Http404 from None


def _require_manager(request) -> None:
    if not policy.can_manage_checklists(request.user):
        raise PermissionDenied


def _frozen(request, version: TemplateVersion):
    """Back to the version page when it can no longer be changed (published meanwhile, or long ago)."""
    messages.warning(request, _("A published checklist version cannot be changed; make a new draft."))
    return redirect("checklists:version_detail", pk=version.pk)


@login_required
def template_list(request):
    templates = selectors.template_list(user=request.user)
    return render(
        request,
        "checklists/template_list.html",
        {"templates": templates, "can_manage": policy.can_manage_checklists(request.user)},
    )


def _version_page(request, version: TemplateVersion, publish_form: PublishForm | None = None):
    detail = selectors.version_detail(user=request.user, version=version)
    can_manage = policy.can_manage_checklists(request.user)
    context = {
        "detail": detail,
        "version": version,
        "can_manage": can_manage,
        "can_edit": can_manage and version.is_draft,
        "publish_form": publish_form or PublishForm(),
    }
    return render(request, "checklists/version_detail.html", context)


@login_required
def version_detail(request, pk: int):
    return _version_page(request, _version(request, pk))


@login_required
@require_POST
def draft_create(request, template_pk: int):
    template = get_visible_or_404(request.user, ChecklistTemplate, pk=template_pk)
    _require_manager(request)
    try:
        draft = services.draft_create(actor=request.user, template=template)
    except services.DraftExists as exists:
        messages.warning(request, str(exists))
        return redirect("checklists:version_detail", pk=exists.draft.pk)
    messages.success(
        request,
        _("Draft version %(number)d made from the latest published version. Change it, then publish it.")
        % {"number": draft.number},
    )
    return redirect("checklists:version_detail", pk=draft.pk)


@login_required
@require_POST
def version_publish(request, pk: int):
    version = _version(request, pk)
    _require_manager(request)
    if not version.is_draft:
        return _frozen(request, version)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.version_publish(actor=request.user, version=version, notes=form.cleaned_data["notes"])
        except InvalidTransition:
            return _frozen(request, version)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(
                request,
                _("Version %(number)d is published. New inspections use it; earlier ones keep theirs.")
                % {"number": version.number},
            )
            return redirect("checklists:version_detail", pk=version.pk)
    return _version_page(request, version, publish_form=form)


def _item_form_page(request, version: TemplateVersion, item: Item | None):
    form = ItemForm(request.POST or None, instance=item, user=request.user, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.item_save(actor=request.user, version=version, item=item, data=form.cleaned_data)
        except InvalidTransition:
            return _frozen(request, version)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Item %(code)s saved.") % {"code": saved.code})
            return redirect(reverse("checklists:version_detail", args=[version.pk]) + f"#item-{saved.pk}")
    context = {"form": form, "version": version, "item": item}
    return render(request, "checklists/item_form.html", context)


@login_required
def item_create(request, pk: int):
    version = _version(request, pk)
    _require_manager(request)
    if not version.is_draft:
        return _frozen(request, version)
    return _item_form_page(request, version, None)


@login_required
def item_edit(request, pk: int, item_pk: int):
    version = _version(request, pk)
    item = _item_of(version, item_pk)
    _require_manager(request)
    if not version.is_draft:
        return _frozen(request, version)
    return _item_form_page(request, version, item)


@login_required
@require_POST
def item_delete(request, pk: int, item_pk: int):
    version = _version(request, pk)
    item = _item_of(version, item_pk)
    _require_manager(request)
    if not version.is_draft:
        return _frozen(request, version)
    try:
        services.item_delete(actor=request.user, item=item)
    except InvalidTransition:
        return _frozen(request, version)
    messages.success(request, _("Item %(code)s deleted.") % {"code": item.code})
    return redirect("checklists:version_detail", pk=version.pk)
