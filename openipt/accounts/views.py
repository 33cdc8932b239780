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
from openipt.safety.crisis import add_crisis_resource, remove_crisis_resource
from openipt.safety.models import CrisisResource


class CrisisResourceForm(forms.ModelForm):
    url = forms.URLField(label=gettext_lazy("Web address"), required=False, assume_scheme="https")

    class Meta:
        model = CrisisResource
        fields = [
            "locale",
            "name",
            "phone",
            "text",
            "url",
            "hours",
            "description",
            "is_emergency",
            "position",
        ]


@admin_view
def crisis_list(request: AuthedRequest) -> HttpResponse:
    form = CrisisResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_crisis_resource(request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Crisis resource added."))
            return redirect("accounts:crisis-list")
    org_id = request.user.organisation_id or 0  # admin_view guarantees an organisation
    resources = CrisisResource.objects.filter(organisation_id=org_id).order_by(
        "locale", "-is_emergency", "position", "name"
    )
    return render(
        request,
        "accounts/crisis_list.html",
        {"resources": resources, "form": form},
        status=400 if form.errors else 200,
    )


@admin_view
@require_POST
def crisis_delete(request: AuthedRequest, resource_id: int) -> HttpResponse:
    org_id = request.user.organisation_id or 0  # admin_view guarantees an organisation
    resource = CrisisResource.objects.filter(pk=resource_id, organisation_id=org_id).first()
    if resource is None:
        raise Http404("No such crisis resource")
    remove_crisis_resource(request.user, resource, request=request)
    messages.success(request, _("Crisis resource removed."))
    return redirect("accounts:crisis-list")
