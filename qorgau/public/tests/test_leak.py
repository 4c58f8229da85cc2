"""Nothing but the public summary leaks from the public pages.

The access matrix's world has, for school A, everything a school can have: equipment with locations and
notes, a guard firm and its contract, inspections with photos and findings, an issued order whose items
name the weakness, the violated norm and the remedy, a reported fix with evidence, people with names, and a
parent's concern with the reporter's contact. Every public page about school A is rendered (in each
language) and its text compared with that list of values that must never appear.

Decided: the school's name, district and street address are public (they are on every map and on the
education department's site, and a parent needs the address to tell two schools with one name apart);
the head's name and phone, the coordinates, the guard firm and everything about checks and equipment are
not.
"""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from qorgau.accounts.models import User
from qorgau.inspections.models import Answer, Finding, Photo
from qorgau.orders.models import Evidence, OrderItem, SchoolReport
from qorgau.public.models import Concern
from qorgau.registry.models import AccessPoint, Camera, GuardContract, GuardPost, PanicButton, SecurityFirm
from qorgau.tests.access_world import build_world

pytestmark = pytest.mark.django_db


def build_leak_world():
    """The access matrix's world, with the numbers a parent must not learn filled in (the factories leave
    them empty). Also used by the API's leak test (test_api.py)."""
    built = build_world()
    GuardContract.objects.filter(school=built.a.school).update(number="ДОГ-2026/117")
    PanicButton.objects.filter(school=built.a.school).update(contract_no="ПЦН-55/8")
    return built


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction rolled back at the end (as the access matrix does)."""
    import sys
    import types

    from django.db import transaction
    from django.test import override_settings

    import qorgau.orders

    fake = types.ModuleType("qorgau.orders.documents")
    fake.order_documents = lambda *, order: (b"%PDF-1.7 order", b"PK docx")
    fake.amendment_pdf = lambda *, amendment: b"%PDF-1.7 amendment"
    root = tmp_path_factory.mktemp("public-leak")
    settings = override_settings(
        MEDIA_ROOT=root / "files", VAR_DIR=root / "var",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )  # fmt: skip
    with pytest.MonkeyPatch.context() as patch, settings, django_db_blocker.unblock():
        patch.setitem(sys.modules, "qorgau.orders.documents", fake)
        patch.setattr(qorgau.orders, "documents", fake, raising=False)
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_leak_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _values(qs, *fields):
    return [str(v) for row in qs.values_list(*fields) for v in row if v not in (None, "")]


def forbidden(world) -> dict[str, str]:
    """What must never appear on a public page about school A, each value with where it comes from."""
    a = world.a
    school = a.school
    found: dict[str, str] = {}

    def add(source, values):
        for value in values:
            value = str(value).strip()
            if len(value) >= 4:  # a short code ("S", "1") would match by chance anywhere
                found.setdefault(value, source)

    add("order item", _values(OrderItem.objects.filter(order__school=school), "found", "legal_ref", "remedy"))
    add(
        "finding", _values(Finding.objects.filter(inspection__school=school), "text", "location", "legal_ref")
    )
    add("answer", _values(Answer.objects.filter(inspection__school=school), "summary", "comment"))
    add("report", _values(SchoolReport.objects.filter(item__order__school=school), "comment"))
    evidence = Evidence.objects.filter(report__item__order__school=school)
    add("evidence", _values(evidence, "original_name", "file", "sha256"))
    for model in (PanicButton, Camera, AccessPoint, GuardPost):
        add(model.__name__, _values(model.objects.filter(school=school), "location", "notes"))
    add("panic button", _values(PanicButton.objects.filter(school=school), "contract_no"))
    add("contract", _values(GuardContract.objects.filter(school=school), "number"))
    firms = SecurityFirm.objects.filter(pk__in=[a.firm.pk])
    add("firm", _values(firms, "name", "licence_no", "bin", "phone"))
    add("school", [school.head_name, school.head_phone, str(school.latitude), str(school.longitude)])
    people = User.objects.exclude(username="")
    add("user", _values(people, "username", "first_name", "last_name", "phone", "email"))
    add("user", [u.get_full_name() for u in people if u.get_full_name()])
    concerns = Concern.objects.filter(school=school)
    add("concern", _values(concerns, "what", "where", "when", "contact", "ip_hash"))
    photos = Photo.objects.filter(inspection__school=school)
    add("photo", [f"/photos/{p.pk}/" for p in photos])
    add("photo", _values(photos, "file", "thumbnail", "original_sha256", "caption"))
    # School B is not the subject of these pages at all.
    add("school B", [world.b.school.name_ru, world.b.school.bin])
    return found


def pages(world) -> list[str]:
    a = world.a
    return [
        reverse("public:home") + "?q=" + a.school.bin,
        reverse("public:home") + "?q=" + "Школа-гимназия",
        reverse("public:school", args=[a.school.bin]),
        reverse("public:concern_new", args=[a.school.bin]),
        reverse("public:concern_status") + "?ref=" + a.concern.reference,
    ]


def _text(body: bytes) -> str:
    return html.unescape(body.decode())


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_the_public_pages_show_nothing_but_the_summary(world, lang):
    secrets = forbidden(world)
    # The world really holds all of that.
    assert set(secrets.values()) >= {
        "order item", "finding", "report", "evidence", "PanicButton", "Camera", "AccessPoint", "GuardPost",
        "contract", "firm", "school", "user", "concern", "photo", "school B",
    }  # fmt: skip
    client = Client()
    client.cookies.load({"qorgau_language": lang})
    for path in pages(world):
        response = client.get(path)
        assert response.status_code == 200, path
        text = _text(response.content)
        leaks = {value: source for value, source in secrets.items() if value in text}
        assert not leaks, f"{path} shows {leaks}"
        # No link into the signed-in part of the app, no file of any kind, no internal id of the school.
        assert not re.search(r'(href|src)="/(schools|inspections|orders|media|files)/', text), path
        assert f"/schools/{world.a.school.pk}/" not in text


def test_the_summary_itself_is_there(world, client):
    client.cookies.load({"qorgau_language": "en"})
    text = _text(client.get(reverse("public:school", args=[world.a.school.bin])).content)
    assert world.a.school.name_ru in text and world.a.school.address in text
    assert "Yes, checked" in text  # approved this school year
    open_items = OrderItem.objects.filter(
        order__school=world.a.school, order__status="issued", status__in=["open", "reported"]
    ).count()
    assert open_items and f"{open_items} item" in text


def test_a_signed_in_user_sees_the_same_public_page_as_anyone(world, client):
    anonymous = _text(Client().get(reverse("public:school", args=[world.a.school.bin])).content)
    client.force_login(world.users["city_supervisor"])
    signed_in = _text(client.get(reverse("public:school", args=[world.a.school.bin])).content)
    # The header differs (menu, user name); the public part is the same.
    part = re.compile(r'<div class="public">.*?</main>', re.S)
    assert part.search(anonymous).group(0) == part.search(signed_in).group(0)
