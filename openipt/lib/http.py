from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from openipt.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request behind `clinical_view` or `admin_view`: the user is signed in; htmx details attached."""

    user: User
    htmx: HtmxDetails
