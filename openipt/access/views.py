from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openipt.audit.models import AuditEvent
from openipt.lib.decorators import admin_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest

from . import breakglass
from .forms import OpenGrantForm
from .models import BreakGlassGrant


@admin_view
def emergency(request: AuthedRequest) -> HttpResponse:
    """Open emergency access (POST) and list this organisation's emergency accesses."""
    form = OpenGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = breakglass.open_grant(request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.warning(
                request,
                _("Emergency access is open until %(t)s. Every page you open is recorded.")
                % {"t": f"{grant.expires_at:%H:%M}"},
            )
            if AuditEvent.objects.filter(action="breakglass.unnotified", object_id=str(grant.pk)).exists():
                messages.error(
                    request,
                    _(
                        "Nobody could be told by e-mail (no supervisor or administrator with an "
                        "address, or the mail server failed). Tell the team's supervisor yourself."
                    ),
                )
            return redirect("clients:detail", grant.client_id)
    grants = list(
        BreakGlassGrant.objects.filter(client__organisation=request.user.organisation)
        .select_related("user", "client", "ended_by")
        .order_by("-opened_at")[:100]
    )
    context = {"form": form, "grants": grants}
    return render(request, "access/emergency.html", context, status=400 if form.errors else 200)


@admin_view
@require_POST
def end(request: AuthedRequest, grant_id: int) -> HttpResponse:
    grant = (
        BreakGlassGrant.objects.filter(pk=grant_id, client__organisation=request.user.organisation)
        .select_related("client")
        .first()
    )
    if grant is None:
        raise Http404("No such emergency access")
    try:
        breakglass.end_grant(request.user, grant, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Emergency access ended."))
    return redirect("access:emergency")
