"""Being built: every view answers 404 until its screen lands."""

from django.http import Http404


def template_list(request, *args, **kwargs):
    raise Http404


def version_detail(request, *args, **kwargs):
    raise Http404


def draft_create(request, *args, **kwargs):
    raise Http404


def version_publish(request, *args, **kwargs):
    raise Http404


def item_create(request, *args, **kwargs):
    raise Http404


def item_edit(request, *args, **kwargs):
    raise Http404


def item_delete(request, *args, **kwargs):
    raise Http404
