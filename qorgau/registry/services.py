"""Writes to the registry. Every write is validated, atomic and recorded in the history."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qorgau.accounts import policy
from qorgau.accounts.scoping import visible
from qorgau.core.errors import NotAllowed
from qorgau.core.history import record_change, snapshot
from qorgau.core.models import ChangeRecord
from qorgau.core.services import assign
from qorgau.registry.models import (
    EQUIPMENT_MODELS,
    District,
    Equipment,
    GuardContract,
    School,
    SecurityFirm,
    size_tier_for,
)

SCHOOL_FIELDS = (
    "district", "name_ru", "name_kk", "bin", "address", "latitude", "longitude", "pupils", "shifts",
    "head_name", "head_phone", "document_language",
)  # fmt: skip
FIRM_FIELDS = ("name", "bin", "licence_no", "licence_expiry", "phone", "address", "rapid_response_teams")
CONTRACT_FIELDS = ("firm", "in_house", "number", "valid_from", "valid_until")


def _check_district(actor, district: District | None) -> None:
    # A district office may only place schools in its own district.
    if district is not None and not visible(actor, District).filter(pk=district.pk).exists():
        raise ValidationError({"district": _("You cannot place a school in this district.")})


@transaction.atomic
def school_create(*, actor, data: dict[str, Any]) -> School:
    if not policy.can_create_school(actor):
        raise NotAllowed(_("You may not add schools."))
    school = School()
    assign(school, data, SCHOOL_FIELDS)
    _check_district(actor, data.get("district"))
    school.full_clean()
    school.save()
    record_change(actor=actor, instance=school, action=ChangeRecord.Action.CREATED, school=school)
    return school


@transaction.atomic
def school_update(*, actor, school: School, data: dict[str, Any]) -> School:
    if not policy.can_edit_school(actor):
        raise NotAllowed(_("You may not change this school's details."))
    before = snapshot(school)
    assign(school, data, SCHOOL_FIELDS)
    if "district" in data:
        _check_district(actor, data["district"])
    school.full_clean()
    school.save()
    record_change(
        actor=actor, instance=school, action=ChangeRecord.Action.UPDATED, before=before, school=school
    )
    return school


def equipment_model(kind: str) -> type[Equipment]:
    try:
        return EQUIPMENT_MODELS[kind]
    except KeyError:
        raise ValidationError({"kind": _("Unknown kind of equipment: %(kind)s.") % {"kind": kind}}) from None


def equipment_fields(model: type[Equipment]) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in model._meta.concrete_fields
        if f.editable and f.name not in ("id", "school", "updated_at")
    )


def _check_equipment_firm(actor, item: Equipment) -> None:
    firm_id = getattr(item, "firm_id", None)
    if firm_id and not visible(actor, SecurityFirm).filter(pk=firm_id).exists():
        raise ValidationError({"firm": _("Choose a security firm from the register.")})


@transaction.atomic
def equipment_create(*, actor, school: School, kind: str, data: dict[str, Any]) -> Equipment:
    model = equipment_model(kind)
    if not policy.can_edit_equipment(actor, kind):
        raise NotAllowed(_("You may not change this school's equipment."))
    item = model(school=school)
    assign(item, data, equipment_fields(model))
    _check_equipment_firm(actor, item)
    item.full_clean()
    item.save()
    record_change(actor=actor, instance=item, action=ChangeRecord.Action.CREATED, school=school)
    return item


@transaction.atomic
def equipment_update(*, actor, item: Equipment, kind: str, data: dict[str, Any]) -> Equipment:
    if not policy.can_edit_equipment(actor, kind):
        raise NotAllowed(_("You may not change this school's equipment."))
    before = snapshot(item)
    assign(item, data, equipment_fields(type(item)))
    _check_equipment_firm(actor, item)
    item.full_clean()
    item.save()
    record_change(
        actor=actor, instance=item, action=ChangeRecord.Action.UPDATED, before=before, school=item.school
    )
    return item


@transaction.atomic
def equipment_delete(*, actor, item: Equipment, kind: str) -> None:
    if not policy.can_edit_equipment(actor, kind):
        raise NotAllowed(_("You may not change this school's equipment."))
    before = snapshot(item)
    school = item.school
    record_change(
        actor=actor, instance=item, action=ChangeRecord.Action.DELETED, before=before, school=school
    )
    item.delete()


@transaction.atomic
def contract_set(*, actor, school: School, data: dict[str, Any]) -> GuardContract:
    """Record the school's current guard contract. The previous one is kept as history, not overwritten."""
    if not policy.can_edit_contract(actor):
        raise NotAllowed(_("You may not change this school's guard contract."))
    contract = GuardContract(school=school, is_current=True)
    assign(contract, data, CONTRACT_FIELDS)
    if contract.firm_id and not visible(actor, SecurityFirm).filter(pk=contract.firm_id).exists():
        raise ValidationError({"firm": _("Choose a security firm from the register.")})
    contract.full_clean(exclude=["is_current", "school"])
    previous = list(GuardContract.objects.select_for_update().filter(school=school, is_current=True))
    before = snapshot(previous[0]) if previous else None
    GuardContract.objects.filter(pk__in=[c.pk for c in previous]).update(is_current=False)
    contract.save()
    action = ChangeRecord.Action.UPDATED if previous else ChangeRecord.Action.CREATED
    record_change(actor=actor, instance=contract, action=action, before=before, school=school)
    return contract


@transaction.atomic
def firm_create(*, actor, data: dict[str, Any]) -> SecurityFirm:
    if not policy.can_create_firm(actor):
        raise NotAllowed(_("You may not add security firms."))
    firm = SecurityFirm()
    assign(firm, data, FIRM_FIELDS)
    firm.full_clean()
    firm.save()
    record_change(actor=actor, instance=firm, action=ChangeRecord.Action.CREATED)
    return firm


@transaction.atomic
def firm_update(*, actor, firm: SecurityFirm, data: dict[str, Any]) -> SecurityFirm:
    if not policy.can_edit_firm(actor, firm):
        raise NotAllowed(_("You may not change this security firm."))
    before = snapshot(firm)
    assign(firm, data, FIRM_FIELDS)
    firm.full_clean()
    firm.save()
    record_change(actor=actor, instance=firm, action=ChangeRecord.Action.UPDATED, before=before)
    return firm


def refresh_size_tiers(*, district: District) -> int:
    """Recompute the size tier of a district's schools after its city status changed."""
    changed = 0
    for school in School.objects.filter(district=district).only("id", "pupils", "size_tier"):
        tier = size_tier_for(school.pupils, district.city_status)
        if tier != school.size_tier:
            School.objects.filter(pk=school.pk).update(size_tier=tier)
            changed += 1
    return changed
