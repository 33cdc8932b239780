from django.urls import path

from . import formulation_views as views

app_name = "formulation"

urlpatterns = [
    path("courses/<int:course_id>/", views.formulation, name="formulation"),
    path("courses/<int:course_id>/choose/", views.choose, name="choose"),
    path("courses/<int:course_id>/text/", views.save_text, name="save"),
    path("courses/<int:course_id>/print/", views.formulation_print, name="print"),
    path("courses/<int:course_id>/contract/", views.contract, name="contract"),
    path("courses/<int:course_id>/contract/print/", views.contract_print, name="contract-print"),
]
