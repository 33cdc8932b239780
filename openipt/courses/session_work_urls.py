from django.urls import path

from . import session_work_views as views

app_name = "work"

urlpatterns = [
    path("sessions/<int:session_id>/interval/", views.save_interval, name="interval"),
    path("sessions/<int:session_id>/techniques/", views.set_techniques, name="techniques"),
    path("sessions/<int:session_id>/dispute/", views.set_dispute_stage, name="dispute"),
    path("sessions/<int:session_id>/goals/", views.review_goal, name="goal"),
    path("sessions/<int:session_id>/analyses/", views.add_analysis, name="add-analysis"),
    path("sessions/<int:session_id>/homework/", views.set_homework, name="set-homework"),
    path(
        "sessions/<int:session_id>/homework/<int:homework_id>/review/",
        views.review_homework,
        name="review-homework",
    ),
    path("analyses/<int:analysis_id>/", views.analysis_detail, name="analysis"),
]
