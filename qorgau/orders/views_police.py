"""The police side of orders: draft from an approved inspection, edit the draft, sign, deliver, verify, amend,
refer; the district's lists; and the stored documents and evidence, which the school may fetch too.

Each view fetches the order through the scoping layer (outsiders get 404, and a school never sees a draft),
then asks the policy (403 for those who may only read), then calls a service: NotAllowed and
InvalidTransition become the 403 and 409 pages in the middleware, a ValidationError goes back onto the form.
Items, reports, amendments and evidence are reached through that order, so an id belonging to another
order is a 404 as well.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from qorgau.accounts import policy
from qorgau.accounts.scoping import get_visible_or_404, visible
from qorgau.checklists.models import FixKind, Severity
from qorgau.core.errors import InvalidTransition
from qorgau.core.paging import id_page
from qorgau.inspections.models import Inspection
from qorgau.inspections.photos import photo_path
from qorgau.orders import exports, selectors, services
from qorgau.orders.forms import (
    AmendForm,
    DecideForm,
    DeliveryForm,
    DraftForm,
    FollowUpForm,
    IssueForm,
    OrderFilterForm,
    OrderForm,
    OrderItemForm,
    ReferForm,
    VerifyForm,
)
from qorgau.orders.models import Amendment, Evidence, Order, OrderItem, SchoolReport

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Evidence a browser may show in the page; anything else (PDF, HEIC) is downloaded.
INLINE_IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}
EVIDENCE_TYPES = {*INLINE_IMAGE_TYPES, "image/heic", "application/pdf"}


# Access ---------------------------------------------------------------------------------------------------


def _order(request, pk: int) -> Order:
    return get_visible_or_404(
        request.user,
        Order.objects.select_related(
            "school__district", "district", "inspection", "drafted_by", "issued_by", "delivery_recorded_by"
        ),
        pk=pk,
    )


def _item(request, order: Order, item_pk: int) -> OrderItem:
    item = get_visible_or_404(request.user, OrderItem.objects.filter(order=order), pk=item_pk)
    item.order = order
    return item


def _allow(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _draft_only(order: Order) -> None:
    if order.status != Order.Status.DRAFT:
        raise InvalidTransition(_("An issued order is never edited; make an amendment instead."))


def _open_item(order: Order, item: OrderItem) -> None:
    if order.status != Order.Status.ISSUED or not item.is_open:
        raise InvalidTransition(_("This item is not open."))


def _page(request, qs):
    return id_page(qs, request.GET.get("page"), settings.PAGE_SIZE)


def _to_order(order: Order, anchor: str = ""):
    return redirect(reverse("orders:order_detail", args=[order.pk]) + (f"#{anchor}" if anchor else ""))


def _action_page(request, template: str, context: dict, form, on_valid, success: str, anchor: str = ""):
    """GET shows the form; a valid POST calls the service, whose ValidationError goes back onto the form."""
    if request.method == "POST" and form.is_valid():
        try:
            on_valid(form.cleaned_data)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, success)
            return _to_order(context["order"], anchor)
    return render(request, template, {**context, "form": form})


# Drafting -------------------------------------------------------------------------------------------------


@login_required
def order_draft(request, inspection_pk: int):
    inspection = get_visible_or_404(
        request.user, Inspection.objects.select_related("school", "district"), pk=inspection_pk
    )
    existing = visible(request.user, Order).filter(inspection=inspection).first()
    if existing is not None:
        return _to_order(existing)
    _allow(policy.can_draft_order(request.user))
    if inspection.status != Inspection.Status.APPROVED:
        raise InvalidTransition(_("An order is drafted from approved inspection results."))
    form = DraftForm(request.POST or None, initial={"language": inspection.school.document_language or "ru"})
    if request.method == "POST" and form.is_valid():
        order = services.order_draft(
            actor=request.user, inspection=inspection, language=form.cleaned_data["language"]
        )
        messages.success(
            request, _("The draft is made. Check each item and its deadline, then ask the chief to sign it.")
        )
        return _to_order(order)
    context = {
        "inspection": inspection,
        "findings": inspection.findings.count(),
        "form": form,
    }
    return render(request, "orders/order_draft.html", context)


@login_required
def order_detail(request, pk: int):
    order = _order(request, pk)
    return render(request, "orders/order_detail.html", _detail_context(request, order))


def _detail_context(request, order: Order) -> dict:
    user = request.user
    detail = selectors.order_detail(order=order)
    today = timezone.localdate()
    draft = order.status == Order.Status.DRAFT
    issued = order.status == Order.Status.ISSUED
    can_verify = issued and policy.can_verify_order(user)
    can_amend = issued and policy.can_amend_order(user)
    can_refer = issued and policy.can_issue_order(user)
    for item in detail["items"]:
        item.days_left = (item.deadline - today).days
        item.days_overdue = -item.days_left
        item.show_countdown = issued and item.is_open
        item.can_verify = can_verify and item.is_open
        item.can_amend = can_amend and item.is_open
        item.can_refer = can_refer and item.is_open and item.overdue_since and not item.referred_at
        item.extension_pending = any(r.kind == "extension" and not r.decision for r in item.report_list)
    return {
        "order": order,
        **detail,
        "amended_items": {a.item_id for a in detail["amendments"]},
        "can_edit": draft and policy.can_draft_order(user),
        "can_issue": draft and policy.can_issue_order(user),
        "can_deliver": issued and not order.delivery and policy.can_draft_order(user),
        "can_follow_up": issued and policy.can_create_inspection(user),
        "can_decide": can_verify,
        # The school answers from here too (the pages are views_school's).
        "can_answer": issued and policy.can_answer_order(user),
    }


@login_required
def order_edit(request, pk: int):
    order = _order(request, pk)
    _allow(policy.can_draft_order(request.user))
    _draft_only(order)
    form = OrderForm(request.POST or None, instance=order, user=request.user)
    return _action_page(
        request,
        "orders/action_form.html",
        {"order": order, "title": _("Order details"), "submit": _("Save")},
        form,
        lambda data: services.order_update(actor=request.user, order=order, data=data),
        _("Saved."),
    )


@login_required
def item_edit(request, pk: int, item_pk: int):
    order = _order(request, pk)
    item = _item(request, order, item_pk)
    _allow(policy.can_draft_order(request.user))
    _draft_only(order)
    form = OrderItemForm(request.POST or None, instance=item, user=request.user)
    today = timezone.localdate()
    days = services.deadline_days()
    context = {
        "order": order,
        "item": item,
        "title": _("Item %(n)d") % {"n": item.position},
        "default_deadline": services.default_deadline(
            severity=item.severity, fix_kind=item.fix_kind, issue_date=today
        ),
        "default_days": days.get((item.fix_kind, item.severity), 30),
        # Days by degree (rows) and kind of fix (columns): narrow enough for a phone.
        "fix_kinds": FixKind.choices,
        "rules": [
            (severity_label, [days.get((kind, severity), 30) for kind, _label in FixKind.choices])
            for severity, severity_label in Severity.choices
        ],
    }
    return _action_page(
        request,
        "orders/item_form.html",
        context,
        form,
        lambda data: services.order_item_update(actor=request.user, item=item, data=data),
        _("Item %(n)d saved.") % {"n": item.position},
        f"item-{item.pk}",
    )


# Issue, delivery, follow-up --------------------------------------------------------------------------------


@login_required
def order_issue(request, pk: int):
    order = _order(request, pk)
    _allow(policy.can_issue_order(request.user))
    if request.method != "POST" and order.status != Order.Status.DRAFT:
        return _to_order(order)
    form = IssueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            order = services.order_issue(actor=request.user, order=order)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(
                request,
                _("Signed: order no. %(number)s is issued and the school is told.")
                % {"number": order.number},
            )
            return _to_order(order)
    items = list(order.items.order_by("deadline"))
    context = {
        "order": order,
        "form": form,
        "items_count": len(items),
        "first_deadline": items[0].deadline if items else None,
    }
    return render(request, "orders/order_issue.html", context)


@login_required
def delivery_record(request, pk: int):
    order = _order(request, pk)
    _allow(policy.can_draft_order(request.user))
    if request.method != "POST" and (order.status != Order.Status.ISSUED or order.delivery):
        return _to_order(order)

    def record(data):
        services.order_record_delivery(
            actor=request.user, order=order, kind=data["kind"], received_by_name=data["received_by_name"],
            delivered_on=data["delivered_on"], note=data["note"],
        )  # fmt: skip

    return _action_page(
        request,
        "orders/action_form.html",
        {
            "order": order,
            "title": _("Record delivery"),
            "intro": _("Record the receipt the school signed on paper, or that it refused to sign."),
            "submit": _("Record delivery"),
        },
        DeliveryForm(request.POST or None),
        record,
        _("Delivery recorded."),
    )


@login_required
def follow_up(request, pk: int):
    order = _order(request, pk)
    # The follow-up is an inspection: whoever may create inspections may schedule it.
    _allow(policy.can_create_inspection(request.user))
    if request.method != "POST" and order.status != Order.Status.ISSUED:
        return _to_order(order)
    created = {}

    def schedule(data):
        created["inspection"] = services.follow_up_schedule(
            actor=request.user, order=order, planned_on=data["planned_on"]
        )

    response = _action_page(
        request,
        "orders/action_form.html",
        {
            "order": order,
            "title": _("Schedule a follow-up inspection"),
            "intro": _("A follow-up inspection of the school is planned; the items can be verified there."),
            "submit": _("Schedule"),
        },
        FollowUpForm(request.POST or None, initial={"planned_on": order.follow_up_on}),
        schedule,
        _("The follow-up inspection is planned."),
    )
    if "inspection" in created:
        return redirect("inspections:inspection_detail", pk=created["inspection"].pk)
    return response


# Items: amend, verify, refer; reports: decide ---------------------------------------------------------------


@login_required
def amend(request, pk: int, item_pk: int):
    order = _order(request, pk)
    item = _item(request, order, item_pk)
    _allow(policy.can_amend_order(request.user))
    _open_item(order, item)
    initial = {"kind": request.GET.get("kind") or Amendment.Kind.EXTEND}
    return _action_page(
        request,
        "orders/action_form.html",
        {
            "order": order,
            "item": item,
            "title": _("Amend item %(n)d") % {"n": item.position},
            "intro": _(
                "The issued order stays as it is: the amendment is a numbered document of its own, "
                "shown in the order's history and sent to the school."
            ),
            "submit": _("Make the amendment"),
        },
        AmendForm(request.POST or None, initial=initial),
        lambda data: services.amendment_create(
            actor=request.user,
            item=item,
            kind=data["kind"],
            reason=data["reason"],
            new_deadline=data["new_deadline"],
        ),  # fmt: skip
        _("The amendment is made; its document is in the order's history."),
        "amendments",
    )


@login_required
def verify(request, pk: int, item_pk: int):
    order = _order(request, pk)
    item = _item(request, order, item_pk)
    _allow(policy.can_verify_order(request.user))
    _open_item(order, item)
    return _action_page(
        request,
        "orders/action_form.html",
        {
            "order": order,
            "item": item,
            "title": _("Verify item %(n)d on site") % {"n": item.position},
            "submit": _("Record the result"),
        },
        VerifyForm(request.POST or None),
        lambda data: services.item_verify(
            actor=request.user, item=item, done=data["result"] == "done", reason=data["reason"]
        ),
        _("Verification recorded."),
        f"item-{item.pk}",
    )


@login_required
def refer(request, pk: int, item_pk: int):
    order = _order(request, pk)
    item = _item(request, order, item_pk)
    _allow(policy.can_issue_order(request.user))
    _open_item(order, item)
    if item.referred_at:
        raise InvalidTransition(_("This item has already been referred."))
    form = ReferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.item_refer(actor=request.user, item=item, note=form.cleaned_data["note"])
        messages.success(request, _("The referral is recorded."))
        if request.POST.get("next") == "overdue":
            return redirect("orders:overdue_list")
        return _to_order(order, f"item-{item.pk}")
    days = (timezone.localdate() - item.deadline).days
    context = {
        "order": order,
        "item": item,
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "title": _("Refer item %(n)d under КоАП art. 149") % {"n": item.position},
        "intro": ngettext("The item is %(days)d day overdue.", "The item is %(days)d days overdue.", days)
        % {"days": days}
        + " "
        + _(
            "Record that its materials were referred for an administrative case under art. 149 of the Code "
            "of Administrative Offences (КоАП РК)."
        ),
        "submit": _("Record the referral"),
    }
    return render(request, "orders/action_form.html", context)


@login_required
def decide(request, pk: int, report_pk: int):
    order = _order(request, pk)
    report = get_visible_or_404(
        request.user,
        SchoolReport.objects.filter(item__order=order)
        .select_related("item", "by")
        .prefetch_related("evidence"),
        pk=report_pk,
    )
    report.item.order = order
    _allow(policy.can_verify_order(request.user))
    if report.decision:
        raise InvalidTransition(_("This report has already been decided."))
    form = DecideForm(request.POST or None, initial={"decision": request.GET.get("decision") or "accept"})
    return _action_page(
        request,
        "orders/decide_form.html",
        {"order": order, "report": report, "item": report.item, "title": _("Decide on the report")},
        form,
        lambda data: services.report_decide(
            actor=request.user, report=report, accept=data["decision"] == "accept", reason=data["reason"]
        ),
        _("Decision recorded; the school is told."),
        f"item-{report.item_id}",
    )


# Lists ----------------------------------------------------------------------------------------------------


def _order_filters(request) -> tuple[OrderFilterForm, dict]:
    """The order list's filters: the page and its export read them here."""
    form = OrderFilterForm(request.GET or None)
    return form, form.filters()


@login_required
def order_list(request):
    form, filters = _order_filters(request)
    page = _page(request, selectors.order_list(user=request.user, **filters))
    context = {
        "form": form,
        "page": page,
        "query": request.GET.copy(),
        "counts": selectors.order_counts(user=request.user),
    }
    template = "orders/_order_rows.html" if request.htmx else "orders/order_list.html"
    return render(request, template, context)


@login_required
@require_GET
def order_export(request, fmt: str):
    _form, filters = _order_filters(request)
    return exports.order_export_response(selectors.order_list(user=request.user, **filters), fmt)


@login_required
def overdue_list(request):
    page = _page(request, selectors.overdue_items(user=request.user))
    today = timezone.localdate()
    for item in page.object_list:
        item.days_overdue = (today - item.deadline).days
    context = {"page": page, "query": request.GET.copy(), "can_refer": policy.can_issue_order(request.user)}
    return render(request, "orders/overdue_list.html", context)


@login_required
@require_GET
def overdue_export(request, fmt: str):
    return exports.overdue_export_response(selectors.overdue_items(user=request.user), fmt)


@login_required
def verification_queue(request):
    page = _page(request, selectors.verification_queue(user=request.user))
    context = {"page": page, "query": request.GET.copy(), "can_decide": policy.can_verify_order(request.user)}
    return render(request, "orders/verification_queue.html", context)


@login_required
@require_GET
def verification_queue_export(request, fmt: str):
    return exports.verification_export_response(selectors.verification_queue(user=request.user), fmt)


# Files: served as stored, never re-rendered ---------------------------------------------------------------


def _file_response(name: str, content_type: str, filename: str, *, inline: bool = False) -> FileResponse:
    try:
        handle = photo_path(name).open("rb")  # refuses any path outside MEDIA_ROOT
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _safe_number(number: str) -> str:
    return number.replace("/", "-")


@login_required
@require_GET
def order_document(request, pk: int, fmt: str):
    order = _order(request, pk)
    if fmt not in DOCUMENT_TYPES or not order.is_issued:
        raise Http404
    name = order.pdf_file if fmt == "pdf" else order.docx_file
    if not name:
        raise Http404
    filename = f"order-{_safe_number(order.number)}.{fmt}"
    return _file_response(name, DOCUMENT_TYPES[fmt], filename)


@login_required
@require_GET
def amendment_document(request, pk: int, amendment_pk: int):
    order = _order(request, pk)
    amendment = get_visible_or_404(request.user, Amendment.objects.filter(order=order), pk=amendment_pk)
    amendment.order = order
    if not amendment.pdf_file:
        raise Http404
    filename = f"order-{_safe_number(order.number)}-amendment-{amendment.seq}.pdf"
    return _file_response(amendment.pdf_file, DOCUMENT_TYPES["pdf"], filename)


@login_required
@require_GET
def evidence_file(request, pk: int, evidence_pk: int):
    order = _order(request, pk)
    evidence = get_visible_or_404(
        request.user, Evidence.objects.filter(report__item__order=order), pk=evidence_pk
    )
    content_type = (
        evidence.content_type if evidence.content_type in EVIDENCE_TYPES else "application/octet-stream"
    )
    return _file_response(
        evidence.file,
        content_type,
        evidence.original_name or f"evidence-{evidence.pk}",
        inline=content_type in INLINE_IMAGE_TYPES,
    )
