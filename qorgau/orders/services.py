"""Writes for orders: draft, issue, delivery, the school's reports, verification, amendments, referral.

Every state change is atomic and recorded as an OrderEvent. An issued order's text never changes; deadlines
change and items are withdrawn only through numbered amendments.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qorgau.accounts import policy
from qorgau.accounts.models import Role
from qorgau.checklists.models import FixKind, Severity
from qorgau.core.errors import InvalidTransition, NotAllowed
from qorgau.core.files import atomic_with_files, store_file
from qorgau.core.numbering import next_number
from qorgau.core.services import assign
from qorgau.inspections.models import Finding, Inspection
from qorgau.orders.models import (
    Amendment,
    Evidence,
    Notification,
    Order,
    OrderCounter,
    OrderEvent,
    OrderItem,
    SchoolReport,
)
from qorgau.orders.notify import notify_users, school_admins

Status = Order.Status
ItemStatus = OrderItem.Status

DEFAULT_DEADLINE_DAYS = {
    # (kind of fix, degree) -> calendar days from the issue date; settings.ORDER_DEADLINE_DAYS overrides.
    (FixKind.ORGANISATIONAL, Severity.GROSS): 10,
    (FixKind.ORGANISATIONAL, Severity.SIGNIFICANT): 30,
    (FixKind.ORGANISATIONAL, Severity.MINOR): 30,
    (FixKind.EQUIPMENT, Severity.GROSS): 60,
    (FixKind.EQUIPMENT, Severity.SIGNIFICANT): 90,
    (FixKind.EQUIPMENT, Severity.MINOR): 90,
}


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _event(order: Order, actor, action: str, comment: str = "", item: OrderItem | None = None) -> OrderEvent:
    return OrderEvent.objects.create(order=order, item=item, actor=actor, action=action, comment=comment)


def today() -> dt.date:
    """Today in Asia/Almaty: deadlines are calendar dates there."""
    return timezone.localdate()


def deadline_days() -> dict[tuple[str, str], int]:
    """Days from the issue date to an item's default deadline, by (kind of fix, degree)."""
    return {**DEFAULT_DEADLINE_DAYS, **getattr(settings, "ORDER_DEADLINE_DAYS", {})}


def default_deadline(*, severity: str, fix_kind: str, issue_date: dt.date) -> dt.date:
    return issue_date + dt.timedelta(days=deadline_days().get((fix_kind, severity), 30))


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("district", "school").get(pk=order.pk)


# Drafting -------------------------------------------------------------------------------------------------


@transaction.atomic
def order_draft(*, actor, inspection: Inspection, language: str | None = None) -> Order:
    """A draft order with one item per finding of an approved inspection."""
    _require(policy.can_draft_order(actor), _("You may not draft orders."))
    inspection = Inspection.objects.select_for_update().select_related("school").get(pk=inspection.pk)
    if inspection.status != Inspection.Status.APPROVED:
        raise InvalidTransition(_("An order is drafted from approved inspection results."))
    existing = Order.objects.filter(inspection=inspection).first()
    if existing is not None:
        return existing
    findings = list(
        Finding.objects.filter(inspection=inspection)
        .select_related("item__section")
        .order_by("item__section__order", "item__order", "id")
    )
    if not findings:
        raise InvalidTransition(_("The inspection found no violations: there is nothing to order."))
    language = language or inspection.school.document_language or "ru"
    order = Order.objects.create(
        inspection=inspection, school=inspection.school, district_id=inspection.district_id,
        language=language, drafted_by=actor,
    )  # fmt: skip
    issue_date = today()
    items = []
    for position, finding in enumerate(findings, start=1):
        item = finding.item
        fix_kind = item.fix_kind if item else FixKind.ORGANISATIONAL
        remedy = (item.remedy_kk if language == "kk" else item.remedy_ru) if item else ""
        found = found_text(finding, language)
        items.append(
            OrderItem(
                order=order,
                school_id=order.school_id,
                district_id=order.district_id,
                category=item.section.code if item else "",
                finding=finding,
                position=position,
                found=found,
                legal_ref=finding.legal_ref,
                remedy=remedy or (item.remedy_ru if item else ""),
                severity=finding.severity,
                fix_kind=fix_kind,
                deadline=default_deadline(
                    severity=finding.severity, fix_kind=fix_kind, issue_date=issue_date
                ),
            )  # fmt: skip
        )
    OrderItem.objects.bulk_create(items)
    _event(order, actor, OrderEvent.Action.DRAFTED)
    return order


def found_text(finding: Finding, language: str) -> str:
    """ "What was found and where" for an order item, in the order's language: the requirement that is not
    met, then what the inspection recorded, then where."""
    with translation.override(language):
        if finding.item is not None:
            requirement = finding.item.text_kk if language == "kk" else finding.item.text_ru
            text = _("Not met: %(requirement)s") % {"requirement": requirement.rstrip(".")}
            if finding.text:
                text = f"{text}. {finding.text}"
        else:
            text = finding.text
        if finding.location:
            text = f"{text} ({finding.location})"
    return text


def _draft_only(order: Order) -> None:
    if order.status != Status.DRAFT:
        raise InvalidTransition(_("An issued order is never edited; make an amendment instead."))


ORDER_FIELDS = ("language", "report_by_days", "follow_up_on")
ITEM_FIELDS = ("found", "legal_ref", "remedy", "severity", "fix_kind", "deadline")


@transaction.atomic
def order_update(*, actor, order: Order, data: dict[str, Any]) -> Order:
    _require(policy.can_draft_order(actor), _("You may not edit orders."))
    order = _locked(order)
    _draft_only(order)
    assign(order, data, ORDER_FIELDS)
    if order.follow_up_on and order.follow_up_on < today():
        raise ValidationError({"follow_up_on": _("The follow-up check cannot be in the past.")})
    order.full_clean(exclude=["inspection", "school", "district", "drafted_by"])
    order.save()
    return order


@transaction.atomic
def order_item_update(*, actor, item: OrderItem, data: dict[str, Any]) -> OrderItem:
    _require(policy.can_draft_order(actor), _("You may not edit orders."))
    order = _locked(item.order)
    _draft_only(order)  # checked on the locked row: an order issued meanwhile is not edited
    item = OrderItem.objects.select_for_update().get(pk=item.pk)
    assign(item, data, ITEM_FIELDS)
    if item.deadline and item.deadline < today():
        raise ValidationError({"deadline": _("The deadline cannot be before the issue date.")})
    item.full_clean(exclude=["order", "finding"])
    item.save()
    return item


# Issue and delivery --------------------------------------------------------------------------------------


def store_document(data: bytes, suffix: str) -> tuple[str, str]:
    """Store an issued document or evidence file; return its path under MEDIA_ROOT and its SHA-256."""
    return store_file(data, folder="documents", suffix=suffix)


@atomic_with_files()
def order_issue(*, actor, order: Order) -> Order:
    """The district chief signs the order: it gets its number, becomes immutable, its documents are made."""
    from qorgau.orders import documents

    _require(policy.can_issue_order(actor), _("Only the district chief issues orders."))
    order = _locked(order)
    _draft_only(order)
    issue_date = today()
    items = list(order.items.all())
    if not items:
        raise ValidationError({"items": _("The order has no items.")})
    for item in items:
        if not item.remedy.strip():
            raise ValidationError({"items": _("Item %(n)d has no required remedy.") % {"n": item.position}})
        if item.deadline < issue_date:
            raise ValidationError(
                {"items": _("The deadline of item %(n)d is before the issue date.") % {"n": item.position}}
            )
    order.year = timezone.localtime().year
    order.seq = next_number(OrderCounter, district_id=order.district_id, year=order.year)
    order.status = Status.ISSUED
    order.issued_by = actor
    order.issued_at = timezone.now()
    order.save()
    order.items.update(issued_at=order.issued_at)
    pdf, docx = documents.order_documents(order=order)
    order.pdf_file, order.pdf_sha256 = store_document(pdf, ".pdf")
    order.docx_file, order.docx_sha256 = store_document(docx, ".docx")
    order.save(update_fields=["pdf_file", "pdf_sha256", "docx_file", "docx_sha256"])
    _event(order, actor, OrderEvent.Action.ISSUED, order.number)
    transaction.on_commit(
        lambda: notify_users(
            users=school_admins(order.school_id), kind="issued", key=f"issued:{order.pk}", order=order
        )
    )
    return order


@transaction.atomic
def order_acknowledge(*, actor, order: Order, name: str) -> Order:
    """The school admin confirms receipt in Qorgau."""
    _require(actor.role == Role.SCHOOL_ADMIN, _("Only the school acknowledges receipt."))
    order = _locked(order)
    if order.status != Status.ISSUED:
        raise InvalidTransition(_("Only an issued order can be acknowledged."))
    if order.delivery:
        raise InvalidTransition(_("Receipt of this order is already recorded."))
    if not name.strip():
        raise ValidationError({"name": _("Give the name of the person who received the order.")})
    order.delivery = Order.Delivery.ONLINE
    order.delivered_at = timezone.now()
    order.received_by_name = name.strip()[:200]
    order.delivery_recorded_by = actor
    order.save()
    _event(order, actor, OrderEvent.Action.DELIVERED, order.received_by_name)
    return order


@transaction.atomic
def order_record_delivery(
    *, actor, order: Order, kind: str, received_by_name: str = "", delivered_on: dt.date | None = None,
    note: str = "",
) -> Order:  # fmt: skip
    """The inspector records receipt signed on paper, or that receipt was refused."""
    _require(policy.can_draft_order(actor), _("You may not record delivery."))
    order = _locked(order)
    if order.status != Status.ISSUED:
        raise InvalidTransition(_("Only an issued order can be delivered."))
    if order.delivery:
        raise InvalidTransition(_("Receipt of this order is already recorded."))
    if kind not in (Order.Delivery.PAPER, Order.Delivery.REFUSED):
        raise ValidationError({"kind": _("Choose how the order was delivered.")})
    if kind == Order.Delivery.PAPER and not received_by_name.strip():
        raise ValidationError({"received_by_name": _("Give the name of the person who signed the receipt.")})
    if kind == Order.Delivery.REFUSED and not note.strip():
        raise ValidationError({"note": _("Describe the refusal (who refused, in whose presence).")})
    when = delivered_on or today()
    if when > today() or (order.issued_at and when < timezone.localtime(order.issued_at).date()):
        raise ValidationError({"delivered_on": _("The date must be between the issue date and today.")})
    order.delivery = kind
    order.delivered_at = timezone.make_aware(dt.datetime.combine(when, dt.time(12, 0)))
    order.received_by_name = received_by_name.strip()[:200]
    order.delivery_note = note.strip()[:500]
    order.delivery_recorded_by = actor
    order.save()
    action = (
        OrderEvent.Action.DELIVERED if kind == Order.Delivery.PAPER else OrderEvent.Action.RECEIPT_REFUSED
    )
    _event(order, actor, action, order.received_by_name or order.delivery_note)
    return order


# The school's side ---------------------------------------------------------------------------------------


def _school_item(actor, item: OrderItem) -> OrderItem:
    _require(actor.role == Role.SCHOOL_ADMIN, _("Only the school reports on its order."))
    item = (
        OrderItem.objects.select_for_update()
        .select_related("order__school", "order__district")
        .get(pk=item.pk)
    )
    if item.order.status != Status.ISSUED:
        raise InvalidTransition(_("This order is not open."))
    return item


@atomic_with_files()
def report_fix(*, actor, item: OrderItem, comment: str, files: list[tuple[str, bytes]]) -> SchoolReport:
    """The school reports an item fixed, with evidence files (photos, PDF contracts, certificates)."""
    from qorgau.orders.evidence import EVIDENCE_MAX_FILES, SUFFIXES, check_total, evidence_for_storage

    item = _school_item(actor, item)
    if item.status != ItemStatus.OPEN:
        raise InvalidTransition(_("This item is not waiting for a fix."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what was done.")})
    if not files:
        raise ValidationError({"files": _("Attach at least one file as evidence.")})
    if len(files) > EVIDENCE_MAX_FILES:
        raise ValidationError({"files": _("At most %(n)d files at once.") % {"n": EVIDENCE_MAX_FILES}})
    check_total([len(data) for _name, data in files])
    checked = [evidence_for_storage(name, data) for name, data in files]
    report = SchoolReport.objects.create(
        item=item, kind=SchoolReport.Kind.FIX, comment=comment.strip(), by=actor
    )
    for name, data, content_type in checked:
        path, digest = store_document(data, SUFFIXES.get(content_type, ".bin"))
        Evidence.objects.create(
            report=report, file=path, original_name=name[:200], content_type=content_type, size=len(data),
            sha256=digest, uploaded_by=actor,
        )  # fmt: skip
    item.status = ItemStatus.REPORTED
    item.save(update_fields=["status"])
    _event(item.order, actor, OrderEvent.Action.REPORTED, comment.strip()[:500], item)
    order = item.order
    transaction.on_commit(
        lambda: notify_users(
            users=[order.drafted_by], kind="reported", key=f"reported:{report.pk}", order=order, item=item
        )
    )
    return report


@transaction.atomic
def request_extension(*, actor, item: OrderItem, requested_deadline: dt.date, reason: str) -> SchoolReport:
    item = _school_item(actor, item)
    if item.status not in (ItemStatus.OPEN, ItemStatus.REPORTED):
        raise InvalidTransition(_("This item is closed."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if requested_deadline is None or requested_deadline <= item.deadline:
        raise ValidationError({"requested_deadline": _("Ask for a date after the current deadline.")})
    if item.reports.filter(kind=SchoolReport.Kind.EXTENSION, decision="").exists():
        raise InvalidTransition(_("An extension request for this item is already waiting for a decision."))
    report = SchoolReport.objects.create(
        item=item, kind=SchoolReport.Kind.EXTENSION, comment=reason.strip(),
        requested_deadline=requested_deadline, by=actor,
    )  # fmt: skip
    _event(item.order, actor, OrderEvent.Action.EXTENSION_REQUESTED, reason.strip()[:500], item)
    return report


# Verification, amendments, closing -----------------------------------------------------------------------


def _settle_pending(actor, item: OrderItem, reason: str, *, kind: str | None = None) -> None:
    """Close the school's undecided reports on an item whose fate was decided otherwise (verified on site,
    withdrawn, order closed), so that nothing waits for a decision that can no longer be made."""
    pending = SchoolReport.objects.filter(item=item, decision="")
    if kind:
        pending = pending.filter(kind=kind)
    pending.update(
        decision=SchoolReport.Decision.REJECTED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_reason=reason,
    )


def _close_if_done(order: Order, actor) -> None:
    if not order.items.exclude(status__in=[ItemStatus.DONE, ItemStatus.WITHDRAWN]).exists():
        for item in order.items.all():
            _settle_pending(actor, item, _("The order was closed."))
        order.status = Status.CLOSED
        order.closed_at = timezone.now()
        order.save(update_fields=["status", "closed_at"])
        _event(order, actor, OrderEvent.Action.CLOSED)


@atomic_with_files()
def report_decide(*, actor, report: SchoolReport, accept: bool, reason: str = "") -> SchoolReport:
    """The inspector accepts a reported fix (item done) or rejects it with a reason (back to the school);
    for an extension request, accepting makes an amendment with the requested deadline."""
    _require(policy.can_verify_order(actor), _("You may not verify orders."))
    report = SchoolReport.objects.select_for_update().select_related("item__order").get(pk=report.pk)
    item = OrderItem.objects.select_for_update().get(pk=report.item_id)
    order = _locked(item.order)
    if report.decision:
        raise InvalidTransition(_("This report has already been decided."))
    if order.status != Status.ISSUED:
        raise InvalidTransition(_("This order is not open."))
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the report is rejected.")})
    report.decision = SchoolReport.Decision.ACCEPTED if accept else SchoolReport.Decision.REJECTED
    report.decided_by = actor
    report.decided_at = timezone.now()
    report.decision_reason = reason.strip()
    report.save()
    if report.kind == SchoolReport.Kind.FIX:
        if item.status != ItemStatus.REPORTED:
            raise InvalidTransition(_("This item is not waiting for verification."))
        if accept:
            item.status = ItemStatus.DONE
            item.done_at = timezone.now()
            _event(order, actor, OrderEvent.Action.ACCEPTED, reason.strip(), item)
            _settle_pending(actor, item, _("The item was done."), kind=SchoolReport.Kind.EXTENSION)
        else:
            item.status = ItemStatus.OPEN
            _event(order, actor, OrderEvent.Action.REJECTED, reason.strip(), item)
        item.save(update_fields=["status", "done_at"])
    elif accept:
        if not item.is_open:
            raise InvalidTransition(_("This item is closed: its deadline cannot be extended."))
        _amend(actor, order, item, Amendment.Kind.EXTEND, report.requested_deadline, report.comment)
    else:
        _event(order, actor, OrderEvent.Action.REJECTED, reason.strip(), item)
    transaction.on_commit(
        lambda: notify_users(
            users=school_admins(order.school_id),
            kind="decided",
            key=f"decided:{report.pk}",
            order=order,
            item=item,
        )
    )
    _close_if_done(order, actor)
    return report


@transaction.atomic
def item_verify(*, actor, item: OrderItem, done: bool, reason: str = "") -> OrderItem:
    """Verified on site (e.g. at a follow-up inspection) without a report from the school."""
    _require(policy.can_verify_order(actor), _("You may not verify orders."))
    item = OrderItem.objects.select_for_update().get(pk=item.pk)
    order = _locked(item.order)
    if order.status != Status.ISSUED or not item.is_open:
        raise InvalidTransition(_("This item is not open."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say how the item was verified.")})
    # A done item needs no more time either; a failed check voids the school's fix report.
    _settle_pending(actor, item, reason.strip(), kind=None if done else SchoolReport.Kind.FIX)
    if done:
        item.status = ItemStatus.DONE
        item.done_at = timezone.now()
        item.save(update_fields=["status", "done_at"])
        _event(order, actor, OrderEvent.Action.ACCEPTED, reason.strip(), item)
        _close_if_done(order, actor)
    else:
        item.status = ItemStatus.OPEN
        item.save(update_fields=["status"])
        _event(order, actor, OrderEvent.Action.REJECTED, reason.strip(), item)
    return item


def _amend(actor, order: Order, item: OrderItem, kind: str, new_deadline, reason: str) -> Amendment:
    from qorgau.orders import documents

    if kind == Amendment.Kind.EXTEND and (new_deadline is None or new_deadline <= item.deadline):
        raise ValidationError({"new_deadline": _("The new deadline must be after the current one.")})
    if kind == Amendment.Kind.EXTEND and new_deadline < today():
        raise ValidationError({"new_deadline": _("The new deadline cannot be in the past.")})
    seq = (order.amendments.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    amendment = Amendment.objects.create(
        order=order, item=item, seq=seq, kind=kind, old_deadline=item.deadline,
        new_deadline=new_deadline if kind == Amendment.Kind.EXTEND else None, reason=reason.strip(), by=actor,
    )  # fmt: skip
    if kind == Amendment.Kind.EXTEND:
        item.deadline = new_deadline
        item.overdue_since = None  # the new deadline starts the reminders and the overdue check afresh
        item.save(update_fields=["deadline", "overdue_since"])
    else:
        item.status = ItemStatus.WITHDRAWN
        item.save(update_fields=["status"])
        _settle_pending(actor, item, _("The item was withdrawn from the order."))
    pdf = documents.amendment_pdf(amendment=amendment)
    amendment.pdf_file, amendment.pdf_sha256 = store_document(pdf, ".pdf")
    amendment.save(update_fields=["pdf_file", "pdf_sha256"])
    _event(order, actor, OrderEvent.Action.AMENDED, f"{amendment.number}: {reason.strip()}", item)
    return amendment


@atomic_with_files()
def amendment_create(
    *, actor, item: OrderItem, kind: str, reason: str, new_deadline: dt.date | None = None
) -> Amendment:
    _require(policy.can_amend_order(actor), _("You may not amend orders."))
    item = OrderItem.objects.select_for_update().get(pk=item.pk)
    order = _locked(item.order)
    if order.status != Status.ISSUED or not item.is_open:
        raise InvalidTransition(_("Only an open item of an issued order can be amended."))
    if kind not in Amendment.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of amendment.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the amendment.")})
    amendment = _amend(actor, order, item, kind, new_deadline, reason)
    _close_if_done(order, actor)
    return amendment


@transaction.atomic
def item_refer(*, actor, item: OrderItem, note: str) -> OrderItem:
    """The district chief refers an overdue item for an administrative case under КоАП РК art. 149."""
    _require(policy.can_issue_order(actor), _("Only the district chief refers items."))
    item = OrderItem.objects.select_for_update().get(pk=item.pk)
    if item.overdue_since is None or not item.is_open:
        raise InvalidTransition(_("Only an open overdue item can be referred."))
    if item.referred_at:
        raise InvalidTransition(_("This item has already been referred."))
    item.referred_at = timezone.now()
    item.referred_by = actor
    item.referral_note = note.strip()[:500]
    item.save(update_fields=["referred_at", "referred_by", "referral_note"])
    _event(item.order, actor, OrderEvent.Action.REFERRED, item.referral_note, item)
    return item


@transaction.atomic
def follow_up_schedule(*, actor, order: Order, planned_on: dt.date) -> Inspection:
    """A follow-up inspection of the school to verify the order's items on site."""
    from qorgau.inspections.services import inspection_create

    _require(policy.can_create_inspection(actor), _("You may not schedule inspections."))
    if order.status != Status.ISSUED:
        raise InvalidTransition(_("A follow-up is scheduled for an issued, open order."))
    if planned_on < today():
        raise ValidationError({"planned_on": _("The date cannot be in the past.")})
    inspection = inspection_create(
        actor=actor, school=order.school, kind=Inspection.Kind.FOLLOW_UP, planned_on=planned_on,
        reason=_("Follow-up of order %(number)s") % {"number": order.number},
    )  # fmt: skip
    Order.objects.filter(pk=order.pk).update(follow_up_on=planned_on)
    _event(order, actor, OrderEvent.Action.FOLLOW_UP, planned_on.strftime("%d.%m.%Y"))
    return inspection


# Notifications -------------------------------------------------------------------------------------------


def notification_mark_read(*, user, notification: Notification | None = None) -> int:
    """Mark one of the user's own notifications read, or all of them; return how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=timezone.now())
