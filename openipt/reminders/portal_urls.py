"""Portal routes of this part; included by openipt/portal/urls.py inside the `portal` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.reminder_settings, name="reminders"),
]
