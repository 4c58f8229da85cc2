from django.urls import path  # noqa: F401

from qorgau.oversight import views_budget, views_dashboard, views_planning

app_name = "oversight"
urlpatterns: list = [
    # Dashboards, lists behind their numbers, planning and the budget view are added here.
    path("planning/next/", views_planning.risk_list, name="risk_list"),
    path("planning/next/export.<str:fmt>", views_planning.risk_export, name="risk_export"),
    path("planning/next/campaign/", views_planning.risk_plan, name="risk_plan"),
    path("planning/next/refresh/", views_planning.risk_refresh, name="risk_refresh"),
    path("budget/", views_budget.budget_list, name="budget_list"),
    path("budget/export.<str:fmt>", views_budget.budget_export, name="budget_export"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/export.<str:fmt>", views_dashboard.dashboard_export, name="dashboard_export"),
    path("dashboard/items/", views_dashboard.item_list, name="item_list"),
    path("dashboard/items/export.<str:fmt>", views_dashboard.item_list_export, name="item_list_export"),
]
