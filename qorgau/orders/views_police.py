"""Being built: every view answers 404 until its screen lands."""

from django.http import Http404


def order_list(request, *args, **kwargs):
    raise Http404


def overdue_list(request, *args, **kwargs):
    raise Http404


def verification_queue(request, *args, **kwargs):
    raise Http404


def order_draft(request, *args, **kwargs):
    raise Http404


def order_detail(request, *args, **kwargs):
    raise Http404


def order_edit(request, *args, **kwargs):
    raise Http404


def item_edit(request, *args, **kwargs):
    raise Http404


def order_issue(request, *args, **kwargs):
    raise Http404


def delivery_record(request, *args, **kwargs):
    raise Http404


def follow_up(request, *args, **kwargs):
    raise Http404


def amend(request, *args, **kwargs):
    raise Http404


def verify(request, *args, **kwargs):
    raise Http404


def refer(request, *args, **kwargs):
    raise Http404


def decide(request, *args, **kwargs):
    raise Http404


def order_document(request, *args, **kwargs):
    raise Http404


def amendment_document(request, *args, **kwargs):
    raise Http404


def evidence_file(request, *args, **kwargs):
    raise Http404
