"""Portal questionnaires; included by openipt/portal/urls.py inside the `portal` namespace.

A questionnaire is named by its session (a record id: fetched through the signed-in client) and its
instrument key."""

from django.urls import path

from . import questionnaire_views as views

ONE = "<int:session_id>/<slug:instrument>/"

urlpatterns = [
    path("", views.questionnaire_list, name="questionnaires"),
    path(ONE, views.start, name="questionnaire"),
    path(ONE + "<int:question>/", views.question, name="questionnaire-question"),
    path(ONE + "review/", views.review, name="questionnaire-review"),
    path(ONE + "send/", views.send, name="questionnaire-send"),
    path(ONE + "help/", views.crisis, name="questionnaire-crisis"),
    path(ONE + "done/", views.done, name="questionnaire-done"),
]
