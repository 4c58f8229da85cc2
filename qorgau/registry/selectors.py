"""Reads from the registry. Every selector takes the user and starts from the scoping layer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qorgau.accounts.scoping import visible
from qorgau.core.models import ChangeRecord
from qorgau.registry.models import (
    AccessPoint,
    Camera,
    EquipmentStatus,
    GuardContract,
    GuardPost,
    PanicButton,
    School,
    SecurityFirm,
    SignalDestination,
    SizeTier,
)

# The "missing equipment" filter of the school list: key -> (label, condition on School).
MISSING_FILTERS = {
    "panic": _("No working panic button"),
    "panic_unlinked": _("Panic button not connected to a console"),
    "cameras": _("No working camera"),
    "cameras_unlinked": _("No camera linked to the police centre"),
    "faulty": _("Faulty or missing equipment"),
    "contract": _("No valid guard contract"),
    "licence": _("Guard firm's licence expired"),
    "turnstile": _("Tier 3 without turnstile or access control"),
}


class Link(NamedTuple):
    """A kind's connection, for the equipment list's filter and the dashboard's figure alike."""

    yes: str  # the filter's label for the connected devices
    no: str  # and for the others
    condition: Q  # on the device: connected


# The kinds that connect to a console or to the police centre.
EQUIPMENT_LINKS = {
    PanicButton: Link(
        _("Working and connected to a console"),
        _("Not working or not connected"),
        Q(status=EquipmentStatus.WORKING) & ~Q(signal_to=SignalDestination.NONE),
    ),
    Camera: Link(
        _("Linked to the police centre"), _("Not linked to the police centre"), Q(linked_to_police=True)
    ),
}


def equipment_list(
    *, user, model, district_id: int | None = None, size_tier: str = "", status: str = "", link: str = ""
) -> QuerySet:
    """Devices of one kind in the user's area, school by school: the list behind the dashboard's equipment
    figures. `link` is "yes" or "no" for the kinds that connect to a console or the police centre."""
    qs = visible(user, model).select_related("school__district")
    if district_id:
        qs = qs.filter(school__district_id=district_id)
    if size_tier:
        qs = qs.filter(school__size_tier=size_tier)
    if status:
        qs = qs.filter(status=status)
    if link and model in EQUIPMENT_LINKS:
        condition = EQUIPMENT_LINKS[model].condition
        qs = qs.filter(condition) if link == "yes" else qs.exclude(condition)
    # Read in index order, without a sort: the schools by name, each school's devices by location.
    return qs.order_by("school__name_ru", "school__id", "location", "id")


def _count(model, **filters) -> Coalesce:
    sub = (
        model.objects.filter(school=OuterRef("pk"), **filters)
        .order_by()
        .values("school")
        .annotate(c=Count("pk"))
        .values("c")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def missing_condition(key: str, today: date) -> Q | None:
    working = {"status": EquipmentStatus.WORKING}
    if key == "panic":
        return ~Q(Exists(PanicButton.objects.filter(school=OuterRef("pk"), **working)))
    if key == "panic_unlinked":
        linked = PanicButton.objects.filter(school=OuterRef("pk"), **working).exclude(
            signal_to=SignalDestination.NONE
        )
        return ~Q(Exists(linked))
    if key == "cameras":
        return ~Q(Exists(Camera.objects.filter(school=OuterRef("pk"), **working)))
    if key == "cameras_unlinked":
        return ~Q(Exists(Camera.objects.filter(school=OuterRef("pk"), linked_to_police=True, **working)))
    if key == "faulty":
        broken = ~Q(status=EquipmentStatus.WORKING)
        return Q(
            Exists(PanicButton.objects.filter(broken, school=OuterRef("pk")))
            | Exists(Camera.objects.filter(broken, school=OuterRef("pk")))
            | Exists(AccessPoint.objects.filter(broken, school=OuterRef("pk")))
            | Exists(GuardPost.objects.filter(broken, school=OuterRef("pk")))
        )
    if key == "contract":
        valid = GuardContract.objects.filter(school=OuterRef("pk"), is_current=True).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )
        return ~Q(Exists(valid))
    if key == "licence":
        return Q(
            Exists(
                GuardContract.objects.filter(
                    school=OuterRef("pk"), is_current=True, firm__licence_expiry__lt=today
                )
            )
        )
    if key == "turnstile":
        controlled = AccessPoint.objects.filter(school=OuterRef("pk"), **working).filter(
            Q(has_turnstile=True) | Q(has_access_control=True)
        )
        return Q(size_tier=SizeTier.LARGE) & ~Q(Exists(controlled))
    return None


def school_search(qs: QuerySet, q: str, *, prefix: str = "", with_address: bool = False) -> QuerySet:
    """Filter by a school's name (Russian or Kazakh), BIN or address, ignoring case in every alphabet.
    `prefix` leads from the queryset's model to the school, e.g. "school__". Lower() is Unicode-aware on
    both databases (SQLite gets a Unicode LOWER from core.apps), unlike SQLite's own LIKE."""
    needle = q.strip().lower()
    if not needle:
        return qs
    qs = qs.alias(_name_ru=Lower(f"{prefix}name_ru"), _name_kk=Lower(f"{prefix}name_kk"))
    condition = (
        Q(_name_ru__contains=needle)
        | Q(_name_kk__contains=needle)
        | Q(**{f"{prefix}bin__startswith": needle})
    )
    if with_address:
        qs = qs.alias(_address=Lower(f"{prefix}address"))
        condition |= Q(_address__contains=needle)
    return qs.filter(condition)


def school_list(
    *,
    user,
    q: str = "",
    district_id: int | None = None,
    size_tier: str = "",
    missing: str = "",
    inspected: tuple | None = None,
    annotate: bool = True,
) -> QuerySet[School]:
    """Schools the user may see, filtered, with the equipment counts the list shows. One query per page.
    `inspected`: (yes, filters) from a dashboard — schools (not) inspected in the dashboard's period."""
    today = timezone.localdate()
    qs = visible(user, School).select_related("district")
    if inspected is not None:
        from qorgau.oversight.selectors import inspected_condition

        yes, period = inspected
        qs = qs.filter(inspected_condition(period) if yes else ~inspected_condition(period))
    if q:
        qs = school_search(qs, q, with_address=True)
    if district_id:
        qs = qs.filter(district_id=district_id)
    if size_tier:
        qs = qs.filter(size_tier=size_tier)
    condition = missing_condition(missing, today) if missing else None
    if condition is not None:
        qs = qs.filter(condition)
    if not annotate:
        return qs.order_by("district__name_ru", "name_ru", "id")
    return qs.annotate(
        cameras_total=_count(Camera),
        cameras_working=_count(Camera, status=EquipmentStatus.WORKING),
        panic_total=_count(PanicButton),
        panic_working=_count(PanicButton, status=EquipmentStatus.WORKING),
        faulty_total=_count(Camera, status__in=[EquipmentStatus.FAULTY, EquipmentStatus.MISSING])
        + _count(PanicButton, status__in=[EquipmentStatus.FAULTY, EquipmentStatus.MISSING])
        + _count(AccessPoint, status__in=[EquipmentStatus.FAULTY, EquipmentStatus.MISSING])
        + _count(GuardPost, status__in=[EquipmentStatus.FAULTY, EquipmentStatus.MISSING]),
        has_valid_contract=Exists(
            GuardContract.objects.filter(school=OuterRef("pk"), is_current=True).filter(
                Q(valid_until__isnull=True) | Q(valid_until__gte=today)
            )
        ),
    ).order_by("district__name_ru", "name_ru", "id")


def school_page(*, user, page_number, per_page: int, **filters):
    """One page of the school list. Pages the bare ids first, then annotates only the rows on the page:
    otherwise the database computes every count subquery for each row it skips to reach a deep page."""
    ids = school_list(user=user, annotate=False, **filters).values_list("pk", flat=True)
    page = Paginator(ids, per_page).get_page(page_number)
    wanted = list(page.object_list)
    rows = {s.pk: s for s in school_list(user=user, annotate=True).filter(pk__in=wanted).order_by()}
    page.object_list = [rows[pk] for pk in wanted]
    return page


@dataclass
class EquipmentTable:
    kind: str
    title: str
    items: list
    total: int
    working: int


@dataclass
class Warning:
    level: str  # "danger" (expired) or "warn" (expires soon)
    text: str


@dataclass
class Passport:
    school: School
    contract: GuardContract | None
    tables: list[EquipmentTable]
    warnings: list[Warning]
    history: list[ChangeRecord]
    cameras_linked: int


def _expiry_warnings(passport_date: date, contract, panic_buttons) -> list[Warning]:
    soon = passport_date + timedelta(days=settings.EXPIRY_WARNING_DAYS)
    out: list[Warning] = []

    def check(expiry, expired_text, soon_text):
        if expiry is None:
            return
        if expiry < passport_date:
            out.append(Warning("danger", expired_text % {"date": expiry.strftime("%d.%m.%Y")}))
        elif expiry <= soon:
            out.append(Warning("warn", soon_text % {"date": expiry.strftime("%d.%m.%Y")}))

    if contract is None:
        out.append(Warning("danger", str(_("No guard contract is on record."))))
    else:
        check(
            contract.valid_until,
            str(_("The guard contract expired on %(date)s.")),
            str(_("The guard contract expires on %(date)s.")),
        )
        if contract.firm is not None:
            check(
                contract.firm.licence_expiry,
                str(_("The security firm's licence expired on %(date)s.")),
                str(_("The security firm's licence expires on %(date)s.")),
            )
    for button in panic_buttons:
        check(
            button.contract_until,
            str(_("The response contract of panic button «%s» expired on %%(date)s.") % button.location),
            str(_("The response contract of panic button «%s» expires on %%(date)s.") % button.location),
        )
    return out


HISTORY_ON_PASSPORT = 30


def school_passport(*, user, school: School) -> Passport:
    """Everything the passport page shows, in a fixed number of queries whatever the school's size."""
    today = timezone.localdate()
    contract = (
        visible(user, GuardContract).filter(school=school, is_current=True).select_related("firm").first()
    )
    panic = list(visible(user, PanicButton).filter(school=school))
    cameras = list(visible(user, Camera).filter(school=school))
    access = list(visible(user, AccessPoint).filter(school=school))
    posts = list(visible(user, GuardPost).filter(school=school).select_related("firm"))

    def table(kind, title, items):
        working = sum(1 for i in items if i.status == EquipmentStatus.WORKING)
        return EquipmentTable(kind, str(title), items, len(items), working)

    tables = [
        table("panic-buttons", _("Panic buttons"), panic),
        table("cameras", _("Cameras"), cameras),
        table("access-points", _("Access points"), access),
        table("guard-posts", _("Guard posts"), posts),
    ]
    history = list(
        visible(user, ChangeRecord).filter(school=school).select_related("actor")[:HISTORY_ON_PASSPORT]
    )
    return Passport(
        school=school,
        contract=contract,
        tables=tables,
        warnings=_expiry_warnings(today, contract, panic),
        history=history,
        cameras_linked=sum(1 for c in cameras if c.linked_to_police),
    )


def firm_list(*, user, q: str = "") -> QuerySet[SecurityFirm]:
    qs = visible(user, SecurityFirm)
    if q:
        needle = q.strip().lower()
        qs = qs.alias(_name=Lower("name"), _licence=Lower("licence_no")).filter(
            Q(_name__contains=needle) | Q(bin__startswith=needle) | Q(_licence__contains=needle)
        )
    schools = GuardContract.objects.filter(firm=OuterRef("pk"), is_current=True).order_by().values("firm")
    return qs.annotate(
        schools_count=Coalesce(
            Subquery(schools.annotate(c=Count("pk")).values("c"), output_field=IntegerField()), Value(0)
        )
    ).order_by("name", "id")
