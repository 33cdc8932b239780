"""Portal routes of this part; included by openipt/portal/urls.py inside the `portal` namespace."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
