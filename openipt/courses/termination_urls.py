from django.urls import path

from . import termination_views

app_name = "ending"

urlpatterns = [
    path("courses/<int:course_id>/", termination_views.termination_tasks, name="termination"),
    path("courses/<int:course_id>/print/", termination_views.termination_print, name="print"),
    path("courses/<int:course_id>/maintenance/", termination_views.maintenance, name="maintenance"),
]
