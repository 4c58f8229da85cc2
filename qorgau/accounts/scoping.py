"""The one scoping layer: what a user may see.

Every page, API endpoint, export and file download gets its objects through `visible(user, Model)` or
`Model.objects.visible_to(user)`. Role decides what a user may do (see `policy.py`); the organisation the
user belongs to decides what they may see, and that is decided here and nowhere else.

Each scoped model declares a `scope_rule`: the lookups that lead from a row to its school, district or
security firm. Children (equipment, contracts, later inspections and orders) reach their school through
that lookup, so a foreign school's camera is as invisible as the school itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from qorgau.accounts.models import User


@dataclass(frozen=True)
class ScopeRule:
    school: str | None = None  # lookup of the school id, e.g. "id" on School, "school_id" on Camera
    district: str | None = None  # lookup of the district id
    firm: str | None = None  # lookup of the security firm id
    special: str | None = None  # "firm": register of firms (_filter_firms); "everyone": any signed-in user
    hidden_from: tuple[str, ...] = ()  # scope levels that never see this model, e.g. ("firm",)
    # Extra condition for a school's own users, e.g. a school sees its inspections only once approved.
    school_condition: dict | None = None


@dataclass(frozen=True)
class Scope:
    level: str  # "city", "district", "school", "firm" or "none"
    district_id: int | None = None
    school_id: int | None = None
    firm_id: int | None = None

    @property
    def is_police(self) -> bool:
        return self.level in ("city", "district")


NO_SCOPE = Scope("none")


def scope_for(user: User | None) -> Scope:
    """The user's scope, computed once per request and kept on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    cached = getattr(user, "_qorgau_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._qorgau_scope = scope
    return scope


def _compute_scope(user: User) -> Scope:
    from qorgau.accounts.models import ROLE_ORGANISATION_KIND, OrgKind

    org = user.organisation
    if org is None or ROLE_ORGANISATION_KIND.get(user.role) != org.kind:
        return NO_SCOPE
    if org.kind in (OrgKind.CITY_POLICE, OrgKind.EDUCATION):
        return Scope("city")
    if org.kind == OrgKind.DISTRICT_POLICE and org.district_id:
        return Scope("district", district_id=org.district_id)
    if org.kind == OrgKind.SCHOOL and org.school_id:
        return Scope("school", school_id=org.school_id, district_id=org.school.district_id)
    if org.kind == OrgKind.SECURITY_FIRM and org.firm_id:
        return Scope("firm", firm_id=org.firm_id)
    return NO_SCOPE


def guarded_school_ids(firm_id: int) -> list[int]:
    """Ids of the schools a security firm guards: a current contract, or one of its posts at the school."""
    from qorgau.registry.models import GuardContract, GuardPost

    # A firm guards a handful of schools; a concrete list keeps the outer query simple on both databases.
    by_contract = GuardContract.objects.filter(firm_id=firm_id, is_current=True).values_list(
        "school_id", flat=True
    )
    by_post = GuardPost.objects.filter(firm_id=firm_id).values_list("school_id", flat=True)
    return sorted(set(by_contract) | set(by_post))


def filter_visible(qs: models.QuerySet, user: User | None) -> models.QuerySet:
    rule: ScopeRule | None = getattr(qs.model, "scope_rule", None)
    if rule is None:
        raise TypeError(f"{qs.model.__name__} has no scope_rule: it cannot be shown to users.")
    scope = scope_for(user)
    if scope.level in rule.hidden_from:
        return qs.none()
    if rule.special == "everyone":
        return qs if scope.level != "none" else qs.none()
    if scope.level == "city":
        return qs
    if rule.special == "firm":
        return _filter_firms(qs, scope)
    if scope.level == "district" and rule.district:
        return qs.filter(**{rule.district: scope.district_id})
    if scope.level == "school":
        if rule.school_condition:
            qs = qs.filter(**rule.school_condition)
        if rule.school:
            return qs.filter(**{rule.school: scope.school_id})
        if rule.district:
            return qs.filter(**{rule.district: scope.district_id})
    if scope.level == "firm":
        if rule.firm:
            return qs.filter(**{rule.firm: scope.firm_id})
        if rule.school:
            return qs.filter(**{f"{rule.school}__in": guarded_school_ids(scope.firm_id)})
        if rule.district:
            from qorgau.registry.models import School

            districts = School.objects.filter(id__in=guarded_school_ids(scope.firm_id)).values("district_id")
            return qs.filter(**{f"{rule.district}__in": districts})
    return qs.none()


def _filter_firms(qs: models.QuerySet, scope: Scope) -> models.QuerySet:
    # The register of licensed firms is needed by every police office (to record a school's contract);
    # a school sees the firms that guard it, a firm sees itself.
    if scope.level == "district":
        return qs
    if scope.level == "firm":
        return qs.filter(id=scope.firm_id)
    if scope.level == "school":
        from qorgau.registry.models import GuardContract, GuardPost

        contracted = GuardContract.objects.filter(school_id=scope.school_id, is_current=True).values(
            "firm_id"
        )
        posted = GuardPost.objects.filter(school_id=scope.school_id).values("firm_id")
        return qs.filter(models.Q(id__in=contracted) | models.Q(id__in=posted))
    return qs.none()


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: User | None) -> models.QuerySet:
        return filter_visible(self, user)


def visible(user: User | None, model_or_qs) -> models.QuerySet:
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs._default_manager.all()
    return filter_visible(qs, user)


def get_visible_or_404(user: User | None, model_or_qs, **lookup):
    """The object if the user may see it; otherwise 404, whether it exists elsewhere or not at all."""
    try:
        return visible(user, model_or_qs).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
