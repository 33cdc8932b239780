from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("clients/<int:client_id>/", views.people, name="people"),
    path("clients/<int:client_id>/people/add/", views.person_add, name="person-add"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:person_id>/remove/", views.person_retire, name="person-retire"),
    path("clients/<int:client_id>/timeline/", views.timeline, name="timeline"),
    path("clients/<int:client_id>/timeline/events/add/", views.event_add, name="event-add"),
    path("events/<int:event_id>/edit/", views.event_edit, name="event-edit"),
    path("clients/<int:client_id>/timeline/onset/", views.onset, name="onset"),
]
