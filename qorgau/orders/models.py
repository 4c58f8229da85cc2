"""Orders (предписания): one item per violation with its own deadline, the school's reports with evidence,
verification, amendments, notifications and the order's history.

An issued order is never edited in place: its text and items are frozen at issue; deadlines change and items
are withdrawn only through numbered amendments, each with its own document.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.scoping import ScopedQuerySet, ScopeRule
from qorgau.checklists.models import FixKind, Severity

# Orders are the school's to answer: a school sees its orders once issued; security firms never.
ORDER_SCOPE = ScopeRule(
    school="school_id",
    district="district_id",
    hidden_from=("firm",),
    school_condition={"status__in": ["issued", "closed"]},
)

# Amendments and events are scoped through their order; items by their own copy of the order's district.
ORDER_CHILD_SCOPE = ScopeRule(
    school="order__school_id", district="order__district_id", hidden_from=("firm",),
    school_condition={"order__status__in": ["issued", "closed"]},
)  # fmt: skip


ITEM_SCOPE = ScopeRule(
    school="school_id", district="district_id", hidden_from=("firm",),
    school_condition={"order__status__in": ["issued", "closed"]},
)  # fmt: skip


class Order(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        CLOSED = "closed", _("Closed")

    class Delivery(models.TextChoices):
        NONE = "", _("Not yet delivered")
        ONLINE = "online", _("Acknowledged by the school in Qorgau")
        PAPER = "paper", _("Receipt signed on paper")
        REFUSED = "refused", _("Receipt refused")

    inspection = models.ForeignKey(
        "inspections.Inspection",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("inspection"),
    )
    school = models.ForeignKey("registry.School", on_delete=models.PROTECT, related_name="orders")
    district = models.ForeignKey("registry.District", on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    language = models.CharField(
        _("language of the document"),
        max_length=2,
        choices=[("ru", "Русский"), ("kk", "Қазақша")],
        default="ru",
    )
    # Number: district code / year / sequence, given at issue, without gaps or duplicates.
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    seq = models.PositiveIntegerField(null=True, blank=True)
    report_by_days = models.PositiveSmallIntegerField(
        _("days to report after each deadline"), default=3,
        help_text=_("How many days after an item's deadline the school must send its evidence."),
    )  # fmt: skip
    follow_up_on = models.DateField(_("follow-up check"), null=True, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(_("delivery"), max_length=8, choices=Delivery.choices, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    received_by_name = models.CharField(_("received by"), max_length=200, blank=True)
    delivery_note = models.CharField(_("delivery note"), max_length=500, blank=True)
    delivery_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # The issued documents: stored once at issue and served as stored; their hashes prove it.
    pdf_file = models.CharField(max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    docx_file = models.CharField(max_length=200, blank=True)
    docx_sha256 = models.CharField(max_length=64, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ORDER_SCOPE

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["district", "status"]),
            models.Index(fields=["school", "status"]),
            models.Index(fields=["issued_at"], name="order_issued_at"),
            # A district's order list, newest first, read in index order instead of sorting the history.
            models.Index(fields=["district", "issued_at"], name="order_district_issued_at"),
            # The city's counts of drafts and open orders, from the index alone.
            models.Index(fields=["status"], include=["id"], name="order_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year", "seq"], name="one_order_number_per_district_year",
                condition=models.Q(seq__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.number or str(_("Draft order"))

    @property
    def number(self) -> str:
        if self.seq is None:
            return ""
        return f"{self.district.code}/{self.year}/{self.seq:04d}"

    @property
    def is_issued(self) -> bool:
        return self.status != self.Status.DRAFT


class OrderCounter(models.Model):
    """The last order number given in a district in a year; the row is locked while a number is taken."""

    district = models.ForeignKey("registry.District", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "year"], name="one_order_counter_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.district_id}/{self.year}: {self.last}"


class OrderItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REPORTED = "reported", _("Fix reported, awaiting verification")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    finding = models.ForeignKey(
        "inspections.Finding", on_delete=models.PROTECT, null=True, blank=True, related_name="order_items"
    )
    position = models.PositiveSmallIntegerField(_("no."))
    found = models.TextField(_("what was found and where"))
    legal_ref = models.CharField(_("violated norm"), max_length=300, blank=True)
    remedy = models.TextField(_("required remedy"))
    severity = models.CharField(_("degree"), max_length=1, choices=Severity.choices)
    fix_kind = models.CharField(_("kind of fix"), max_length=16, choices=FixKind.choices)
    deadline = models.DateField(_("deadline"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    referred_at = models.DateTimeField(_("referred under КоАП art. 149"), null=True, blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    referral_note = models.CharField(_("referral note"), max_length=500, blank=True)
    # Copies of the order's school, district and issue time and of the finding's checklist category, written
    # when the item is made and when its order is issued; none of them changes after. The dashboards and the
    # lists count, filter and sort items by these columns instead of joining every item's order and finding.
    school = models.ForeignKey("registry.School", on_delete=models.PROTECT, related_name="+")
    # No index of its own: every index below that starts with the district serves a lookup by district, and
    # a bare one lured the planner into reading a district's whole history to count a period's items.
    district = models.ForeignKey(
        "registry.District", on_delete=models.PROTECT, related_name="order_items", db_index=False
    )
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    category = models.CharField(max_length=2, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ITEM_SCOPE

    class Meta:
        ordering = ["order", "position"]
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        # The dashboards read each state through its own index: fixed in a period, fallen overdue in a period.
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["status", "done_at"], name="item_status_done_at"),
            # Also counts the open items and their orders from the index alone (SQLite has no INCLUDE).
            models.Index(
                fields=["status", "overdue_since", "issued_at", "order"], name="item_status_overdue"
            ),
            models.Index(fields=["overdue_since"], name="item_overdue_since"),
            # Open items per district and category (the dashboards' "open" and "overdue"), the district's
            # lists by deadline and by overdue date, and the items issued in a period.
            models.Index(
                fields=["status", "district", "category", "overdue_since"],
                include=["issued_at", "id", "order_id"],  # PostgreSQL counts from the index alone
                name="item_status_district",
            ),
            models.Index(fields=["district", "status", "deadline"], name="item_district_deadline"),
            models.Index(fields=["district", "overdue_since"], name="item_district_overdue"),
            models.Index(fields=["issued_at", "district"], name="item_issued_at"),
            models.Index(
                fields=["district", "issued_at"],
                include=["status", "category", "id"],  # a district's items issued in a period, index only
                name="item_district_issued",
            ),
            # A school's open items (its risk), and the open items that need money (the budget needs).
            models.Index(fields=["school", "status", "overdue_since"], name="item_school_status"),
            # A full index, not a partial one: SQLite never took a partial index whose condition names the two
            # open statuses, and read every open item's row instead (see bench/oversight.py).
            models.Index(
                fields=["status", "fix_kind", "district", "school", "deadline", "issued_at"],
                name="item_budget_needs",
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="one_position_per_order")]

    def __str__(self) -> str:
        return f"{self.order} · {self.position}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


# An item still to fix: open, or reported fixed and waiting for the police's decision.
OPEN_STATUSES = (OrderItem.Status.OPEN, OrderItem.Status.REPORTED)


def open_issued(prefix: str = "") -> models.Q:
    """Items still to fix on issued orders, on OrderItem or through a relation (`prefix`, "order_items__").

    An order closes only when its last item is settled, so an open item that has an issue time is an open item
    of an issued order; the items' own columns answer it without a join."""
    return models.Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}issued_at__isnull": False})


OPEN_ISSUED_ITEM = open_issued()


class Amendment(models.Model):
    """A numbered change to an issued order: one item's deadline extended, or an item withdrawn."""

    class Kind(models.TextChoices):
        EXTEND = "extend", _("Deadline extended")
        WITHDRAW = "withdraw", _("Item withdrawn")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="amendments")
    item = models.ForeignKey(OrderItem, on_delete=models.PROTECT, related_name="amendments")
    seq = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    old_deadline = models.DateField(null=True, blank=True)
    new_deadline = models.DateField(_("new deadline"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    pdf_file = models.CharField(max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ORDER_CHILD_SCOPE

    class Meta:
        ordering = ["order", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["order", "seq"], name="one_amendment_number_per_order")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"{self.order.number}-И{self.seq}"


class SchoolReport(models.Model):
    """The school's answer on one item: the fix with evidence, or a request for more time."""

    class Kind(models.TextChoices):
        FIX = "fix", _("Fix reported")
        EXTENSION = "extension", _("Extension requested")

    class Decision(models.TextChoices):
        PENDING = "", _("Awaiting decision")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    comment = models.TextField(_("comment"))
    requested_deadline = models.DateField(_("requested deadline"), null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(
        school="item__school_id", district="item__district_id", hidden_from=("firm",),
        school_condition={"item__order__status__in": ["issued", "closed"]},
    )  # fmt: skip

    class Meta:
        ordering = ["item", "at", "id"]

    def __str__(self) -> str:
        return f"{self.item} · {self.kind}"


class Evidence(models.Model):
    report = models.ForeignKey(SchoolReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.CharField(max_length=200)  # path under MEDIA_ROOT, a random name
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ScopeRule(
        school="report__item__school_id", district="report__item__district_id",
        hidden_from=("firm",), school_condition={"report__item__order__status__in": ["issued", "closed"]},
    )  # fmt: skip

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class OrderEvent(models.Model):
    """The order's timeline: every state change with who, when and why."""

    class Action(models.TextChoices):
        DRAFTED = "drafted", _("drafted")
        ISSUED = "issued", _("issued")
        DELIVERED = "delivered", _("delivered")
        RECEIPT_REFUSED = "refused", _("receipt refused")
        REPORTED = "reported", _("fix reported")
        EXTENSION_REQUESTED = "ext_req", _("extension requested")
        ACCEPTED = "accepted", _("fix accepted")
        REJECTED = "rejected", _("fix rejected")
        AMENDED = "amended", _("amended")
        OVERDUE = "overdue", _("overdue")
        ESCALATED = "escalated", _("escalated")
        REFERRED = "referred", _("referred under КоАП art. 149")
        FOLLOW_UP = "follow_up", _("follow-up inspection scheduled")
        CLOSED = "closed", _("closed")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    item = models.ForeignKey(
        OrderItem, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    comment = models.TextField(blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_rule = ORDER_CHILD_SCOPE

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class Notification(models.Model):
    """An in-app notification, also sent by email. `key` makes each notification happen exactly once."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Order issued")
        REMINDER_3 = "remind3", _("Deadline in 3 days")
        REMINDER_1 = "remind1", _("Deadline tomorrow")
        OVERDUE = "overdue", _("Item overdue")
        REPORTED = "reported", _("Fix reported")
        DECIDED = "decided", _("Report decided")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=100)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_key")]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject
