"""A world with two of everything, for the access matrix (test_access_matrix.py).

Side A is district X with school A, guarded by `firm`; side B is district Y with school B, guarded by another
firm. Each side has equipment, a guard contract, inspections in every state (approved with an issued order,
approved with a draft order, approved without an order, in progress, submitted, planned by a campaign),
photos, findings, an issued order with a reported item (evidence), an overdue open item and an amended item,
a campaign over its own district only, and notifications and API tokens for its users. Everything is written
through the services, as the app would write it, except what only time does (an item falling overdue).

The personas whose access is checked all belong to side A or to the whole city; side B's users exist so that
side B has its own notifications, tokens and order history.
"""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

from django.test import Client
from django.utils import timezone
from PIL import Image

from qorgau.accounts.models import Role
from qorgau.accounts.services import token_create
from qorgau.checklists import services as checklist_services
from qorgau.checklists.models import ChecklistTemplate, Item
from qorgau.inspections import photos as inspection_photos
from qorgau.inspections import services as inspection_services
from qorgau.orders import services as order_services
from qorgau.orders.models import Notification, OrderItem
from qorgau.orders.notify import notify_users
from qorgau.public import services as public_services
from qorgau.tests.factories import (
    AccessPointFactory,
    CameraFactory,
    DistrictFactory,
    GuardContractFactory,
    GuardPostFactory,
    InspectionFactory,
    PanicButtonFactory,
    SchoolFactory,
    SecurityFirmFactory,
    default_version,
    make_user,
)

# The personas whose access the matrix checks, in the order its tables list them.
CITY = "city_supervisor"
EDU = "education_user"
CHIEF = "chief_x"
INSPECTOR = "inspector_x"
HEAD = "school_admin_a"
FIRM = "firm_user"
ANON = "anonymous"
# In school B's name: no page or API answer to a persona of side A may contain it.
CANARY = "CANARY-B"
ROLES = (CITY, EDU, CHIEF, INSPECTOR, HEAD, FIRM, ANON)
USERS = frozenset(ROLES) - {ANON}

# The items the approved inspections fail: each becomes a finding, then an order item.
FAILED = ("AC-2", "PE-1", "DO-1")


def jpeg_bytes(colour: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def _answer_all(inspection, actor, *, fail=FAILED) -> None:
    # As inspections/tests/test_services.py's answer_all, imported lazily: a test module is not a library.
    from qorgau.inspections.tests.test_services import answer_all

    answer_all(inspection, actor, fail=fail)


def _approved(school, inspector, chief, *, with_photos: bool = False):
    inspection = InspectionFactory(school=school, inspector=inspector)
    _answer_all(inspection, inspector)
    photo = None
    if with_photos:
        item = Item.objects.get(version=inspection.template_version, code=FAILED[0])
        photo = inspection_photos.photo_add(
            actor=inspector, inspection=inspection, data=jpeg_bytes(), item=item, latitude="43.2",
            longitude="76.9", accuracy="8",
        )  # fmt: skip
        inspection_photos.photo_add(actor=inspector, inspection=inspection, data=jpeg_bytes("teal"))
    inspection_services.inspection_submit(actor=inspector, inspection=inspection)
    inspection = inspection_services.inspection_approve(actor=chief, inspection=inspection)
    return inspection, photo


def _side(district, *, firm, chief, inspector, head_name: str, city, school_name: str) -> SimpleNamespace:
    """One side's objects. Attribute names are what the matrix's argument tables refer to."""
    school = SchoolFactory(district=district, pupils=900, name_ru=school_name, name_kk=school_name)
    head = make_user(Role.SCHOOL_ADMIN, school=school, username=head_name)
    side = SimpleNamespace(
        district=district, school=school, firm=firm, chief=chief, inspector=inspector, head=head
    )
    side.contract = GuardContractFactory(school=school, firm=firm)
    side.panic_button = PanicButtonFactory(school=school)
    side.camera = CameraFactory(school=school)
    side.access_point = AccessPointFactory(school=school)
    side.guard_post = GuardPostFactory(school=school, firm=firm)
    side.equipment = {
        "panic-buttons": side.panic_button,
        "cameras": side.camera,
        "access-points": side.access_point,
        "guard-posts": side.guard_post,
    }

    # Approved, with photos and findings; its order is issued and answered.
    side.inspection, side.photo = _approved(school, inspector, chief, with_photos=True)
    side.finding = side.inspection.findings.order_by("id").first()
    side.answer_item = Item.objects.get(version=side.inspection.template_version, code=FAILED[0])
    draft = order_services.order_draft(actor=inspector, inspection=side.inspection)
    side.order = order_services.order_issue(actor=chief, order=draft)
    items = list(side.order.items.order_by("position"))
    side.reported_item, side.open_item, side.amended_item = items[:3]
    side.report = order_services.report_fix(
        actor=side.head,
        item=side.reported_item,
        comment="Сделано",
        files=[("fixed.jpg", jpeg_bytes("olive"))],
    )
    side.evidence = side.report.evidence.get()
    side.amendment = order_services.amendment_create(
        actor=inspector, item=side.amended_item, kind="extend", reason="Подрядчик",
        new_deadline=side.amended_item.deadline + dt.timedelta(days=30),
    )  # fmt: skip
    # Time passes: the open item's deadline is behind it (the deadline job would mark it so).
    today = timezone.localdate()
    OrderItem.objects.filter(pk=side.open_item.pk).update(
        deadline=today - dt.timedelta(days=3), overdue_since=today - dt.timedelta(days=2)
    )

    # Approved, its order still a draft (a school never sees it).
    side.inspection_drafted, _photo = _approved(school, inspector, chief)
    side.draft_order = order_services.order_draft(actor=inspector, inspection=side.inspection_drafted)
    side.draft_order_item = side.draft_order.items.order_by("position").first()

    # Approved, no order yet.
    side.inspection_unordered, _photo = _approved(school, inspector, chief)

    # In progress: some answers, a photo, a finding of the inspector's own.
    side.inspection_open = InspectionFactory(school=school, inspector=inspector)
    items = inspection_services.applicable_items(side.inspection_open)
    inspection_services.answer_save(
        actor=inspector, inspection=side.inspection_open, item=items[0], raw={"value": "yes"}, base_version=0
    )
    side.blank_item = items[1]  # not answered yet
    side.open_photo = inspection_photos.photo_add(
        actor=inspector, inspection=side.inspection_open, data=jpeg_bytes("maroon"), item=items[0]
    )
    side.free_finding = inspection_services.finding_add(
        actor=inspector, inspection=side.inspection_open, severity="S", text="Калитка открыта"
    )

    # Submitted, awaiting the chief.
    side.inspection_submitted = InspectionFactory(school=school, inspector=inspector)
    _answer_all(side.inspection_submitted, inspector)
    inspection_services.inspection_submit(actor=inspector, inspection=side.inspection_submitted)

    # A campaign over this side's district only, with its planned inspection of the school.
    side.campaign = inspection_services.campaign_create(
        actor=city, name=f"Осень {district.code}", starts_on=today, ends_on=today + dt.timedelta(days=60),
        districts=[district], template_version=default_version(),
    )  # fmt: skip
    side.planned = side.campaign.inspections.get(school=school)

    # A parent's concern about the school, in its district's queue; the public pages name the school by
    # its BIN and the concern by its reference number.
    side.concern = public_services.concern_report(
        school=school, what="Калитка во двор открыта во время уроков", where="Задний двор",
        when="Каждое утро", contact="+7 701 000 00 00", ip=f"10.0.0.{district.pk % 250}",
    )  # fmt: skip
    side.concern_ref = side.concern.reference
    side.school_bin = school.bin
    # A school with no inspection at all, which a campaign from the risk ranking can still plan (the school
    # above has one in hand); its name carries the side's school name, so the canary catches it too.
    side.unplanned_school = SchoolFactory(district=district, name_ru=f"{school_name}, корпус 2")
    return side


def build_world() -> SimpleNamespace:
    version = default_version()
    district_x = DistrictFactory(code="TX", name_ru="Район Икс", name_kk="Икс ауданы", name_en="District X")
    district_y = DistrictFactory(
        code="TY", name_ru="Район Игрек", name_kk="Игрек ауданы", name_en="District Y"
    )
    firm_a = SecurityFirmFactory(name="ТОО «Бастион»")
    firm_b = SecurityFirmFactory(name="ТОО «Щит»")

    city = make_user(Role.CITY_SUPERVISOR, username="city")
    education = make_user(Role.EDUCATION, username="edu")
    chief_x = make_user(Role.DISTRICT_CHIEF, district=district_x, username="chief_x")
    inspector_x = make_user(Role.INSPECTOR, district=district_x, username="inspector_x")
    chief_y = make_user(Role.DISTRICT_CHIEF, district=district_y, username="chief_y")
    inspector_y = make_user(Role.INSPECTOR, district=district_y, username="inspector_y")
    firm_user = make_user(Role.SECURITY_FIRM, firm=firm_a, username="firm")
    firm_b_user = make_user(Role.SECURITY_FIRM, firm=firm_b, username="firm_b")

    a = _side(
        district_x,
        firm=firm_a,
        chief=chief_x,
        inspector=inspector_x,
        head_name="head_a",
        city=city,
        school_name="Школа-гимназия № 1 (A)",
    )
    b = _side(
        district_y,
        firm=firm_b,
        chief=chief_y,
        inspector=inspector_y,
        head_name="head_b",
        city=city,
        school_name=f"{CANARY} Лицей № 2",
    )
    a.firm_user, b.firm_user = firm_user, firm_b_user

    users = {
        CITY: city, EDU: education, CHIEF: chief_x, INSPECTOR: inspector_x, HEAD: a.head,
        FIRM: firm_user,
    }  # fmt: skip

    # The checklist: the published default version and a draft made from it. Checklists are the whole
    # city's; both sides name the same ones.
    template = ChecklistTemplate.objects.get(pk=version.template_id)
    draft_version = checklist_services.draft_create(actor=city, template=template)
    for side in (a, b):
        side.cl_template = template
        side.cl_version = draft_version
        side.cl_item = draft_version.items.order_by("id").first()

    # Notifications: one for each persona (about side A's order) and for side B's users (about B's).
    for side, recipients in ((a, users.values()), (b, [chief_y, inspector_y, b.head, firm_b_user])):
        notify_users(users=recipients, kind="issued", key=f"matrix:{side.order.pk}", order=side.order)
    notes = {n.recipient_id: n for n in Notification.objects.all()}
    a.notification = {role: notes[user.pk] for role, user in users.items()}
    b.notification = dict.fromkeys(USERS, notes[b.head.pk])

    # API tokens: one per persona; side B's head has one too, which nobody else may revoke.
    tokens = {role: token_create(user=user, name="matrix") for role, user in users.items()}
    a.token = {role: token.pk for role, (token, _key) in tokens.items()}
    foreign_token, _key = token_create(user=b.head, name="matrix")
    b.token = dict.fromkeys(USERS, foreign_token.pk)

    # A child that belongs to some other parent, for the "mixed" side: side A's parent with it must be 404.
    other_item = Item.objects.filter(version=version).order_by("id").first()
    stray = {
        # Under side A's draft version: an item of the published version.
        "cl_item": other_item,
        # Under side A's inspections: an item of the draft version, not of the inspection's checklist.
        "answer_item": draft_version.items.get(code=FAILED[0]),
        "blank_item": draft_version.items.get(code=a.blank_item.code),
    }

    pages = {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        pages[role] = client
    pages[ANON] = Client()
    api = {role: Client(headers={"Authorization": f"Bearer {key}"}) for role, (_t, key) in tokens.items()}
    api[ANON] = Client()

    return SimpleNamespace(
        a=a, b=b, users=users, stray=stray, version=version, draft_version=draft_version, pages=pages,
        api=api,
        sessions={role: client.cookies.get("sessionid") for role, client in pages.items()},
    )  # fmt: skip
