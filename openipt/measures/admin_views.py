"""Administrators see every instrument's licence status and enable restricted ones."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from openipt.lib.decorators import admin_view
from openipt.lib.forms import apply_error
from openipt.lib.http import AuthedRequest

from . import licensing
from .instruments import INSTRUMENTS
from .models import InstrumentPermission


class EnableForm(forms.Form):
    text_file = forms.FileField(
        label=gettext_lazy("Item text file"),
        help_text=gettext_lazy(
            "UTF-8 text, one line per item in printed order (lines starting with # are ignored)."
        ),
    )
    permission_note = forms.CharField(
        label=gettext_lazy("Permission held"),
        max_length=300,
        help_text=gettext_lazy("Who granted permission, and its reference or date."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm the clinic holds permission to use this instrument and its wording."),
    )


@admin_view
def instrument_list(request: AuthedRequest) -> HttpResponse:
    org_id = request.user.organisation_id or 0  # admin_view guarantees an organisation
    permissions = {p.instrument: p for p in InstrumentPermission.objects.filter(organisation_id=org_id)}
    rows = [
        {
            "instrument": i,
            "restricted": licensing.needs_permission(i),
            "permission": permissions.get(i.key),
        }
        for i in INSTRUMENTS.values()
    ]
    return render(request, "measures/admin_instruments.html", {"rows": rows})


@admin_view
def instrument_enable(request: AuthedRequest, instrument: str) -> HttpResponse:
    inst = INSTRUMENTS.get(instrument)
    if inst is None or not licensing.needs_permission(inst):
        raise Http404("No such restricted instrument")
    form = EnableForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["text_file"]
        try:
            licensing.enable_instrument(
                request.user,
                inst.key,
                content=upload.read(licensing.MAX_FILE_BYTES + 1),
                permission_note=form.cleaned_data["permission_note"],
                source_file_name=upload.name or "",
                request=request,
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("%(name)s is enabled for your clinic.") % {"name": inst.short_name})
            return redirect("measures:admin-instruments")
    context = {"instrument": inst, "form": form}
    return render(request, "measures/admin_enable.html", context, status=400 if form.errors else 200)


@admin_view
@require_POST
def instrument_disable(request: AuthedRequest, instrument: str) -> HttpResponse:
    try:
        licensing.disable_instrument(request.user, instrument, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Disabled. Responses already recorded are kept."))
    return redirect("measures:admin-instruments")
