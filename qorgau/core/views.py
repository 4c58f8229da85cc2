from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from qorgau.accounts.models import Role
from qorgau.accounts.scoping import scope_for


@login_required
def home(request):
    scope = scope_for(request.user)
    if scope.level == "none":
        return render(request, "core/no_access.html", status=403)
    if request.user.role == Role.SCHOOL_ADMIN:
        return redirect("registry:school_detail", pk=scope.school_id)
    return redirect("registry:school_list")
