from django.urls import path  # noqa: F401

app_name = "oversight"
urlpatterns: list = [
    # Dashboards, lists behind their numbers, planning and the budget view are added here.
]
