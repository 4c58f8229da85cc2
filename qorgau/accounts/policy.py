"""What a role may do. Visibility is `scoping.py`'s job; these answer "may this user change it?".

Views and API endpoints first fetch the object through the scoping layer (404 for outsiders), then ask
here (403 for those who may only read).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qorgau.accounts.models import Role
from qorgau.accounts.scoping import scope_for

if TYPE_CHECKING:
    from qorgau.accounts.models import User
    from qorgau.registry.models import SecurityFirm

POLICE_ROLES = {Role.CITY_SUPERVISOR, Role.DISTRICT_CHIEF, Role.INSPECTOR}


def _role(user: User) -> str | None:
    return user.role if scope_for(user).level != "none" else None


def can_edit_school(user: User) -> bool:
    return _role(user) in POLICE_ROLES


def can_create_school(user: User) -> bool:
    return _role(user) in {Role.CITY_SUPERVISOR, Role.DISTRICT_CHIEF}


def can_edit_equipment(user: User, kind: str) -> bool:
    """Equipment of a school the user can see. A security firm keeps only its guard posts current."""
    role = _role(user)
    if role in POLICE_ROLES or role == Role.SCHOOL_ADMIN:
        return True
    return role == Role.SECURITY_FIRM and kind == "guard-posts"


def can_edit_contract(user: User) -> bool:
    return _role(user) in POLICE_ROLES


def can_import(user: User) -> bool:
    return _role(user) in {Role.CITY_SUPERVISOR, Role.DISTRICT_CHIEF}


def can_edit_firm(user: User, firm: SecurityFirm | None = None) -> bool:
    role = _role(user)
    if role == Role.CITY_SUPERVISOR:
        return True
    return role == Role.SECURITY_FIRM and firm is not None and scope_for(user).firm_id == firm.pk


def can_create_firm(user: User) -> bool:
    return _role(user) == Role.CITY_SUPERVISOR


def can_use_admin(user: User) -> bool:
    return _role(user) == Role.CITY_SUPERVISOR and user.is_staff


# Checklists and inspections -----------------------------------------------------------------------------


def can_manage_checklists(user: User) -> bool:
    return _role(user) == Role.CITY_SUPERVISOR


def can_create_campaign(user: User) -> bool:
    return _role(user) == Role.CITY_SUPERVISOR


def can_assign_inspectors(user: User) -> bool:
    return _role(user) in {Role.CITY_SUPERVISOR, Role.DISTRICT_CHIEF}


def can_create_inspection(user: User) -> bool:
    """Unplanned and follow-up inspections, e.g. after a complaint."""
    return _role(user) in {Role.DISTRICT_CHIEF, Role.INSPECTOR}


def can_conduct_inspection(user: User) -> bool:
    """Answer, add photos and findings, submit. The district's inspectors may stand in for each other."""
    return _role(user) in {Role.DISTRICT_CHIEF, Role.INSPECTOR}


def can_approve_inspection(user: User) -> bool:
    return _role(user) == Role.DISTRICT_CHIEF


def can_amend_inspection(user: User) -> bool:
    return _role(user) in {Role.DISTRICT_CHIEF, Role.INSPECTOR}


# Orders -----------------------------------------------------------------------------------------------------


def can_draft_order(user: User) -> bool:
    return _role(user) in {Role.DISTRICT_CHIEF, Role.INSPECTOR}


def can_issue_order(user: User) -> bool:
    return _role(user) == Role.DISTRICT_CHIEF


def can_verify_order(user: User) -> bool:
    return _role(user) in {Role.DISTRICT_CHIEF, Role.INSPECTOR}


def can_amend_order(user: User) -> bool:
    return _role(user) in {Role.DISTRICT_CHIEF, Role.INSPECTOR}


def can_answer_order(user: User) -> bool:
    """Acknowledge receipt, report fixes with evidence, ask for more time: the school's own administration."""
    return _role(user) == Role.SCHOOL_ADMIN
