"""Documents of an inspection: the act of results as a PDF, in Russian or Kazakh."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from qorgau.accounts.scoping import get_visible_or_404
from qorgau.core.errors import InvalidTransition
from qorgau.inspections import documents
from qorgau.inspections.models import Inspection


@login_required
def act_pdf(request, pk: int, lang: str):
    if lang not in documents.DOCUMENT_LANGUAGES:
        raise Http404
    # A school sees its inspection only once approved, so before that it gets 404 here like any outsider.
    inspection = get_visible_or_404(request.user, Inspection.objects.select_related("district"), pk=pk)
    if inspection.status != Inspection.Status.APPROVED:
        # Only the police can see an inspection that is not approved yet; tell them why there is no act.
        raise InvalidTransition(
            _("The act of results is issued once the district chief approves the results.")
        )
    pdf = documents.act_pdf(inspection=inspection, lang=lang)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.act_filename(inspection, lang)}"'
    response["X-Content-Type-Options"] = "nosniff"
    # The act describes a school's weaknesses: no shared cache may keep a copy.
    patch_cache_control(response, private=True, no_store=True)
    return response
