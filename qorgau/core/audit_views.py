"""The audit log page for the city supervisor: filters, pages, export."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qorgau.accounts import policy
from qorgau.core import selectors
from qorgau.core.exports import export_response
from qorgau.core.forms import AuditFilterForm


def _filters(request) -> tuple[AuditFilterForm, dict]:
    if not policy.can_read_audit(request.user):
        raise PermissionDenied(_("Only the city police department reads the audit log."))
    form = AuditFilterForm(request.GET or None)
    return form, form.filters()


@login_required
@require_GET
def audit_list(request):
    form, filters = _filters(request)
    entries = selectors.audit_entries(user=request.user, **filters)
    page = Paginator(entries, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": request.GET.copy()}
    template = "core/_audit_rows.html" if request.htmx else "core/audit_list.html"
    return render(request, template, context)


@login_required
@require_GET
def audit_list_export(request, fmt: str):
    _form, filters = _filters(request)
    columns = [
        (_("Time"), lambda e: e.at),
        (_("User"), lambda e: e.username),
        (_("Event"), lambda e: e.get_action_display()),
        (_("IP address"), lambda e: e.ip),
        (_("Method"), lambda e: e.method),
        (_("Address"), lambda e: e.path),
        (_("Status"), lambda e: e.status),
        (_("Object"), lambda e: e.object),
    ]
    rows = selectors.audit_entries(user=request.user, **filters).iterator(chunk_size=2000)
    return export_response(rows=rows, columns=columns, fmt=fmt, filename="qorgau-audit", sheet=_("Audit log"))
