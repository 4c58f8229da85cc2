from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def import_upload(request):  # replaced by the import feature below
    return HttpResponse(status=501)


@login_required
def import_preview(request, token):
    return HttpResponse(status=501)
