from django.urls import path

from . import views

app_name = "notes"

urlpatterns = [
    path("sessions/<int:session_id>/", views.save_note, name="save"),
    path("<int:note_id>/addenda/", views.add_addendum, name="addendum"),
]
