from django.urls import path

from . import admin_views, views

app_name = "measures"

urlpatterns = [
    path("sessions/<int:session_id>/<slug:instrument>/", views.record_in_session, name="record-in-session"),
    path("clients/<int:client_id>/<slug:instrument>/", views.record_ad_hoc, name="record-ad-hoc"),
    path("admin/instruments/", admin_views.instrument_list, name="admin-instruments"),
    path("admin/instruments/<slug:instrument>/enable/", admin_views.instrument_enable, name="admin-enable"),
    path(
        "admin/instruments/<slug:instrument>/disable/", admin_views.instrument_disable, name="admin-disable"
    ),
]
