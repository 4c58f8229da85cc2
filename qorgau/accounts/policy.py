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


def can_read_audit(user: User) -> bool:
    """The audit log (sign-ins, refusals, downloads) is read by the city police department only."""
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


# Parents' concerns ------------------------------------------------------------------------------------------


def can_read_concerns(user: User) -> bool:
    """The police: a district office its district's queue, the city supervisor every district's."""
    return _role(user) in POLICE_ROLES


def can_triage_concerns(user: User) -> bool:
    """Dismiss, note, start an inspection: the district office the concern belongs to."""
    return _role(user) in {Role.DISTRICT_CHIEF, Role.INSPECTOR}


def can_see_reporter_contact(user: User, concern) -> bool:
    """A reporter's contact is for the police of the concern's district only, who may need to call back."""
    scope = scope_for(user)
    in_district = scope.level == "district" and scope.district_id == concern.district_id
    return can_triage_concerns(user) and in_district


# Oversight: planning from the risk ranking, budget needs ----------------------------------------------------


def can_see_risk_ranking(user: User) -> bool:
    """ "What to inspect next": the police who plan inspections."""
    return _role(user) in POLICE_ROLES


def can_plan_from_ranking(user: User) -> bool:
    """A campaign over the top of the ranking: the district chief for the district, the city anywhere."""
    return _role(user) in {Role.CITY_SUPERVISOR, Role.DISTRICT_CHIEF}


def can_see_budget_needs(user: User) -> bool:
    """Open equipment items that need money: the education department plans the budget; the police follow."""
    return _role(user) in {Role.EDUCATION, Role.CITY_SUPERVISOR, Role.DISTRICT_CHIEF}


def can_see_dashboard(user: User) -> bool:
    """City and district dashboards: the police and the education department. Schools and firms have their
    own pages and no dashboard (403)."""
    return _role(user) in POLICE_ROLES | {Role.EDUCATION}
