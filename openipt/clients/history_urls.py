from django.urls import path

from . import history_views

app_name = "history"

urlpatterns = [
    path("clients/<int:client_id>/", history_views.client_history, name="client"),
]
