from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.views import LoginView
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openipt.lib.decorators import admin_view
from openipt.lib.forms import NOT_CONFIRMED, apply_error, confirmed
from openipt.lib.http import AuthedRequest
from openipt.safety.crisis import add_crisis_resource, remove_crisis_resource, shared_crisis_lines
from openipt.safety.models import CrisisResource

from . import actions
from .actions import staff_of
from .forms import AccessForm, OrganisationSettingsForm, UserCreateForm
from .models import Organisation, Team, User


class SignInView(LoginView):
    """allauth's sign-in page, with crisis help: the lines for the visitor's language that do not
    depend on an organisation (nobody's organisation is known before they sign in)."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["crisis"] = shared_crisis_lines(get_language() or "")
        return context


sign_in = SignInView.as_view()


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
    """The crisis lines by locale (the clinic's own number is an organisation setting)."""
    organisation = request.user.organisation
    assert organisation is not None  # admin_view guarantees an organisation
    form = CrisisResourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_crisis_resource(request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Crisis resource added."))
            return redirect("accounts:crisis-list")
    resources = CrisisResource.objects.filter(organisation_id=organisation.pk).order_by(
        "locale", "-is_emergency", "position", "name"
    )
    context = {"resources": resources, "form": form, "organisation": organisation}
    return render(request, "accounts/crisis_list.html", context, status=400 if form.errors else 200)


@admin_view
def crisis_delete(request: AuthedRequest, resource_id: int) -> HttpResponse:
    """Removing a line cannot be undone: GET (or a POST without `confirm`) asks first."""
    org_id = request.user.organisation_id or 0  # admin_view guarantees an organisation
    resource = CrisisResource.objects.filter(pk=resource_id, organisation_id=org_id).first()
    if resource is None:
        raise Http404("No such crisis resource")
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(request, "accounts/crisis_delete.html", {"resource": resource})
    remove_crisis_resource(request.user, resource, request=request)
    messages.success(request, _("Crisis resource removed."))
    return redirect("accounts:crisis-list")


# Users (Settings → Users): an organisation's administrators manage its staff accounts.


def _user_rows(admin: User) -> QuerySet[User]:
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return (
        staff_of(admin)
        .annotate(has_mfa=Exists(totp))
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("-is_active", "last_name", "first_name", "username")
    )


@admin_view
def user_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "accounts/user_list.html", {"users": _user_rows(request.user)})


@admin_view
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, organisation_id=request.user.organisation_id or 0)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = actions.create_user(
                request.user,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role=data["role"],
                teams=data["teams"],
                password=data["password"],
                request=request,
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Account %(name)s created. They set up two-factor sign-in at first sign-in.")
                % {"name": user},
            )
            return redirect("accounts:user-detail", user_id=user.pk)
    return render(request, "accounts/user_create.html", {"form": form}, status=400 if form.errors else 200)


@admin_view
def user_detail(request: AuthedRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(_user_rows(request.user), pk=user_id)
    initial = {"role": user.role, "teams": list(user.teams.all())}
    form = AccessForm(
        request.POST or None, initial=initial, organisation_id=request.user.organisation_id or 0
    )
    if request.method == "POST" and form.is_valid():
        try:
            done = actions.change_access(
                request.user,
                user,
                role=form.cleaned_data["role"],
                teams=form.cleaned_data["teams"],
                request=request,
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Role and teams saved.") if done else _("Nothing changed."))
            return redirect("accounts:user-detail", user_id=user.pk)
    context = {"member": user, "form": form, "is_self": user.pk == request.user.pk}
    return render(request, "accounts/user_detail.html", context, status=400 if form.errors else 200)


def _user_post(
    action: Callable[..., None], done: str, *, confirm: bool = False
) -> Callable[[AuthedRequest, int], HttpResponse]:
    """A POST-only button on the user page: run the action, say what happened, back to the page.

    `done` is marked with gettext_noop and translated per request. With `confirm`, the action
    cannot be undone and runs only with its confirm box ticked."""

    @admin_view
    @require_POST
    def view(request: AuthedRequest, user_id: int) -> HttpResponse:
        user = actions.get_staff_for_admin(request.user, user_id)
        if confirm and not confirmed(request):
            messages.error(request, NOT_CONFIRMED)
            return redirect("accounts:user-detail", user_id=user.pk)
        try:
            action(request.user, user, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _(done) % {"name": user})
        return redirect("accounts:user-detail", user_id=user.pk)

    return view


user_deactivate = _user_post(
    actions.deactivate_user,
    gettext_noop("%(name)s can no longer sign in; their sessions have ended."),
    confirm=True,
)
user_reactivate = _user_post(actions.reactivate_user, gettext_noop("%(name)s can sign in again."))
user_mfa_reset = _user_post(
    actions.reset_mfa,
    gettext_noop(
        "Two-factor authentication of %(name)s reset: they set up an authenticator app again "
        "at their next sign-in."
    ),
    confirm=True,
)


@admin_view
def organisation_settings(request: AuthedRequest) -> HttpResponse:
    """The organisation's time zone, working days, country and its own crisis number."""
    org = Organisation.objects.get(pk=request.user.organisation_id or 0)  # admin_view: has one
    initial = {
        "time_zone": org.time_zone,
        "working_days": sorted(org.working_weekdays),
        "country": org.country,
        "crisis_phone": org.crisis_phone_display,  # as people write it, not E.164
    }
    form = OrganisationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_organisation_settings(request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Organisation settings saved."))
            return redirect("accounts:organisation")
    context = {"organisation": org, "form": form}
    return render(request, "accounts/organisation.html", context, status=400 if form.errors else 200)
