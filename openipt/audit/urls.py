from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("clients/<int:client_id>/", views.client_audit, name="client"),
    path("verify/", views.verify, name="verify"),
]
