import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from qorgau.core.errors import NotAllowed
from qorgau.core.models import ChangeRecord
from qorgau.registry import services
from qorgau.registry.bin import bin_problem, make_bin
from qorgau.registry.models import CityStatus, School, SizeTier, size_tier_for
from qorgau.tests.factories import CameraFactory, next_bin

pytestmark = pytest.mark.django_db


def test_it_accepts_a_bin_with_a_right_check_digit():
    assert bin_problem(make_bin("98040000001")) is None


@pytest.mark.parametrize(
    ("value", "words"),
    [("12345", "12 digits"), ("12345678901A", "digits only"), ("123456789012", "check digit")],
)
def test_it_explains_what_is_wrong_with_a_bin(value, words):
    with translation.override("en"):
        assert words in bin_problem(value)


@pytest.mark.parametrize(
    ("pupils", "status", "tier"),
    [
        (300, CityStatus.OTHER, SizeTier.SMALL),
        (301, CityStatus.OTHER, SizeTier.MEDIUM),
        (700, CityStatus.OTHER, SizeTier.MEDIUM),
        (701, CityStatus.OTHER, SizeTier.LARGE),
        (120, CityStatus.REGIONAL, SizeTier.LARGE),
        (120, CityStatus.REPUBLICAN, SizeTier.LARGE),
    ],
)
def test_the_size_tier_follows_pupils_and_city_status(pupils, status, tier):
    assert size_tier_for(pupils, status) == tier


def test_creating_a_school_records_who_and_when(chief_x, district_x):
    school = services.school_create(
        actor=chief_x,
        data={
            "district": district_x, "name_ru": "Школа № 7", "name_kk": "№ 7 мектеп", "bin": next_bin(),
            "address": "ул. Толе би, 7", "pupils": 640, "shifts": 2,
        },
    )  # fmt: skip
    record = ChangeRecord.objects.get(object_type="registry.school", object_id=school.pk)
    assert record.actor == chief_x
    assert record.action == "created"
    assert record.district == district_x


def test_an_inspector_may_not_add_a_school(inspector_x, district_x):
    with pytest.raises(NotAllowed):
        services.school_create(actor=inspector_x, data={"district": district_x})


def test_a_field_that_cannot_be_set_is_refused_by_name(city_supervisor, school_a):
    with pytest.raises(ValidationError) as error:
        services.school_update(actor=city_supervisor, school=school_a, data={"size_tier": "T1"})
    assert "size_tier" in error.value.message_dict


def test_an_update_that_changes_nothing_leaves_no_history(city_supervisor, school_a):
    services.school_update(actor=city_supervisor, school=school_a, data={"address": school_a.address})
    assert not ChangeRecord.objects.filter(object_type="registry.school", action="updated").exists()


def test_a_failed_write_leaves_nothing_half_done(school_admin_a, school_a):
    camera = CameraFactory(school=school_a, archive_days=30)
    with pytest.raises(ValidationError):
        services.equipment_update(
            actor=school_admin_a, item=camera, kind="cameras", data={"archive_days": 20, "zone": "nowhere"}
        )
    camera.refresh_from_db()
    assert camera.archive_days == 30
    assert not ChangeRecord.objects.exists()


def test_deleting_equipment_keeps_a_record_of_what_it_was(school_admin_a, school_a):
    camera = CameraFactory(school=school_a, location="Столовая")
    services.equipment_delete(actor=school_admin_a, item=camera, kind="cameras")
    record = ChangeRecord.objects.get(action="deleted")
    assert record.object_repr == "Столовая"
    assert record.changes["location"] == ["Столовая", None]
    assert School.objects.filter(pk=school_a.pk).exists()


def test_a_contract_needs_a_firm_or_in_house_guards(inspector_x, school_a):
    with pytest.raises(ValidationError) as error:
        services.contract_set(actor=inspector_x, school=school_a, data={"number": "1"})
    assert "firm" in error.value.message_dict


def test_a_firm_may_change_only_its_own_record(firm_user, firm):
    from qorgau.tests.factories import SecurityFirmFactory

    services.firm_update(actor=firm_user, firm=firm, data={"phone": "+7 727 111 22 33"})
    with pytest.raises(NotAllowed):
        services.firm_update(actor=firm_user, firm=SecurityFirmFactory(), data={"phone": "1"})
