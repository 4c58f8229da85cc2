from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from qorgau.accounts.models import Role
from qorgau.accounts.scoping import scope_for


@login_required
def home(request):
    scope = scope_for(request.user)
    if scope.level == "none":
        return render(request, "core/no_access.html", status=403)
    role = request.user.role
    if role == Role.SCHOOL_ADMIN:
        return redirect("registry:school_detail", pk=scope.school_id)
    if role == Role.SECURITY_FIRM:
        return redirect("registry:firm_detail", pk=scope.firm_id)
    if role in (Role.INSPECTOR, Role.DISTRICT_CHIEF):
        # Their day starts with the inspections to make and to review.
        return redirect("inspections:inspection_list")
    return redirect("registry:school_list")
