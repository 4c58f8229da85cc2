"""The school's side of orders: what we must fix, confirming receipt, reporting fixes, asking for more time;
and everyone's notifications.

Each view fetches its objects through the scoping layer (a school sees only its own issued orders: 404 for
anything else), then asks the policy (403 for police and education, who may see but not answer), then calls
the service.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qorgau.accounts import policy
from qorgau.accounts.scoping import get_visible_or_404
from qorgau.orders import exports, selectors, services
from qorgau.orders.evidence import EVIDENCE_MAX_FILES
from qorgau.orders.forms_school import AcknowledgeForm, ExtensionForm, ReportForm, max_mb
from qorgau.orders.models import Notification, Order, OrderItem, SchoolReport


def _require_answering(user) -> None:
    if not policy.can_answer_order(user):
        raise PermissionDenied


def _order(request, pk: int) -> Order:
    order = get_visible_or_404(request.user, Order.objects.select_related("district", "school"), pk=pk)
    _require_answering(request.user)
    return order


def _item(request, pk: int, item_pk: int) -> OrderItem:
    """The item, only if it belongs to the order in the URL and the user may see that order."""
    item = get_visible_or_404(
        request.user,
        OrderItem.objects.select_related("order__district", "order__school"),
        pk=item_pk,
        order_id=pk,
    )
    _require_answering(request.user)
    return item


def _days(item: OrderItem) -> dict[str, int]:
    days = selectors.days_left(item)
    return {"days_left": days, "days_overdue": max(0, -days)}


def _closed_message(item: OrderItem) -> str:
    if item.status == OrderItem.Status.REPORTED:
        return _("You have already reported this item. The police will check your report.")
    return _("This item is closed: nothing more is needed.")


@login_required
def to_fix(request):
    _require_answering(request.user)
    items = selectors.school_to_fix(user=request.user)
    context = {
        "to_acknowledge": [
            (order, AcknowledgeForm(initial={"name": request.user.get_full_name()}, prefix=f"ack{order.pk}"))
            for order in selectors.school_orders_to_acknowledge(user=request.user)
        ],
        "items": items,
        "overdue_count": sum(1 for i in items if i.is_overdue),
        "orders": selectors.order_list(user=request.user, status=Order.Status.ISSUED),
        "done": selectors.school_done_recently(user=request.user)[:50],
        "today": timezone.localdate(),
    }
    return render(request, "orders/to_fix.html", context)


@login_required
@require_GET
def to_fix_export(request, fmt: str):
    _require_answering(request.user)
    return exports.to_fix_export_response(selectors.school_to_fix(user=request.user), fmt)


@login_required
def acknowledge(request, pk: int):
    order = _order(request, pk)
    if order.delivery:
        messages.info(request, _("Receipt of order %(n)s is already recorded.") % {"n": order.number})
        return redirect("orders:to_fix")
    form = AcknowledgeForm(
        request.POST or None, initial={"name": request.user.get_full_name()}, prefix=f"ack{order.pk}"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.order_acknowledge(actor=request.user, order=order, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(
                request,
                _("Receipt of order %(n)s is confirmed. Below is what must be fixed and by when.")
                % {"n": order.number},
            )
            return redirect("orders:to_fix")
    return render(
        request, "orders/acknowledge.html", {"order": order, "form": form, "today": timezone.localdate()}
    )


@login_required
def report(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk)
    if item.status != OrderItem.Status.OPEN or item.order.status != Order.Status.ISSUED:
        messages.info(request, _closed_message(item))
        return redirect("orders:to_fix")
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_fix(
                actor=request.user,
                item=item,
                comment=form.cleaned_data["comment"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(
                request,
                _("Your report on item %(p)d of order %(n)s is sent. The police will check it and tell you.")
                % {"p": item.position, "n": item.order.number},
            )
            return redirect("orders:to_fix")
    context = {
        "item": item,
        "form": form,
        "max_files": EVIDENCE_MAX_FILES,
        "max_mb": max_mb(),
        "max_bytes": settings.EVIDENCE_MAX_BYTES,
        **_days(item),
    }
    return render(request, "orders/report.html", context)


@login_required
def extension(request, pk: int, item_pk: int):
    item = _item(request, pk, item_pk)
    if not item.is_open or item.order.status != Order.Status.ISSUED:
        messages.info(request, _closed_message(item))
        return redirect("orders:to_fix")
    pending = item.reports.filter(kind=SchoolReport.Kind.EXTENSION, decision="").first()
    form = ExtensionForm(request.POST or None, deadline=item.deadline)
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            services.request_extension(
                actor=request.user,
                item=item,
                requested_deadline=form.cleaned_data["requested_deadline"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(
                request,
                _("Your request for more time on item %(p)d of order %(n)s is sent to the police.")
                % {"p": item.position, "n": item.order.number},
            )
            return redirect("orders:to_fix")
    context = {"item": item, "form": form, "pending": pending, **_days(item)}
    return render(request, "orders/extension.html", context)


# Notifications, for every signed-in user ---------------------------------------------------------------


def _target(user, note: Notification) -> str:
    """Where a notification leads: the school to its list of what to fix, the police to the order."""
    if policy.can_answer_order(user):
        return reverse("orders:to_fix") + (f"#item-{note.item_id}" if note.item_id else "")
    return reverse("orders:order_detail", args=[note.order_id])


@login_required
def notifications(request):
    page = Paginator(selectors.notifications(user=request.user), settings.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for note in page:
        note.target = _target(request.user, note)
        # The body is also the email; its closing line ("open Qorgau…") is for the email only.
        note.summary = note.body.split("\n\n")[0]
    return render(request, "orders/notifications.html", {"page": page, "query": request.GET.copy()})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one notification read; with "open", go on to what it is about (one tap on the phone)."""
    note = get_object_or_404(selectors.notifications(user=request.user), pk=pk)
    services.notification_mark_read(user=request.user, notification=note)
    if request.POST.get("open"):
        return redirect(_target(request.user, note))
    query = request.GET.urlencode()  # back to the same page of the list
    return redirect(reverse("orders:notifications") + (f"?{query}" if query else ""))


@login_required
@require_POST
def notification_read_all(request):
    services.notification_mark_read(user=request.user)
    return redirect("orders:notifications")
