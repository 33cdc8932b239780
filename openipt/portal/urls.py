from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("crisis/", views.crisis, name="crisis"),
    path("join/", views.join, name="join"),
    path("sign-in-link/", views.sign_in_link, name="sign-in-link"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("clients/<int:client_id>/invite/", views.invite, name="invite"),
    path("clients/<int:client_id>/revoke/", views.revoke, name="revoke"),
]
