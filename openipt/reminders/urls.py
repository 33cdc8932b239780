"""Staff routes of reminders (the delivery log); mounted at /reminders/."""

from django.urls import path  # noqa: F401

app_name = "reminders"

urlpatterns: list = []
