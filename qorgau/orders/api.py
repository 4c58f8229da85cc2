"""Orders API: the whole remediation loop, from the draft to the closed order, and the user's notifications.

Every object comes through the scoping layer, as on the pages: a school sees its orders once issued, a
district office its district's, and anything else is answered 404. Items, reports and amendments are looked
up within their order, so an id from another order under this order's URL is not found either. Writes go
through `services`, which decide who may do what (403) and what the order's state allows (409).
"""

# No `from __future__ import annotations`: ninja reads the annotations at runtime.
from datetime import date, datetime
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, File, Form, PatchDict, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from qorgau.accounts.scoping import get_visible_or_404
from qorgau.core.api_schema import MAX_PAGE, STRICT, choice
from qorgau.inspections.models import Inspection
from qorgau.orders import selectors, services
from qorgau.orders.models import Amendment, Order, OrderItem, SchoolReport

router = Router(tags=["orders"])

DOCUMENT_LANGUAGES = tuple(code for code, _label in Order._meta.get_field("language").choices)


# Schemas -----------------------------------------------------------------------------------------------


class OrderPersonOut(Schema):
    id: int
    name: str = Field(..., alias="display_name")


class OrderSchoolRef(Schema):
    id: int
    name: str


class OrderDistrictRef(Schema):
    id: int
    code: str
    name: str


class OrderDocumentOut(Schema):
    url: str = Field(description="Download address; the file is served exactly as stored at issue.")
    sha256: str


class OrderSummaryOut(Schema):
    id: int
    number: str = Field(description="District code / year / sequence; empty for a draft.")
    status: choice(Order.Status)
    language: str
    school: OrderSchoolRef
    district: OrderDistrictRef
    inspection_id: int
    drafted_at: datetime
    issued_at: datetime | None
    delivery: str
    delivered_at: datetime | None
    follow_up_on: date | None = None
    closed_at: datetime | None
    items_total: int
    items_open: int
    items_overdue: int
    items_reported: int


class OrderEvidenceOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    url: str


class SchoolReportOut(Schema):
    id: int
    item_id: int
    kind: choice(SchoolReport.Kind)
    comment: str
    requested_deadline: date | None
    by: OrderPersonOut
    at: datetime
    decision: str = Field(description='"" while awaiting a decision, then "accepted" or "rejected".')
    decided_by: OrderPersonOut | None
    decided_at: datetime | None
    decision_reason: str
    evidence: list[OrderEvidenceOut]


class OrderItemOut(Schema):
    id: int
    position: int
    found: str
    legal_ref: str
    remedy: str
    severity: str
    fix_kind: str
    deadline: date
    status: choice(OrderItem.Status)
    overdue_since: date | None
    done_at: datetime | None
    referred_at: datetime | None
    referred_by: OrderPersonOut | None
    referral_note: str
    reports: list[SchoolReportOut] = Field(..., alias="report_list")


class OrderAmendmentOut(Schema):
    id: int
    number: str
    seq: int
    kind: choice(Amendment.Kind)
    item_id: int
    old_deadline: date | None
    new_deadline: date | None
    reason: str
    by: OrderPersonOut
    at: datetime
    document: OrderDocumentOut | None


class OrderEventOut(Schema):
    at: datetime
    action: str
    actor: OrderPersonOut | None
    item_id: int | None
    comment: str


class OrderOut(OrderSummaryOut):
    report_by_days: int
    drafted_by: OrderPersonOut
    issued_by: OrderPersonOut | None
    received_by_name: str
    delivery_note: str
    documents: dict[str, OrderDocumentOut] = Field(
        description='"pdf" and "docx" once issued; empty for a draft.'
    )
    items: list[OrderItemOut] = Field(..., alias="item_list")
    amendments: list[OrderAmendmentOut] = Field(..., alias="amendment_list")
    events: list[OrderEventOut] = Field(..., alias="event_list")


class OverdueOrderItemOut(Schema):
    id: int
    order_id: int
    order_number: str
    school: OrderSchoolRef
    position: int
    found: str
    severity: str
    deadline: date
    overdue_since: date
    days_overdue: int = Field(description="Whole days since the deadline day ended: 1 the day after it.")
    referred_at: datetime | None

    @staticmethod
    def resolve_order_number(item: OrderItem) -> str:
        return item.order.number

    @staticmethod
    def resolve_school(item: OrderItem):
        return item.order.school

    @staticmethod
    def resolve_days_overdue(item: OrderItem) -> int:
        return -selectors.days_left(item)


class OrderFollowUpOut(Schema):
    inspection_id: int
    planned_on: date


class NotificationOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    order_id: int
    item_id: int | None
    created_at: datetime
    read_at: datetime | None


# Input. Text fields default to "" so that a missing one reaches the service, which names it in its error.


class OrderFilters(Schema):
    status: choice(Order.Status) | None = None
    school: int | None = None
    overdue: bool = Field(False, description="Only orders with overdue items.")
    q: str = Field("", max_length=100, description="School name or BIN.")


class OrderDraftIn(Schema):
    model_config = STRICT
    language: Literal[DOCUMENT_LANGUAGES] | None = None  # type: ignore[valid-type]


class OrderPatchIn(Schema):
    model_config = STRICT
    language: str
    report_by_days: int
    follow_up_on: date | None = None


class OrderItemPatchIn(Schema):
    model_config = STRICT
    found: str
    legal_ref: str
    remedy: str
    severity: str
    fix_kind: str
    deadline: date


class OrderAcknowledgeIn(Schema):
    model_config = STRICT
    name: str = Field("", description="Who received the order at the school.")


class OrderDeliveryIn(Schema):
    model_config = STRICT
    kind: str = Field("", description='"paper" (receipt signed) or "refused".')
    received_by_name: str = ""
    delivered_on: date | None = None
    note: str = ""


class ExtensionRequestIn(Schema):
    model_config = STRICT
    requested_deadline: date | None = None
    reason: str = ""


class ReportDecideIn(Schema):
    model_config = STRICT
    accept: bool
    reason: str = ""


class ItemVerifyIn(Schema):
    model_config = STRICT
    done: bool
    reason: str = ""


class OrderAmendmentIn(Schema):
    model_config = STRICT
    kind: str = Field("", description='"extend" (with new_deadline) or "withdraw".')
    reason: str = ""
    new_deadline: date | None = None


class ItemReferIn(Schema):
    model_config = STRICT
    note: str = ""


class OrderFollowUpIn(Schema):
    model_config = STRICT
    planned_on: date


class NotificationFilters(Schema):
    unread: bool | None = Field(None, description="true: only unread; false: only read.")


# Lookups and output ------------------------------------------------------------------------------------


def _order(request: HttpRequest, order_id: int) -> Order:
    return get_visible_or_404(request.user, Order.objects.select_related("school", "district"), pk=order_id)


def _item(request: HttpRequest, order: Order, item_id: int) -> OrderItem:
    return get_visible_or_404(request.user, OrderItem.objects.filter(order=order), pk=item_id)


def _url(request: HttpRequest, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"orders:{name}", kwargs=kwargs))


def _detail(request: HttpRequest, order: Order) -> dict:
    """The order's items (with reports and evidence), amendments and events, download addresses added."""
    detail = selectors.order_detail(order=order)
    for item in detail["items"]:
        for report in item.report_list:
            for evidence in report.evidence.all():
                evidence.url = _url(request, "evidence_file", pk=order.pk, evidence_pk=evidence.pk)
    for amendment in detail["amendments"]:
        amendment.document = (
            {
                "url": _url(request, "amendment_document", pk=order.pk, amendment_pk=amendment.pk),
                "sha256": amendment.pdf_sha256,
            }
            if amendment.pdf_file
            else None
        )
    return detail


def _order_out(request: HttpRequest, order_id: int) -> Order:
    """The order as the list shows it (with its counts), and everything the detail adds."""
    order = get_visible_or_404(
        request.user,
        selectors.order_list(user=request.user).select_related("drafted_by"),
        pk=order_id,
    )
    detail = _detail(request, order)
    order.item_list, order.amendment_list, order.event_list = (
        detail["items"],
        detail["amendments"],
        detail["events"],
    )
    order.documents = {
        fmt: {"url": _url(request, "order_document", pk=order.pk, fmt=fmt), "sha256": digest}
        for fmt, stored, digest in (
            ("pdf", order.pdf_file, order.pdf_sha256),
            ("docx", order.docx_file, order.docx_sha256),
        )
        if stored
    }
    return order


def _item_out(request: HttpRequest, order: Order, item_id: int) -> OrderItem:
    return next(i for i in _detail(request, order)["items"] if i.pk == item_id)


def _report_out(request: HttpRequest, order: Order, report_id: int) -> SchoolReport:
    reports = (r for i in _detail(request, order)["items"] for r in i.report_list)
    return next(r for r in reports if r.pk == report_id)


def _amendment_out(request: HttpRequest, order: Order, amendment_id: int) -> Amendment:
    return next(a for a in _detail(request, order)["amendments"] if a.pk == amendment_id)


# Orders ------------------------------------------------------------------------------------------------


@router.get("/orders", response=list[OrderSummaryOut])
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE)
def order_list(request: HttpRequest, filters: Query[OrderFilters]):
    return selectors.order_list(
        user=request.user,
        status=filters.status or "",
        school_id=filters.school,
        q=filters.q,
        overdue_only=filters.overdue,
    )


@router.get("/orders/overdue", response=list[OverdueOrderItemOut])
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE)
def overdue_list(request: HttpRequest):
    """Open items past their deadline in the caller's area, the longest overdue first."""
    return selectors.overdue_items(user=request.user)


@router.post("/inspections/{inspection_id}/order", response={200: OrderOut, 201: OrderOut})
def order_draft(request: HttpRequest, inspection_id: int, payload: OrderDraftIn | None = None):
    """Draft the order of an approved inspection: one item per finding. Drafting again returns the same
    order (200)."""
    inspection = get_visible_or_404(request.user, Inspection, pk=inspection_id)
    existed = Order.objects.filter(inspection=inspection).exists()
    language = payload.language if payload else None
    order = services.order_draft(actor=request.user, inspection=inspection, language=language)
    return Status(200 if existed else 201, _order_out(request, order.pk))


@router.get("/orders/{order_id}", response=OrderOut)
def order_get(request: HttpRequest, order_id: int):
    return _order_out(request, order_id)


@router.patch("/orders/{order_id}", response=OrderOut)
def order_update(request: HttpRequest, order_id: int, payload: PatchDict[OrderPatchIn]):
    """A draft's language, days to report after each deadline, follow-up date. An issued order: 409."""
    services.order_update(actor=request.user, order=_order(request, order_id), data=payload)
    return _order_out(request, order_id)


@router.patch("/orders/{order_id}/items/{item_id}", response=OrderItemOut)
def item_update(request: HttpRequest, order_id: int, item_id: int, payload: PatchDict[OrderItemPatchIn]):
    order = _order(request, order_id)
    services.order_item_update(actor=request.user, item=_item(request, order, item_id), data=payload)
    return _item_out(request, order, item_id)


@router.post("/orders/{order_id}/issue", response=OrderOut)
def order_issue(request: HttpRequest, order_id: int):
    """The district chief issues the order: it is numbered, frozen, and its documents are stored."""
    services.order_issue(actor=request.user, order=_order(request, order_id))
    return _order_out(request, order_id)


@router.post("/orders/{order_id}/acknowledge", response=OrderOut)
def order_acknowledge(request: HttpRequest, order_id: int, payload: OrderAcknowledgeIn):
    """The school confirms receipt."""
    services.order_acknowledge(actor=request.user, order=_order(request, order_id), name=payload.name)
    return _order_out(request, order_id)


@router.post("/orders/{order_id}/delivery", response=OrderOut)
def order_delivery(request: HttpRequest, order_id: int, payload: OrderDeliveryIn):
    """The police record receipt signed on paper, or that receipt was refused."""
    services.order_record_delivery(
        actor=request.user,
        order=_order(request, order_id),
        kind=payload.kind,
        received_by_name=payload.received_by_name,
        delivered_on=payload.delivered_on,
        note=payload.note,
    )
    return _order_out(request, order_id)


@router.post("/orders/{order_id}/follow-up", response={201: OrderFollowUpOut})
def follow_up(request: HttpRequest, order_id: int, payload: OrderFollowUpIn):
    """Schedule a follow-up inspection of the school to verify the items on site."""
    inspection = services.follow_up_schedule(
        actor=request.user, order=_order(request, order_id), planned_on=payload.planned_on
    )
    return Status(201, {"inspection_id": inspection.pk, "planned_on": inspection.planned_on})


# Items -------------------------------------------------------------------------------------------------


@router.post("/orders/{order_id}/items/{item_id}/reports", response={201: SchoolReportOut})
def report_fix(
    request: HttpRequest,
    order_id: int,
    item_id: int,
    comment: Form[str] = "",
    files: File[list[UploadedFile]] = None,
):
    """The school reports the item fixed (multipart: `comment` and one or more `files`, photos or PDFs,
    checked by their content)."""
    order = _order(request, order_id)
    item = _item(request, order, item_id)
    # Read no more than the service accepts: a larger file is refused by its size without being read whole.
    limit = settings.EVIDENCE_MAX_BYTES + 1
    uploads = [(f.name or "file", f.read(limit)) for f in files or []]
    report = services.report_fix(actor=request.user, item=item, comment=comment, files=uploads)
    return Status(201, _report_out(request, order, report.pk))


@router.post("/orders/{order_id}/items/{item_id}/extension", response={201: SchoolReportOut})
def extension_request(request: HttpRequest, order_id: int, item_id: int, payload: ExtensionRequestIn):
    """The school asks for a later deadline, with the reason."""
    order = _order(request, order_id)
    report = services.request_extension(
        actor=request.user,
        item=_item(request, order, item_id),
        requested_deadline=payload.requested_deadline,
        reason=payload.reason,
    )
    return Status(201, _report_out(request, order, report.pk))


@router.post("/orders/{order_id}/reports/{report_id}/decide", response=SchoolReportOut)
def report_decide(request: HttpRequest, order_id: int, report_id: int, payload: ReportDecideIn):
    """Accept or reject (with the reason) a reported fix or a request for more time."""
    order = _order(request, order_id)
    report = get_visible_or_404(request.user, SchoolReport.objects.filter(item__order=order), pk=report_id)
    services.report_decide(actor=request.user, report=report, accept=payload.accept, reason=payload.reason)
    return _report_out(request, order, report_id)


@router.post("/orders/{order_id}/items/{item_id}/verify", response=OrderItemOut)
def item_verify(request: HttpRequest, order_id: int, item_id: int, payload: ItemVerifyIn):
    """Record the item verified on site: done, or not done (back to open)."""
    order = _order(request, order_id)
    services.item_verify(
        actor=request.user, item=_item(request, order, item_id), done=payload.done, reason=payload.reason
    )
    return _item_out(request, order, item_id)


@router.post("/orders/{order_id}/items/{item_id}/amendments", response={201: OrderAmendmentOut})
def amendment_create(request: HttpRequest, order_id: int, item_id: int, payload: OrderAmendmentIn):
    """A numbered amendment: the item's deadline extended, or the item withdrawn."""
    order = _order(request, order_id)
    amendment = services.amendment_create(
        actor=request.user,
        item=_item(request, order, item_id),
        kind=payload.kind,
        reason=payload.reason,
        new_deadline=payload.new_deadline,
    )
    return Status(201, _amendment_out(request, order, amendment.pk))


@router.post("/orders/{order_id}/items/{item_id}/refer", response=OrderItemOut)
def item_refer(request: HttpRequest, order_id: int, item_id: int, payload: ItemReferIn):
    """The district chief refers an overdue item for an administrative case (КоАП РК art. 149)."""
    order = _order(request, order_id)
    services.item_refer(actor=request.user, item=_item(request, order, item_id), note=payload.note)
    return _item_out(request, order, item_id)


# Notifications -----------------------------------------------------------------------------------------


@router.get("/notifications", response=list[NotificationOut])
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE)
def notification_list(request: HttpRequest, filters: Query[NotificationFilters]):
    """The caller's own notifications, newest first."""
    qs = selectors.notifications(user=request.user)
    if filters.unread is not None:
        qs = qs.filter(read_at__isnull=filters.unread)
    return qs


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def notification_read(request: HttpRequest, notification_id: int):
    """Mark one of the caller's notifications read. Someone else's is not found."""
    notification = get_object_or_404(selectors.notifications(user=request.user), pk=notification_id)
    services.notification_mark_read(user=request.user, notification=notification)
    notification.refresh_from_db(fields=["read_at"])
    return notification
