from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

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
    if role in (Role.CITY_SUPERVISOR, Role.EDUCATION, Role.DISTRICT_CHIEF):
        # Those who oversee start from the figures of their city or district (oversight.views_dashboard).
        return redirect("oversight:dashboard")
    if role == Role.INSPECTOR:
        # The inspector's day starts with the inspections to make.
        return redirect("inspections:inspection_list")
    return redirect("registry:school_list")


@never_cache
def healthz(request):
    """For the load balancer and monitoring: no sign-in, no data, only whether the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
