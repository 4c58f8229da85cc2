from django.urls import path

from qorgau.inspections import views_documents, views_form, views_planning

app_name = "inspections"
urlpatterns = [
    # Planning and review (views_planning)
    path("campaigns/", views_planning.campaign_list, name="campaign_list"),
    path("campaigns/export.<str:fmt>", views_planning.campaign_export, name="campaign_export"),
    path("campaigns/new/", views_planning.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views_planning.campaign_detail, name="campaign_detail"),
    path(
        "campaigns/<int:pk>/export.<str:fmt>",
        views_planning.campaign_detail_export,
        name="campaign_detail_export",
    ),
    path("inspections/", views_planning.inspection_list, name="inspection_list"),
    path("inspections/export.<str:fmt>", views_planning.inspection_export, name="inspection_export"),
    path("inspections/new/", views_planning.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views_planning.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/approve/", views_planning.inspection_approve, name="inspection_approve"),
    path("inspections/<int:pk>/return/", views_planning.inspection_return, name="inspection_return"),
    path("inspections/<int:pk>/amend/<int:item_pk>/", views_planning.answer_amend, name="answer_amend"),
    # The inspection form on a phone (views_form)
    path("inspections/<int:pk>/conduct/", views_form.conduct, name="conduct"),
    path("inspections/<int:pk>/answers/<int:item_pk>/", views_form.answer_save, name="answer_save"),
    path("inspections/<int:pk>/photos/", views_form.photo_upload, name="photo_upload"),
    path("inspections/<int:pk>/photos/<int:photo_pk>/", views_form.photo_file, name="photo_file"),
    path("inspections/<int:pk>/photos/<int:photo_pk>/thumb/", views_form.photo_thumb, name="photo_thumb"),
    path("inspections/<int:pk>/findings/new/", views_form.finding_add, name="finding_add"),
    path(
        "inspections/<int:pk>/findings/<int:finding_pk>/delete/",
        views_form.finding_delete,
        name="finding_delete",
    ),
    path("inspections/<int:pk>/submit/", views_form.submit, name="submit"),
    # Documents (views_documents)
    path("inspections/<int:pk>/act-<str:lang>.pdf", views_documents.act_pdf, name="act_pdf"),
]
