from django.urls import path

from . import plan_views, views

app_name = "safety"

urlpatterns = [
    path("<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("clients/<int:client_id>/safety-plan/", plan_views.plan, name="plan"),
    path("clients/<int:client_id>/safety-plan/edit/", plan_views.plan_edit, name="plan-edit"),
    path("clients/<int:client_id>/safety-plan/history/", plan_views.plan_history, name="plan-history"),
    path(
        "clients/<int:client_id>/safety-plan/versions/<int:version>/",
        plan_views.plan_version,
        name="plan-version",
    ),
    path("clients/<int:client_id>/safety-plan/print/", plan_views.plan_print, name="plan-print"),
]
