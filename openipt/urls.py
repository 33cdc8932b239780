from django.urls import include, path

from openipt.accounts.views import sign_in

urlpatterns = [
    path("accounts/login/", sign_in, name="account_login"),  # allauth's, with crisis help
    path("accounts/", include("allauth.urls")),
    path("", include("openipt.courses.urls")),
    path("clients/", include("openipt.clients.urls")),
    path("measures/", include("openipt.measures.urls")),
    path("alerts/", include("openipt.safety.urls")),
    path("notes/", include("openipt.notes.urls")),
    path("settings/", include("openipt.accounts.urls")),
    path("reports/", include("openipt.reports.urls")),
    path("inventory/", include("openipt.inventory.urls")),
    path("ending/", include("openipt.courses.termination_urls")),
    path("formulation/", include("openipt.courses.formulation_urls")),
    path("work/", include("openipt.courses.session_work_urls")),
    path("audit/", include("openipt.audit.urls")),
    path("access/", include("openipt.access.urls")),
    path("history/", include("openipt.clients.history_urls")),
    path("portal/", include("openipt.portal.urls")),
    path("reminders/", include("openipt.reminders.urls")),
]
