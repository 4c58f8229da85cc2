from django.urls import path

from qorgau.checklists import views

app_name = "checklists"
urlpatterns = [
    path("checklists/", views.template_list, name="template_list"),
    path("checklists/versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("checklists/<int:template_pk>/draft/", views.draft_create, name="draft_create"),
    path("checklists/versions/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("checklists/versions/<int:pk>/items/new/", views.item_create, name="item_create"),
    path("checklists/versions/<int:pk>/items/<int:item_pk>/edit/", views.item_edit, name="item_edit"),
    path("checklists/versions/<int:pk>/items/<int:item_pk>/delete/", views.item_delete, name="item_delete"),
]
