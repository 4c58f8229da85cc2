"""Test data. Personas are built from these in conftest.py."""

import itertools
from datetime import date, timedelta

import factory

from qorgau.accounts.models import Organisation, OrgKind, Role, User
from qorgau.registry.bin import make_bin
from qorgau.registry.models import (
    AccessPoint,
    Camera,
    CameraZone,
    District,
    GuardContract,
    GuardPost,
    PanicButton,
    School,
    SecurityFirm,
    size_tier_for,
)

_bin_seq = itertools.count(1)


def next_bin() -> str:
    while True:
        candidate = make_bin(f"0{next(_bin_seq):010d}")
        if candidate:
            return candidate


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name_ru = factory.Sequence(lambda n: f"Тестовый район {n}")
    name_kk = factory.Sequence(lambda n: f"Сынақ ауданы {n}")
    name_en = factory.Sequence(lambda n: f"Test district {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name_ru = factory.Sequence(lambda n: f"Школа-гимназия № {n}")
    name_kk = factory.Sequence(lambda n: f"№ {n} мектеп-гимназиясы")
    bin = factory.LazyFunction(next_bin)
    address = factory.Sequence(lambda n: f"ул. Абая, {n}")
    latitude = "43.238949"
    longitude = "76.889709"
    pupils = 850
    shifts = 2
    head_name = "Ахметова Гульнара Сериковна"
    head_phone = "+7 727 000 00 00"
    size_tier = factory.LazyAttribute(lambda o: size_tier_for(o.pupils, o.district.city_status))


class SecurityFirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecurityFirm

    name = factory.Sequence(lambda n: f"ТОО «Қорған-Секьюрити {n}»")
    bin = factory.LazyFunction(next_bin)
    licence_no = factory.Sequence(lambda n: f"ЛИЦ-{n:05d}")
    licence_expiry = factory.LazyFunction(lambda: date.today() + timedelta(days=400))
    rapid_response_teams = 2


class GuardContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuardContract

    school = factory.SubFactory(SchoolFactory)
    firm = factory.SubFactory(SecurityFirmFactory)
    number = factory.Sequence(lambda n: f"Д-{n}")
    valid_from = factory.LazyFunction(lambda: date.today() - timedelta(days=100))
    valid_until = factory.LazyFunction(lambda: date.today() + timedelta(days=265))


class PanicButtonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PanicButton

    school = factory.SubFactory(SchoolFactory)
    location = "Пост охраны, 1 этаж"


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Camera

    school = factory.SubFactory(SchoolFactory)
    location = factory.Sequence(lambda n: f"Камера {n}")
    zone = CameraZone.ENTRANCE
    linked_to_police = True
    archive_days = 30


class AccessPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessPoint

    school = factory.SubFactory(SchoolFactory)
    location = "Центральный вход"
    has_turnstile = True


class GuardPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuardPost

    school = factory.SubFactory(SchoolFactory)
    location = "Пост № 1"
    hours = "24/7"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Айгерим"
    last_name = "Тестова"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")
    language = "ru"

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_user(role: str, *, district=None, school=None, firm=None, **kwargs) -> User:
    """A user with the organisation their role needs."""
    if role == Role.CITY_SUPERVISOR:
        org, _ = Organisation.objects.get_or_create(
            kind=OrgKind.CITY_POLICE, defaults={"name": "ДП г. Алматы"}
        )
        kwargs.setdefault("is_staff", True)
        kwargs.setdefault("is_superuser", True)
    elif role == Role.EDUCATION:
        org, _ = Organisation.objects.get_or_create(
            kind=OrgKind.EDUCATION, defaults={"name": "Управление образования г. Алматы"}
        )
    elif role in (Role.DISTRICT_CHIEF, Role.INSPECTOR):
        org, _ = Organisation.objects.get_or_create(
            kind=OrgKind.DISTRICT_POLICE, district=district, defaults={"name": f"УП {district.name_ru}"}
        )
    elif role == Role.SCHOOL_ADMIN:
        org, _ = Organisation.objects.get_or_create(
            kind=OrgKind.SCHOOL, school=school, defaults={"name": school.name_ru}
        )
    elif role == Role.SECURITY_FIRM:
        org, _ = Organisation.objects.get_or_create(
            kind=OrgKind.SECURITY_FIRM, firm=firm, defaults={"name": firm.name}
        )
    else:
        raise ValueError(role)
    return UserFactory(role=role, organisation=org, **kwargs)


def default_version():
    """The default checklist's published version 1. The data migration loads it; tests that flush the
    database (browser tests) load it again here."""
    from django.utils import timezone

    from qorgau.checklists.default_template import load_default_template
    from qorgau.checklists.models import ChecklistTemplate, Item, Section, TemplateVersion

    version = TemplateVersion.objects.filter(template__code="atz-edu", number=1).first()
    if version is None:
        load_default_template(
            ChecklistTemplate=ChecklistTemplate, TemplateVersion=TemplateVersion, Section=Section, Item=Item,
            published_at=timezone.now(),
        )  # fmt: skip
        version = TemplateVersion.objects.get(template__code="atz-edu", number=1)
    return version


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inspections.Inspection"

    school = factory.SubFactory(SchoolFactory)
    district = factory.LazyAttribute(lambda o: o.school.district)
    template_version = factory.LazyFunction(default_version)
    kind = "adhoc"
    reason = "Обращение родителей"
    planned_on = factory.LazyFunction(date.today)


def order_item(order, *, finding=None, **fields):
    """An order item written straight to the database, with the copies `order_draft` and `order_issue` write:
    the order's school, district and issue time, and the finding's category."""
    from qorgau.orders.models import OrderItem

    return OrderItem.objects.create(
        order=order, finding=finding, school_id=order.school_id, district_id=order.district_id,
        issued_at=order.issued_at, category=finding.item.section.code if finding and finding.item_id else "",
        **fields,
    )  # fmt: skip
