import pytest

from qorgau.core.models import ChangeRecord
from qorgau.registry.models import CityStatus, School
from qorgau.tests.factories import CameraFactory, SchoolFactory

pytestmark = pytest.mark.django_db


def test_an_admin_edit_is_recorded_in_the_history(login, city_supervisor, school_a):
    camera = CameraFactory(school=school_a, location="Холл")
    client = login(city_supervisor)
    response = client.post(
        f"/admin/registry/camera/{camera.pk}/change/",
        {
            "school": school_a.pk,
            "location": "Холл 2",
            "status": "working",
            "zone": "hall",
            "placement": "indoor",
        },
    )
    assert response.status_code == 302
    record = ChangeRecord.objects.get(object_type="registry.camera")
    assert record.actor == city_supervisor
    assert record.changes["location"] == ["Холл", "Холл 2"]
    assert record.school == school_a


def test_changing_a_districts_city_status_recomputes_its_school_tiers(login, city_supervisor, district_x):
    school = SchoolFactory(district=district_x, pupils=250)
    assert school.size_tier == "T3"
    client = login(city_supervisor)
    response = client.post(
        f"/admin/registry/district/{district_x.pk}/change/",
        {
            "code": district_x.code, "name_ru": district_x.name_ru, "name_kk": district_x.name_kk,
            "name_en": "", "city": "Қонаев", "city_status": CityStatus.OTHER, "police_office": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert School.objects.get(pk=school.pk).size_tier == "T1"
