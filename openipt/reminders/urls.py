"""Staff routes of reminders (the delivery log); mounted at /reminders/."""

from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("clients/<int:client_id>/", views.client_log, name="client-log"),
]
