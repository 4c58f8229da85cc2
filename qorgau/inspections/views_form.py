"""Being built: every view answers 404 until its screen lands."""

from django.http import Http404


def conduct(request, *args, **kwargs):
    raise Http404


def answer_save(request, *args, **kwargs):
    raise Http404


def photo_upload(request, *args, **kwargs):
    raise Http404


def photo_file(request, *args, **kwargs):
    raise Http404


def photo_thumb(request, *args, **kwargs):
    raise Http404


def finding_add(request, *args, **kwargs):
    raise Http404


def finding_delete(request, *args, **kwargs):
    raise Http404


def submit(request, *args, **kwargs):
    raise Http404
