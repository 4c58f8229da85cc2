"""What fuzzing the API found (test_api_fuzz.py), pinned down: input no field can hold is refused naming the
field, never a server error; the OpenAPI schema describes each field with its own values."""

import importlib
import pkgutil

import pydantic
import pytest
from django.test import Client

import qorgau
from qorgau.accounts.services import token_create
from qorgau.api import api
from qorgau.inspections.models import Inspection
from qorgau.orders.models import OrderItem


@pytest.fixture
def city_api(city_supervisor):
    _token, key = token_create(user=city_supervisor, name="test")
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_a_null_for_a_field_that_cannot_be_null_is_refused_naming_it(city_api, school_a):
    response = city_api.patch(
        f"/api/v1/schools/{school_a.pk}", data={"head_phone": None}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["head_phone"]


def test_a_nul_character_is_refused_naming_the_field(city_api, school_a):
    response = city_api.patch(
        f"/api/v1/schools/{school_a.pk}", data={"name_ru": "Школа\x00"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["name_ru"]
    response = city_api.get("/api/v1/schools", {"q": "a\x00"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["q"]


def test_an_integer_no_column_can_hold_is_refused_naming_the_field(city_api, district_x):
    body = {"name": "Весна", "starts_on": "2026-03-01", "ends_on": "2026-04-01", "district_ids": [2**70]}
    response = city_api.post("/api/v1/campaigns", data=body, content_type="application/json")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["district_ids.0"]


def test_each_choice_field_is_described_with_its_own_values():
    components = api.get_openapi_schema()["components"]["schemas"]
    assert components["InspectionOut"]["properties"]["status"]["enum"] == list(Inspection.Status.values)
    assert components["InspectionOut"]["properties"]["kind"]["enum"] == list(Inspection.Kind.values)
    assert components["OrderItemOut"]["properties"]["status"]["enum"] == list(OrderItem.Status.values)


def test_no_two_api_schemas_share_a_name():
    # The OpenAPI schema keys components by class name: a second `ItemOut` silently replaced the first, and
    # the checklist API was documented with the inspection form's items.
    owners: dict[str, list[str]] = {}
    for app in pkgutil.iter_modules(qorgau.__path__):
        if not app.ispkg:
            continue
        try:
            module = importlib.import_module(f"qorgau.{app.name}.api")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, pydantic.BaseModel)
                and value.__module__ == module.__name__
                and value.model_fields  # a base class without fields never appears in the schema
            ):
                owners.setdefault(name, []).append(module.__name__)
    assert {name: mods for name, mods in owners.items() if len(mods) > 1} == {}
