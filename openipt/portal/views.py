"""Portal pages. Staff pages (invite, revoke) go through the client gate and `can_write`; client
pages through `portal_client` only: a client id never comes from the URL of a client's page."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openipt.access.rules import portal_client
from openipt.audit.actions import client_ip
from openipt.clients.access import can_write, get_client_for_user
from openipt.clients.models import Client
from openipt.courses.models import Homework
from openipt.diary.summary import card_for as diary_card
from openipt.lib.forms import NOT_CONFIRMED, apply_error, confirmed
from openipt.safety.actions import FALLBACK, crisis_help_for
from openipt.safety.crisis import shared_crisis_lines

from . import actions, progress, tokens
from . import homework as portal_homework
from . import learn as learn_pages
from .forms import CodeJoinForm, ForgottenUsernameForm, HomeworkAnswerForm, LinkJoinForm, SignInLinkForm
from .homework import get_client_homework, homework_for_client, is_done, stamp
from .questionnaires import due_questionnaires
from .throttle import over_limit

_clock = time.monotonic  # module-level so the timing test can replace them
_sleep = time.sleep
BACKEND = "django.contrib.auth.backends.ModelBackend"
WINDOW = 15 * 60


def portal_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in portal clients only; the view gets their client as its second argument."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        client = portal_client(request.user)
        if client is None:
            raise PermissionDenied
        return view(request, client, *args, **kwargs)

    return wrapper


def _writable_client(request: HttpRequest, client_id: int) -> Client:
    client = get_client_for_user(request.user, client_id)
    if not can_write(request.user, client):
        raise PermissionDenied
    return client


# --- Staff ------------------------------------------------------------------------------------


@require_POST
@login_required
def invite(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _writable_client(request, client_id)
    kind = request.POST.get("kind", "")
    link_base = request.build_absolute_uri(reverse("portal:join"))
    try:
        invited = actions.invite(request.user, client, kind=kind, request=request, link_base=link_base)  # type: ignore[arg-type]
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect("clients:detail", client.pk)
    if invited.invitation.kind == "code":
        context = {"client": client, "code": invited.secret, "invitation": invited.invitation}
        return render(request, "portal/code.html", context)
    if not invited.sent:
        messages.error(
            request,
            _("The invitation e-mail could not be sent. Try again in a few minutes, or print a code."),
        )
    else:
        messages.success(
            request, _("Invitation sent to the client's e-mail address. The link works once, for 72 hours.")
        )
    return redirect("clients:detail", client.pk)


@require_POST
@login_required
def revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    client = _writable_client(request, client_id)
    if not confirmed(request):
        messages.error(request, NOT_CONFIRMED)
        return redirect("clients:detail", client.pk)
    actions.revoke(request.user, client, request=request)  # type: ignore[arg-type]
    messages.success(request, _("Portal access closed: the client is signed out and cannot sign in."))
    return redirect("clients:detail", client.pk)


# --- Joining and signing in (no account needed yet) --------------------------------------------


def join(request: HttpRequest) -> HttpResponse:
    """An e-mail link (`?t=`) or a printed code, then a password: the client's account."""
    by_link = bool(request.GET.get("t") or request.POST.get("t"))
    form_class = LinkJoinForm if by_link else CodeJoinForm
    problem = ""
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            problem, response = _join(request, form, by_link)
            if response is not None:
                return response
    else:
        form = form_class(initial={"t": request.GET.get("t", "")})
        if by_link:
            try:
                actions.open_invitation(token=request.GET["t"])
            except actions.InvitationProblem as e:
                problem = str(e)
    return render(
        request,
        "portal/join.html",
        {"form": form, "problem": problem, "by_link": by_link},
        status=400 if (problem or form.errors) and request.method == "POST" else 200,
    )


def _join(
    request: HttpRequest, form: CodeJoinForm | LinkJoinForm, by_link: bool
) -> tuple[str, HttpResponse | None]:
    if not by_link and over_limit(f"code-ip:{client_ip(request)}", limit=10, window_seconds=WINDOW):
        return _("Too many tries. Wait 15 minutes, then try again."), None
    data = form.cleaned_data
    try:
        account = actions.join(
            token=data.get("t", ""),
            code=data.get("code", ""),
            password=data["password1"],
            username=data["username"],
            request=request,
        )
    except actions.InvitationProblem as e:
        return str(e), None
    except ValidationError as e:
        if hasattr(e, "error_dict"):  # the username: shown beside its field
            apply_error(form, e)
            return "", None
        return " ".join(e.messages), None
    login(request, account.user, backend=BACKEND)
    messages.success(
        request,
        _("Welcome. Your username is %(username)s: write it down, you need it to sign in.")
        % {"username": account.user.username},
    )
    return "", redirect("portal:home")


def sign_in_link(request: HttpRequest) -> HttpResponse:
    """Ask for a one-time sign-in link by e-mail. The answer is the same whether or not the
    username exists; attempts are limited per username and per address."""
    form = SignInLinkForm(request.POST or None)
    sent = False
    problem = ""
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"].strip().lower()
        link_base = request.build_absolute_uri(reverse("portal:sign-in"))
        problem = _answer_alike(
            request,
            "link",
            username,
            lambda: actions.send_sign_in_link(username, request=request, link_base=link_base),
            too_many=_("Too many links asked for. Wait 15 minutes, then try again."),
        )
        sent = not problem
    context = {"form": form, "sent": sent, "problem": problem}
    return render(request, "portal/sign_in_link.html", context, status=429 if problem else 200)


def forgotten_username(request: HttpRequest) -> HttpResponse:
    """E-mail a client their username. Like the sign-in link: the same answer, after the same
    floor, whether or not the address is known; attempts limited per address and per asker."""
    form = ForgottenUsernameForm(request.POST or None)
    sent = False
    problem = ""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        sign_in_url = request.build_absolute_uri(reverse("account_login"))
        problem = _answer_alike(
            request,
            "name",
            email,
            lambda: actions.send_usernames(email, request=request, sign_in_url=sign_in_url),
            too_many=_("Too many tries. Wait 15 minutes, then try again."),
        )
        sent = not problem
    context = {"form": form, "sent": sent, "problem": problem}
    status = 429 if problem else 400 if form.errors else 200
    return render(request, "portal/forgotten_username.html", context, status=status)


def _answer_alike(
    request: HttpRequest, kind: str, asked: str, send: Callable[[], object], *, too_many: str
) -> str:
    """Send what a client asked for by e-mail, giving the same answer at the same time whether or
    not the account exists: limited per `asked` (username or address) and per asker, then padded
    to the floor. Returns the refusal to show, or "" when sent."""
    by_asked = over_limit(f"{kind}-asked:" + tokens.digest(asked), limit=5, window_seconds=WINDOW)
    by_ip = over_limit(f"{kind}-ip:{client_ip(request)}", limit=5, window_seconds=WINDOW)
    if by_asked or by_ip:
        return too_many
    started = _clock()
    send()
    _pad_to_floor(started)
    return ""


def _pad_to_floor(started: float) -> None:
    """Answer no sooner than OPENIPT_SIGN_IN_LINK_FLOOR_SECONDS after `started`.

    A known username costs a link row and an e-mail, an unknown one only an audit row: without a
    floor the answer's timing would tell an asker which usernames exist. Random jitter on top keeps
    an e-mail that takes longer than the floor from standing out as a clean step.
    """
    floor = float(getattr(settings, "OPENIPT_SIGN_IN_LINK_FLOOR_SECONDS", 0))
    if floor <= 0:
        return
    jitter = secrets.randbelow(250) / 1000
    remaining = floor + jitter - (_clock() - started)
    if remaining > 0:
        _sleep(remaining)


def sign_in(request: HttpRequest) -> HttpResponse:
    """GET shows a button (mail scanners follow links); only the POST signs in."""
    token = request.POST.get("t", "") if request.method == "POST" else request.GET.get("t", "")
    problem = ""
    if request.method == "POST":
        user = actions.use_sign_in_link(token, request=request) if token else None
        if user is not None:
            login(request, user, backend=BACKEND)
            return redirect("portal:home")
        problem = _("This sign-in link has expired or has already been used. Ask for a new one.")
    elif not token:
        problem = _(
            "This sign-in link is incomplete. Open the whole link from the e-mail, or ask for a new one."
        )
    return render(request, "portal/sign_in.html", {"token": token, "problem": problem})


# --- The client's own pages --------------------------------------------------------------------


def crisis(request: HttpRequest) -> HttpResponse:
    """Crisis lines: the clinic's for a signed-in client's language; signed out, the lines every
    clinic here shares for the visitor's language (as the sign-in page shows), else the emergency
    fallback. Open to everyone: a client who cannot sign in needs it too."""
    client = portal_client(request.user)
    if client is not None:
        lines = crisis_help_for(client)
    else:
        lines = shared_crisis_lines(get_language() or "") or [FALLBACK]
    has_plan = client is not None and progress.shared_safety_plan(client) is not None
    return render(request, "portal/crisis.html", {"crisis": lines, "client": client, "has_plan": has_plan})


@portal_view
def home(request: HttpRequest, client: Client) -> HttpResponse:
    context = {
        "client": client,
        "next_session": progress.next_session(client, timezone.localdate()),
        "due": due_questionnaires(client, timezone.localdate()),
        "diary_card": diary_card(client),
        "progress_card": progress.home_card(client),
    }
    return render(request, "portal/home.html", context)


@portal_view
def learn(request: HttpRequest, client: Client) -> HttpResponse:
    return render(request, "portal/learn_list.html", {"topics": learn_pages.TOPICS})


@portal_view
def learn_topic(request: HttpRequest, client: Client, topic: str) -> HttpResponse:
    page = learn_pages.topic(topic)
    if page is None:
        raise Http404
    return render(request, "portal/learn_topic.html", {"page": page})


@portal_view
def homework(request: HttpRequest, client: Client) -> HttpResponse:
    return _homework_page(request, client)


def _homework_page(
    request: HttpRequest, client: Client, bound: HomeworkAnswerForm | None = None, problem: str = ""
) -> HttpResponse:
    """The list; after a refused answer, that homework keeps what the client typed."""
    rows: list[tuple[Homework, HomeworkAnswerForm]] = []
    done: list[tuple[Homework, HomeworkAnswerForm]] = []
    for h in homework_for_client(client):
        initial = {"status": h.client_status, "reflection": h.client_reflection, "seen": stamp(h)}
        form = bound if bound is not None and bound.prefix == f"h{h.pk}" else None
        # an item whose answer was just refused stays among the open ones, in sight
        (done if is_done(h) and form is None else rows).append(
            (h, form or HomeworkAnswerForm(initial=initial, prefix=f"h{h.pk}"))
        )
    context = {"rows": rows, "done": done, "problem": problem}
    return render(request, "portal/homework.html", context, status=400 if bound is not None else 200)


@require_POST
@portal_view
def answer_homework(request: HttpRequest, client: Client, homework_id: int) -> HttpResponse:
    found = get_client_homework(client, homework_id)
    form = HomeworkAnswerForm(request.POST, prefix=f"h{found.pk}")
    if not form.is_valid():
        return _homework_page(request, client, form)
    data = form.cleaned_data
    try:
        portal_homework.answer_homework(
            request.user,
            found,
            status=data["status"],
            reflection=data["reflection"],
            seen=data["seen"],
            request=request,
        )
    except ValidationError as e:
        # keep what was typed, now against the current answer, so a second try can succeed
        data = request.POST.copy()
        data[f"h{found.pk}-seen"] = stamp(get_client_homework(client, found.pk))
        again = HomeworkAnswerForm(data, prefix=f"h{found.pk}")
        return _homework_page(request, client, again, " ".join(e.messages))
    messages.success(request, _("Saved. Your therapist will see it at your next session."))
    return redirect("portal:homework")
