"""The scoping layer decides what each organisation sees; school B in district Y is the canary."""

import pytest

from qorgau.accounts.models import Role
from qorgau.accounts.scoping import scope_for, visible
from qorgau.core.models import ChangeRecord
from qorgau.registry.models import Camera, District, GuardContract, School, SecurityFirm
from qorgau.tests.factories import (
    CameraFactory,
    GuardPostFactory,
    SecurityFirmFactory,
    UserFactory,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cameras(school_a, school_b):
    return CameraFactory(school=school_a), CameraFactory(school=school_b)


def test_the_city_supervisor_and_education_see_every_school(
    city_supervisor, education_user, school_a, school_b
):
    for user in (city_supervisor, education_user):
        assert set(visible(user, School)) == {school_a, school_b}


def test_a_district_user_sees_only_the_district(chief_x, inspector_x, school_a, school_b, cameras):
    for user in (chief_x, inspector_x):
        assert list(visible(user, School)) == [school_a]
        assert list(visible(user, Camera)) == [cameras[0]]
        assert list(visible(user, District)) == [school_a.district]


def test_a_school_admin_sees_only_their_school(school_admin_a, school_a, school_b, cameras):
    assert list(visible(school_admin_a, School)) == [school_a]
    assert list(visible(school_admin_a, Camera)) == [cameras[0]]
    assert list(visible(school_admin_a, District)) == [school_a.district]


def test_a_security_firm_sees_the_schools_it_guards(firm_user, firm, school_a, school_b, cameras):
    assert list(visible(firm_user, School)) == [school_a]
    assert list(visible(firm_user, Camera)) == [cameras[0]]
    assert list(visible(firm_user, SecurityFirm)) == [firm]
    assert list(visible(firm_user, GuardContract)) == list(GuardContract.objects.filter(school=school_a))


def test_a_firm_with_only_a_guard_post_at_a_school_sees_that_school(school_b):
    other_firm = SecurityFirmFactory()
    GuardPostFactory(school=school_b, firm=other_firm)
    user = make_user(Role.SECURITY_FIRM, firm=other_firm)
    assert list(visible(user, School)) == [school_b]


def test_a_school_sees_only_the_firms_that_guard_it(school_admin_a, school_admin_b, firm):
    SecurityFirmFactory()
    assert list(visible(school_admin_a, SecurityFirm)) == [firm]
    assert list(visible(school_admin_b, SecurityFirm)) == []


def test_history_is_scoped_like_its_school(chief_x, school_a, school_b):
    common = {"action": "created", "object_type": "x", "object_id": 1, "object_repr": "a"}
    mine = ChangeRecord.objects.create(school=school_a, district=school_a.district, **common)
    ChangeRecord.objects.create(school=school_b, district=school_b.district, **common)
    assert list(visible(chief_x, ChangeRecord)) == [mine]


def test_a_user_without_an_organisation_sees_nothing(school_a):
    user = UserFactory(role=Role.INSPECTOR)
    assert scope_for(user).level == "none"
    assert not visible(user, School).exists()


def test_a_role_that_does_not_fit_the_organisation_sees_nothing(school_a):
    user = make_user(Role.SCHOOL_ADMIN, school=school_a)
    user.role = Role.CITY_SUPERVISOR  # a school account cannot become the city supervisor by a changed role
    user.save()
    user.refresh_from_db()
    assert not visible(user, School).exists()


def test_an_anonymous_visitor_sees_nothing(school_a):
    from django.contrib.auth.models import AnonymousUser

    assert not visible(AnonymousUser(), School).exists()
