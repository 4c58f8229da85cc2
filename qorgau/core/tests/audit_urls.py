"""Views for test_audit.py only: a refusal raised inside a transaction that is rolled back."""

from django.db import transaction
from django.http import HttpResponse
from django.urls import include, path

from qorgau.core.errors import NotAllowed
from qorgau.core.models import ChangeRecord


def refused_inside_a_transaction(request, pk: int):
    with transaction.atomic():
        ChangeRecord.objects.create(
            action="created", object_type="test", object_id=pk, object_repr="rolled back"
        )
        raise NotAllowed("no")


def fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("refused/<int:pk>/", refused_inside_a_transaction),
    path("fine/", fine),
    path("", include("qorgau.urls")),
]
