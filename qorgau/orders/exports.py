"""Exports of the order lists: orders, overdue items, the verification queue, and the school's own list of
what it must fix. The rows come from the same scoped selector as the page, with the same filters."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from qorgau.checklists.models import FixKind, Severity
from qorgau.core.exports import Column, choice_labels, export_response
from qorgau.orders.models import Order, OrderItem, SchoolReport

CHUNK = 2000


def _order_columns() -> list[Column]:
    status, delivery = choice_labels(Order.Status.choices), choice_labels(Order.Delivery.choices)
    return [
        (_("Order no."), lambda o: o.number),
        (_("Status"), lambda o: status[o.status]),
        (_("School"), lambda o: o.school.name),
        (_("BIN"), lambda o: o.school.bin),
        (_("District"), lambda o: o.district.name),
        (_("Issued at"), lambda o: o.issued_at),
        (_("Delivery"), lambda o: delivery.get(o.delivery, "")),
        (_("Delivered at"), lambda o: o.delivered_at),
        (_("Items"), lambda o: o.items_total),
        (_("Open items"), lambda o: o.items_open),
        (_("Overdue items"), lambda o: o.items_overdue),
        (_("Items to verify"), lambda o: o.items_reported),
        (_("Closed at"), lambda o: o.closed_at),
    ]


def order_export_response(orders, fmt: str):
    return export_response(
        rows=orders.iterator(chunk_size=CHUNK), columns=_order_columns(), fmt=fmt, filename="orders",
        sheet=_("Orders"),
    )  # fmt: skip


def _item_labels() -> tuple[dict, dict, dict]:
    return (
        choice_labels(Severity.choices),
        choice_labels(FixKind.choices),
        choice_labels(OrderItem.Status.choices),
    )


def _overdue_columns() -> list[Column]:
    today = timezone.localdate()
    severity, fix_kind, status = _item_labels()
    return [
        (_("Days overdue"), lambda i: (today - i.deadline).days),
        (_("Deadline"), lambda i: i.deadline),
        (_("School"), lambda i: i.order.school.name),
        (_("BIN"), lambda i: i.order.school.bin),
        (_("District"), lambda i: i.order.district.name),
        (_("Order no."), lambda i: i.order.number),
        (_("Item no."), lambda i: i.position),
        (_("Degree"), lambda i: severity[i.severity]),
        (_("Kind of fix"), lambda i: fix_kind[i.fix_kind]),
        (_("Status"), lambda i: status[i.status]),
        (_("What was found"), lambda i: i.found),
        (_("Violated norm"), lambda i: i.legal_ref),
        (_("Required remedy"), lambda i: i.remedy),
        (_("Referred under КоАП art. 149"), lambda i: i.referred_at),
        (_("Referred by"), lambda i: i.referred_by.display_name if i.referred_by_id else ""),
    ]


def overdue_export_response(items, fmt: str):
    return export_response(
        rows=items.iterator(chunk_size=CHUNK), columns=_overdue_columns(), fmt=fmt, filename="overdue-items",
        sheet=_("Overdue items"),
    )  # fmt: skip


def _queue_columns() -> list[Column]:
    kind = choice_labels(SchoolReport.Kind.choices)
    return [
        (_("Sent at"), lambda r: r.at),
        (_("School"), lambda r: r.item.order.school.name),
        (_("District"), lambda r: r.item.order.district.name),
        (_("Order no."), lambda r: r.item.order.number),
        (_("Item no."), lambda r: r.item.position),
        (_("Item deadline"), lambda r: r.item.deadline),
        (_("Kind"), lambda r: kind[r.kind]),
        (_("Requested deadline"), lambda r: r.requested_deadline),
        (_("Comment"), lambda r: r.comment),
        (_("Sent by"), lambda r: r.by.display_name if r.by_id else ""),
        # The evidence is prefetched per chunk of reports, as on the page.
        (_("Files"), lambda r: len(r.evidence.all())),
    ]


def verification_export_response(reports, fmt: str):
    return export_response(
        rows=reports.iterator(chunk_size=CHUNK), columns=_queue_columns(), fmt=fmt, filename="to-verify",
        sheet=_("To verify"),
    )  # fmt: skip


def _to_fix_columns() -> list[Column]:
    severity, _fix_kind, status = _item_labels()
    return [
        (_("Deadline"), lambda i: i.deadline),
        (_("Days left"), lambda i: max(0, i.days_left)),
        (_("Days overdue"), lambda i: i.days_overdue),
        (_("Order no."), lambda i: i.order.number),
        (_("Issued at"), lambda i: i.order.issued_at),
        (_("Item no."), lambda i: i.position),
        (_("What was found"), lambda i: i.found),
        (_("What must be done"), lambda i: i.remedy),
        (_("Violated norm"), lambda i: i.legal_ref),
        (_("Degree"), lambda i: severity[i.severity]),
        (_("Status"), lambda i: status[i.status]),
        (_("More time asked for, until"), lambda i: i.extension_until if i.extension_pending else None),
        (_("Refused by the police"), lambda i: i.last_decision_reason if i.refusal_kind else ""),
    ]


def to_fix_export_response(items, fmt: str):
    # One school's open items (tens at most), already read by the page's selector: a list is fine here.
    return export_response(
        rows=items, columns=_to_fix_columns(), fmt=fmt, filename="to-fix", sheet=_("What we must fix")
    )
