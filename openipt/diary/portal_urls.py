"""Portal routes of this part; included by openipt/portal/urls.py inside the `portal` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.diary, name="diary"),
    path("conversation/", views.communication, name="diary-communication"),
    path("<int:entry_id>/", views.entry, name="diary-entry"),
    path("<int:entry_id>/delete/", views.delete, name="diary-delete"),
]
