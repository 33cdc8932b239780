from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("crisis-resources/", views.crisis_list, name="crisis-list"),
    path("crisis-resources/<int:resource_id>/delete/", views.crisis_delete, name="crisis-delete"),
    path("organisation/", views.organisation_settings, name="organisation"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:user_id>/", views.user_detail, name="user-detail"),
    path("users/<int:user_id>/deactivate/", views.user_deactivate, name="user-deactivate"),
    path("users/<int:user_id>/reactivate/", views.user_reactivate, name="user-reactivate"),
    path("users/<int:user_id>/mfa-reset/", views.user_mfa_reset, name="user-mfa-reset"),
]
