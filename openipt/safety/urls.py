from django.urls import path

from . import views

app_name = "safety"

urlpatterns = [
    path("<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
]
