"""Registry API. Objects come through the scoping layer and writes go through `services`, as on the pages.

Foreign keys arrive as ids (`district_id`, `firm_id`) and are looked up through the scoping layer too,
so an id the caller cannot see is answered like one that does not exist.
"""

# No `from __future__ import annotations`: ninja reads the equipment endpoints' annotations at runtime,
# and those schemas are closure variables.
from datetime import date
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, ModelSchema, PatchDict, Query, Router, Schema, Status
from ninja.orm import create_schema
from ninja.pagination import LimitOffsetPagination, paginate

from qorgau.accounts.scoping import get_visible_or_404, visible
from qorgau.core.api_schema import MAX_PAGE, STRICT
from qorgau.core.errors import ValidationError
from qorgau.registry import selectors, services
from qorgau.registry.models import (
    EQUIPMENT_MODELS,
    District,
    GuardContract,
    GuardPost,
    School,
    SecurityFirm,
    SizeTier,
)
from qorgau.registry.services import FIRM_FIELDS, SCHOOL_FIELDS, equipment_fields

router = Router(tags=["registry"])

# The district is given by id, see `_service_data`.
SCHOOL_INPUT = [name for name in SCHOOL_FIELDS if name != "district"]


# Schemas -----------------------------------------------------------------------------------------------


class DistrictOut(ModelSchema):
    name: str

    class Meta:
        model = District
        fields = ["id", "code", "name_ru", "name_kk", "name_en", "city", "city_status", "police_office"]


class DistrictRefOut(Schema):
    """A district named beside something else (a school's row, an item, a concern)."""

    id: int
    code: str
    name: str


class SchoolIn(ModelSchema):
    model_config = STRICT
    district_id: int

    class Meta:
        model = School
        fields = SCHOOL_INPUT


class SchoolOut(ModelSchema):
    """A school as `selectors.school_list` returns it, with the equipment counts the list page shows."""

    name: str
    district: DistrictOut
    cameras_total: int
    cameras_working: int
    panic_total: int
    panic_working: int
    faulty_total: int
    has_valid_contract: bool

    class Meta:
        model = School
        fields = ["id", *SCHOOL_INPUT, "size_tier", "created_at", "updated_at"]


class SchoolFilters(Schema):
    q: str = Field("", max_length=100)
    district: int | None = None
    size_tier: SizeTier | None = None
    missing: Literal[tuple(selectors.MISSING_FILTERS)] | None = None  # type: ignore[valid-type]


class FirmIn(ModelSchema):
    model_config = STRICT

    class Meta:
        model = SecurityFirm
        fields = list(FIRM_FIELDS)


class FirmOut(ModelSchema):
    schools_count: int = Field(description="Schools the firm guards under a current contract.")

    class Meta:
        model = SecurityFirm
        fields = ["id", *FIRM_FIELDS]


class FirmFilters(Schema):
    q: str = Field("", max_length=100)


class ContractIn(Schema):
    model_config = STRICT
    firm_id: int | None = None
    in_house: bool = False
    number: str = Field("", max_length=50)
    valid_from: date | None = None
    valid_until: date | None = None


class ContractOut(ModelSchema):
    firm_id: int | None

    class Meta:
        model = GuardContract
        fields = ["id", "in_house", "number", "valid_from", "valid_until"]


def _equipment_in(model) -> list[str]:
    return [name for name in equipment_fields(model) if name != "firm"]


class StrictSchema(Schema):
    model_config = STRICT


def _equipment_schemas(model) -> tuple[type[Schema], type[Schema]]:
    """Input and output schemas of one kind of equipment. A guard post also names its firm, by id."""
    firm = [("firm_id", int | None, None)] if model is GuardPost else []
    schema_in = create_schema(
        model,
        name=f"{model.__name__}In",
        fields=_equipment_in(model),
        custom_fields=firm,
        base_class=StrictSchema,
    )
    schema_out = create_schema(
        model,
        name=f"{model.__name__}Out",
        fields=["id", *_equipment_in(model), "updated_at"],
        custom_fields=firm,
    )
    return schema_in, schema_out


EQUIPMENT_SCHEMAS = {kind: _equipment_schemas(model) for kind, model in EQUIPMENT_MODELS.items()}


# Lookups -----------------------------------------------------------------------------------------------


def _school(request: HttpRequest, school_id: int) -> School:
    return get_visible_or_404(request.user, School.objects.select_related("district"), pk=school_id)


def _school_out(request: HttpRequest, school_id: int) -> School:
    # The detail and the answer to a write have the list's shape, counts included.
    return get_visible_or_404(request.user, selectors.school_list(user=request.user), pk=school_id)


def _firm_out(request: HttpRequest, firm_id: int) -> SecurityFirm:
    return get_visible_or_404(request.user, selectors.firm_list(user=request.user), pk=firm_id)


def _choice(request: HttpRequest, model, pk: int | None, field: str):
    try:
        return get_visible_or_404(request.user, model, pk=pk)
    except Http404:
        # The same words whether the object is elsewhere or nowhere.
        message = _("There is no such %(model)s.") % {"model": model._meta.verbose_name}
        raise ValidationError({field: message}) from None


def _service_data(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """The input with its foreign-key ids turned into objects the caller may see, as services expect."""
    if "district_id" in data:
        data["district"] = _choice(request, District, data.pop("district_id"), "district_id")
    if "firm_id" in data:
        firm_id = data.pop("firm_id")
        data["firm"] = None if firm_id is None else _choice(request, SecurityFirm, firm_id, "firm_id")
    return data


# Districts ---------------------------------------------------------------------------------------------


@router.get("/districts", response=list[DistrictOut])
def district_list(request: HttpRequest):
    return visible(request.user, District)


@router.get("/districts/{district_id}", response=DistrictOut)
def district_get(request: HttpRequest, district_id: int):
    return get_visible_or_404(request.user, District, pk=district_id)


# Schools -----------------------------------------------------------------------------------------------


@router.get("/schools", response=list[SchoolOut])
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE)
def school_list(request: HttpRequest, filters: Query[SchoolFilters]):
    return selectors.school_list(
        user=request.user,
        q=filters.q,
        district_id=filters.district,
        size_tier=filters.size_tier or "",
        missing=filters.missing or "",
    )


@router.get("/schools/{school_id}", response=SchoolOut)
def school_get(request: HttpRequest, school_id: int):
    return _school_out(request, school_id)


@router.post("/schools", response={201: SchoolOut})
def school_create(request: HttpRequest, payload: SchoolIn):
    data = _service_data(request, payload.dict(exclude_unset=True))
    school = services.school_create(actor=request.user, data=data)
    return Status(201, _school_out(request, school.pk))


@router.patch("/schools/{school_id}", response=SchoolOut)
def school_update(request: HttpRequest, school_id: int, payload: PatchDict[SchoolIn]):
    school = _school(request, school_id)
    services.school_update(actor=request.user, school=school, data=_service_data(request, payload))
    return _school_out(request, school.pk)


# The school's guard contract ---------------------------------------------------------------------------


@router.get("/schools/{school_id}/contract", response=ContractOut | None)
def contract_get(request: HttpRequest, school_id: int):
    """The current contract, or null when none is on record."""
    school = _school(request, school_id)
    return visible(request.user, GuardContract).filter(school=school, is_current=True).first()


@router.put("/schools/{school_id}/contract", response=ContractOut)
def contract_put(request: HttpRequest, school_id: int, payload: ContractIn):
    """Record a new current contract; the previous one stays in the history."""
    school = _school(request, school_id)
    return services.contract_set(
        actor=request.user, school=school, data=_service_data(request, payload.dict())
    )


# Equipment: the same five endpoints for each kind, under /schools/{school_id}/{kind} --------------------


def _equipment_routes(kind: str, model, schema_in, schema_out) -> None:
    path = f"/schools/{{school_id}}/{kind}"
    op = kind.replace("-", "_")

    def _item(request: HttpRequest, school_id: int, item_id: int):
        # Reached through the scoped school, so another school's id under this URL is simply not found.
        school = _school(request, school_id)
        return get_visible_or_404(request.user, model.objects.filter(school=school), pk=item_id)

    @router.get(path, response=list[schema_out], operation_id=f"{op}_list")
    def item_list(request: HttpRequest, school_id: int):
        return visible(request.user, model).filter(school=_school(request, school_id))

    @router.post(path, response={201: schema_out}, operation_id=f"{op}_create")
    def item_create(request: HttpRequest, school_id: int, payload: schema_in):
        school = _school(request, school_id)
        data = _service_data(request, payload.dict(exclude_unset=True))
        return Status(201, services.equipment_create(actor=request.user, school=school, kind=kind, data=data))

    @router.get(path + "/{item_id}", response=schema_out, operation_id=f"{op}_get")
    def item_get(request: HttpRequest, school_id: int, item_id: int):
        return _item(request, school_id, item_id)

    @router.patch(path + "/{item_id}", response=schema_out, operation_id=f"{op}_update")
    def item_update(request: HttpRequest, school_id: int, item_id: int, payload: PatchDict[schema_in]):
        item = _item(request, school_id, item_id)
        data = _service_data(request, payload)
        return services.equipment_update(actor=request.user, item=item, kind=kind, data=data)

    @router.delete(path + "/{item_id}", response={204: None}, operation_id=f"{op}_delete")
    def item_delete(request: HttpRequest, school_id: int, item_id: int):
        services.equipment_delete(actor=request.user, item=_item(request, school_id, item_id), kind=kind)
        return Status(204, None)


for _kind, (_in, _out) in EQUIPMENT_SCHEMAS.items():
    _equipment_routes(_kind, EQUIPMENT_MODELS[_kind], _in, _out)


# Security firms ----------------------------------------------------------------------------------------


@router.get("/firms", response=list[FirmOut])
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE)
def firm_list(request: HttpRequest, filters: Query[FirmFilters]):
    return selectors.firm_list(user=request.user, q=filters.q)


@router.get("/firms/{firm_id}", response=FirmOut)
def firm_get(request: HttpRequest, firm_id: int):
    return _firm_out(request, firm_id)


@router.post("/firms", response={201: FirmOut})
def firm_create(request: HttpRequest, payload: FirmIn):
    firm = services.firm_create(actor=request.user, data=payload.dict(exclude_unset=True))
    return Status(201, _firm_out(request, firm.pk))


@router.patch("/firms/{firm_id}", response=FirmOut)
def firm_update(request: HttpRequest, firm_id: int, payload: PatchDict[FirmIn]):
    firm = get_visible_or_404(request.user, SecurityFirm, pk=firm_id)
    services.firm_update(actor=request.user, firm=firm, data=payload)
    return _firm_out(request, firm.pk)
