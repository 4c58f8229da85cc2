from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qorgau.accounts import policy
from qorgau.accounts.models import Role
from qorgau.accounts.scoping import scope_for


def menu_for(user) -> list[tuple[str, str, str]]:
    """The main menu as (key, label, url) for the user's role."""
    scope = scope_for(user)
    if scope.level == "none":
        return []
    items: list[tuple[str, str, str]] = []
    if user.role == Role.SCHOOL_ADMIN:
        items.append(("school", _("Our school"), reverse("registry:school_detail", args=[scope.school_id])))
        items.append(("to_fix", _("What we must fix"), reverse("orders:to_fix")))
    elif user.role == Role.SECURITY_FIRM:
        items.append(("firm", _("Our firm"), reverse("registry:firm_detail", args=[scope.firm_id])))
        items.append(("schools", _("Schools we guard"), reverse("registry:school_list")))
    else:
        items.append(("schools", _("Schools"), reverse("registry:school_list")))
        items.append(("firms", _("Security firms"), reverse("registry:firm_list")))
        items.append(("checklists", _("Checklists"), reverse("checklists:template_list")))
    if policy.can_see_dashboard(user):
        items.insert(0, ("dashboard", _("Dashboard"), reverse("oversight:dashboard")))
    if user.role in (Role.CITY_SUPERVISOR, Role.DISTRICT_CHIEF, Role.INSPECTOR, Role.EDUCATION):
        items.append(("inspections", _("Inspections"), reverse("inspections:inspection_list")))
    if user.role in (Role.CITY_SUPERVISOR, Role.DISTRICT_CHIEF, Role.EDUCATION):
        items.append(("campaigns", _("Campaigns"), reverse("inspections:campaign_list")))
    if user.role in (Role.CITY_SUPERVISOR, Role.DISTRICT_CHIEF, Role.INSPECTOR, Role.EDUCATION):
        items.append(("orders", _("Orders"), reverse("orders:order_list")))
    if user.role == Role.DISTRICT_CHIEF:
        items.append(("overdue", _("Overdue"), reverse("orders:overdue_list")))
    if user.role == Role.INSPECTOR:
        items.append(("verify", _("To verify"), reverse("orders:verification_queue")))
    if policy.can_see_risk_ranking(user):
        items.append(("risk", _("What to inspect next"), reverse("oversight:risk_list")))
    if policy.can_see_budget_needs(user):
        items.append(("budget", _("Budget needs"), reverse("oversight:budget_list")))
    if policy.can_read_concerns(user):
        items.append(("concerns", _("Concerns"), reverse("public:concern_list")))
    if policy.can_import(user):
        items.append(("import", _("Import"), reverse("registry:import_upload")))
    if policy.can_read_audit(user):
        items.append(("audit", _("Audit log"), reverse("core:audit_list")))
    if policy.can_use_admin(user):
        items.append(("admin", _("Administration"), reverse("admin:index")))
    return items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    return {"menu": menu_for(user), "user_scope": scope_for(user)}
