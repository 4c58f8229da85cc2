from django.urls import path

from qorgau.core import audit_views, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", audit_views.audit_list, name="audit_list"),
    path("audit/export.<str:fmt>", audit_views.audit_list_export, name="audit_list_export"),
]
