from django.urls import path

from qorgau.public import views

app_name = "public"
urlpatterns = [
    # Public: no sign-in. A school is named by its BIN (public), never by an internal id.
    path("public/", views.home, name="home"),
    path("public/schools/<str:bin>/", views.school, name="school"),
    path("public/schools/<str:bin>/concern/", views.concern_new, name="concern_new"),
    path("public/concerns/status/", views.concern_status, name="concern_status"),
    # The police's queue of concerns.
    path("concerns/", views.concern_list, name="concern_list"),
    path("concerns/export.<str:fmt>", views.concern_export, name="concern_export"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
    path("concerns/<int:pk>/note/", views.concern_note, name="concern_note"),
    path("concerns/<int:pk>/dismiss/", views.concern_dismiss, name="concern_dismiss"),
    path("concerns/<int:pk>/close/", views.concern_close, name="concern_close"),
    path("concerns/<int:pk>/inspection/", views.concern_inspect, name="concern_inspect"),
]
