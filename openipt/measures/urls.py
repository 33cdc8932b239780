from django.urls import path

from . import views

app_name = "measures"

urlpatterns = [
    path("sessions/<int:session_id>/<slug:instrument>/", views.record_in_session, name="record-in-session"),
    path("clients/<int:client_id>/<slug:instrument>/", views.record_ad_hoc, name="record-ad-hoc"),
]
