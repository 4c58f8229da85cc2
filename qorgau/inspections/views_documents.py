"""Being built: every view answers 404 until its screen lands."""

from django.http import Http404


def act_pdf(request, *args, **kwargs):
    raise Http404
