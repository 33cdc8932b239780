from django.urls import include, path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("crisis/", views.crisis, name="crisis"),
    path("homework/", views.homework, name="homework"),
    path("homework/<int:homework_id>/", views.answer_homework, name="answer-homework"),
    path("learn/", views.learn, name="learn"),
    path("learn/<slug:topic>/", views.learn_topic, name="learn-topic"),
    path("join/", views.join, name="join"),
    path("sign-in-link/", views.sign_in_link, name="sign-in-link"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("forgotten-username/", views.forgotten_username, name="forgotten-username"),
    path("clients/<int:client_id>/invite/", views.invite, name="invite"),
    path("clients/<int:client_id>/revoke/", views.revoke, name="revoke"),
    path("questionnaires/", include("openipt.portal.questionnaire_urls")),
    path("diary/", include("openipt.diary.portal_urls")),
    path("progress/", include("openipt.portal.progress_urls")),
    path("reminders/", include("openipt.reminders.portal_urls")),
]
