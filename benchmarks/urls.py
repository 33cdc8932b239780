"""OpenIPT's routes plus `/bench/floor/`: the framework's floor for the load benchmark.

The floor is a signed-in view that returns a tiny text response without touching any clinical
table: what every page costs before it does its own work (the whole middleware stack, the
session and the user lookup). Used only by benchmarks.bench_settings.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("openipt.urls")),
]
