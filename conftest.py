"""Personas shared by every test: two districts, a school in each, and a user of every role.

School A and the home district are "ours"; school B in the other district is the canary that must never
show up for our district's or our school's users.
"""

import os

import pytest

from qorgau.accounts.models import Role
from qorgau.tests.factories import (
    DistrictFactory,
    GuardContractFactory,
    SchoolFactory,
    SecurityFirmFactory,
    make_user,
)

pytest_plugins = ["qorgau.tests.browser"]

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing is slow by design; tests only need passwords that check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def district_x(db):
    return DistrictFactory(code="TX", name_ru="Район Икс", name_kk="Икс ауданы", name_en="District X")


@pytest.fixture
def district_y(db):
    return DistrictFactory(code="TY", name_ru="Район Игрек", name_kk="Игрек ауданы", name_en="District Y")


@pytest.fixture
def firm(db):
    return SecurityFirmFactory(name="ТОО «Бастион»")


@pytest.fixture
def school_a(district_x, firm):
    school = SchoolFactory(district=district_x, name_ru="Школа-гимназия № 1 (А)", name_kk="№ 1 мектеп (А)")
    GuardContractFactory(school=school, firm=firm)
    return school


@pytest.fixture
def school_b(district_y):
    return SchoolFactory(district=district_y, name_ru="Лицей № 2 (Б)", name_kk="№ 2 лицей (Б)")


@pytest.fixture
def city_supervisor(db):
    return make_user(Role.CITY_SUPERVISOR, username="city")


@pytest.fixture
def education_user(db):
    return make_user(Role.EDUCATION, username="edu")


@pytest.fixture
def chief_x(district_x):
    return make_user(Role.DISTRICT_CHIEF, district=district_x, username="chief_x")


@pytest.fixture
def inspector_x(district_x):
    return make_user(Role.INSPECTOR, district=district_x, username="inspector_x")


@pytest.fixture
def inspector_y(district_y):
    return make_user(Role.INSPECTOR, district=district_y, username="inspector_y")


@pytest.fixture
def school_admin_a(school_a):
    return make_user(Role.SCHOOL_ADMIN, school=school_a, username="head_a")


@pytest.fixture
def school_admin_b(school_b):
    return make_user(Role.SCHOOL_ADMIN, school=school_b, username="head_b")


@pytest.fixture
def firm_user(firm):
    return make_user(Role.SECURITY_FIRM, firm=firm, username="firm")


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
