"""Being built: every view answers 404 until its screen lands."""

from django.http import Http404


def to_fix(request, *args, **kwargs):
    raise Http404


def acknowledge(request, *args, **kwargs):
    raise Http404


def report(request, *args, **kwargs):
    raise Http404


def extension(request, *args, **kwargs):
    raise Http404


def notifications(request, *args, **kwargs):
    raise Http404


def notification_read(request, *args, **kwargs):
    raise Http404
