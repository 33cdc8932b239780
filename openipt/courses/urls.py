from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("week/", views.week_view, name="week"),
    path("clients/<int:client_id>/courses/new/", views.start_course, name="start"),
    path("courses/<int:course_id>/phase/", views.advance_phase, name="advance-phase"),
    path("courses/<int:course_id>/end/", views.end_course, name="end"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/attendance/", views.record_attendance, name="attendance"),
    path("sessions/<int:session_id>/move/", views.move_session, name="move"),
    path("sessions/<int:session_id>/appointment/", views.set_appointment, name="appointment"),
    path("sessions/<int:session_id>/cancel/", views.cancel_session, name="cancel"),
    path("sessions/<int:session_id>/agenda/", views.save_agenda, name="agenda"),
    path("sessions/<int:session_id>/tasks/hold-here/", views.choose_task_session, name="task-session"),
]
