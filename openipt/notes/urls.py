from django.urls import path

from . import views

app_name = "notes"

urlpatterns = [
    path("sessions/<int:session_id>/", views.save_note, name="save"),
    path("<int:note_id>/addenda/", views.add_addendum, name="addendum"),
    path("sessions/<int:session_id>/private/", views.save_private, name="private"),
]
