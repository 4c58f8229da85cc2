from django.contrib import admin
from django.urls import include, path

from qorgau.api import api

urlpatterns = [
    path("", include("qorgau.core.urls")),
    path("accounts/", include("qorgau.accounts.urls")),
    path("", include("qorgau.registry.urls")),
    path("", include("qorgau.checklists.urls")),
    path("", include("qorgau.inspections.urls")),
    path("", include("qorgau.orders.urls")),
    path("", include("qorgau.oversight.urls")),
    path("", include("qorgau.public.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
