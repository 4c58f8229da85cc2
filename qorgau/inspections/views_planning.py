"""Being built: every view answers 404 until its screen lands."""

from django.http import Http404


def campaign_list(request, *args, **kwargs):
    raise Http404


def campaign_create(request, *args, **kwargs):
    raise Http404


def campaign_detail(request, *args, **kwargs):
    raise Http404


def inspection_list(request, *args, **kwargs):
    raise Http404


def inspection_create(request, *args, **kwargs):
    raise Http404


def inspection_detail(request, *args, **kwargs):
    raise Http404


def inspection_approve(request, *args, **kwargs):
    raise Http404


def inspection_return(request, *args, **kwargs):
    raise Http404


def answer_amend(request, *args, **kwargs):
    raise Http404
