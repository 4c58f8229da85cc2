from django.urls import path

from qorgau.registry import import_views, views

app_name = "registry"
urlpatterns = [
    path("schools/", views.school_list, name="school_list"),
    path("schools/export.<str:fmt>", views.school_export, name="school_export"),
    path("schools/new/", views.school_create, name="school_create"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("schools/<int:pk>/edit/", views.school_edit, name="school_edit"),
    path("schools/<int:pk>/contract/", views.contract_edit, name="contract_edit"),
    path("schools/<int:pk>/<slug:kind>/new/", views.equipment_create, name="equipment_create"),
    path("schools/<int:pk>/<slug:kind>/<int:item_pk>/edit/", views.equipment_edit, name="equipment_edit"),
    path(
        "schools/<int:pk>/<slug:kind>/<int:item_pk>/delete/", views.equipment_delete, name="equipment_delete"
    ),
    path("equipment/", views.equipment_list, name="equipment_list"),
    path("equipment/export.<str:fmt>", views.equipment_export, name="equipment_export"),
    path("firms/", views.firm_list, name="firm_list"),
    path("firms/export.<str:fmt>", views.firm_export, name="firm_export"),
    path("firms/new/", views.firm_create, name="firm_create"),
    path("firms/<int:pk>/", views.firm_detail, name="firm_detail"),
    path("firms/<int:pk>/edit/", views.firm_edit, name="firm_edit"),
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/<uuid:token>/", import_views.import_preview, name="import_preview"),
    path("import/template-<slug:kind>.csv", import_views.import_template, name="import_template"),
]
