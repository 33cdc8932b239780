from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("crisis-resources/", views.crisis_list, name="crisis-list"),
    path("crisis-resources/<int:resource_id>/delete/", views.crisis_delete, name="crisis-delete"),
]
