from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("emergency/", views.emergency, name="emergency"),
    path("emergency/<int:grant_id>/end/", views.end, name="end"),
]
