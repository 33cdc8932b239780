"""Portal routes of this part; included by openipt/portal/urls.py inside the `portal` namespace."""

from django.urls import path

from . import progress_views as views

urlpatterns = [
    path("", views.progress_page, name="progress"),
    path("sessions/", views.schedule, name="schedule"),
    path("sessions/appointments.ics", views.schedule_ics, name="schedule-ics"),
    path("agreement/", views.plan_contract, name="plan-contract"),
    path("staying-well/", views.plan_relapse, name="plan-relapse"),
    path("safety-plan/", views.plan_safety, name="plan-safety"),
]
