from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from openipt.access import rules
from openipt.courses import summary
from openipt.lib.decorators import clinical_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest

from . import actions
from .access import get_alert_for_user
from .forms import AcknowledgeForm


@clinical_view
def acknowledge(request: AuthedRequest, alert_id: int) -> HttpResponse:
    """Clinicians and supervisors of the care team acknowledge an alert with the action taken."""
    alert = get_alert_for_user(request.user, alert_id)
    if not rules.can_acknowledge_alert(request.user, alert.client_id):
        raise PermissionDenied
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.acknowledge_alert(request.user, alert, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Alert acknowledged."))
            return redirect("clients:detail", alert.client_id)
    context = {
        "alert": alert,
        "client": alert.client,
        "banner": summary.banner_for(alert.client),
        "form": form,
        "crisis": actions.crisis_resources_for(alert.client.organisation_id, alert.client.locale),
    }
    return render(request, "safety/acknowledge.html", context, status=400 if form.errors else 200)
