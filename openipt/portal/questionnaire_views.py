"""Portal questionnaire pages: thin views over `openipt.portal.questionnaires`.

A questionnaire is named by the session and the instrument; `get_questionnaire` fetches the
session through the signed-in client, so another client's session is a 404.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from openipt.clients.models import Client
from openipt.lib.forms import apply_error
from openipt.measures.instruments import Item
from openipt.measures.models import Channel, Response
from openipt.safety.actions import crisis_help_for
from openipt.safety.models import RiskAlert

from . import questionnaires as qs
from .questionnaires import AlreadySent, Questionnaire, get_questionnaire
from .views import portal_view


class AnswerForm(forms.Form):
    """One question: its options as a radio group (a fieldset with the question as legend)."""

    def __init__(self, item: Item, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["answer"] = forms.ChoiceField(
            label=_(item.text),
            choices=[(str(index), _(option.label)) for index, option in enumerate(item.options)],
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Choose an answer to go on."),
                "invalid_choice": _(
                    "That answer is not one of the choices. Choose one of the answers shown."
                ),
            },
        )


def _notice(request: HttpRequest, title: str, message: str, status: int = 200) -> HttpResponse:
    return render(
        request, "portal/questionnaire_notice.html", {"title": title, "message": message}, status=status
    )


def _sent_notice(request: HttpRequest, response: Response, status: int = 200) -> HttpResponse:
    day = date_format(timezone.localtime(response.completed_at).date(), "j F Y")
    if response.channel == Channel.PORTAL:
        message = _("You already sent this questionnaire on %(date)s. Nothing more is needed.")
    else:
        message = _(
            "Your answers to this questionnaire were already recorded on %(date)s. Nothing more is needed."
        )
    return _notice(request, _("Already sent"), message % {"date": day}, status)


def _stopped(request: HttpRequest, q: Questionnaire) -> HttpResponse | None:
    """A page instead of the questionnaire: an ended course, one already sent, or none due."""
    status = 400 if request.method == "POST" else 200
    if q.ended:
        return _notice(request, _("Questionnaire closed"), qs.ended_message(), status)
    if q.response is not None and not q.following:
        return _sent_notice(request, q.response, 409 if request.method == "POST" else 200)
    if not qs.is_open(q, timezone.localdate()):
        raise Http404("No such questionnaire")
    return None


def _go_on(q: Questionnaire) -> HttpResponse:
    number = q.next_number()
    return redirect(q.url("questionnaire-question", number) if number else q.url("questionnaire-review"))


@portal_view
def questionnaire_list(request: HttpRequest, client: Client) -> HttpResponse:
    due = qs.due_questionnaires(client, timezone.localdate())
    return render(request, "portal/questionnaire_list.html", {"due": due})


@portal_view
def start(request: HttpRequest, client: Client, session_id: int, instrument: str) -> HttpResponse:
    """Start, or carry on where the client stopped (on any device)."""
    q = get_questionnaire(client, session_id, instrument)
    stopped = _stopped(request, q)
    return stopped if stopped is not None else _go_on(q)


@portal_view
def question(
    request: HttpRequest, client: Client, session_id: int, instrument: str, question: int
) -> HttpResponse:
    q = get_questionnaire(client, session_id, instrument)
    late = request.method == "POST" and (q.ended or (q.response is not None and not q.following))
    if late and qs.posted_positive(q, question, request.POST.get("answer")):
        return _keep_risk_answer(request, q, question)
    if request.method == "POST" and q.following and question < q.first_open():
        return _answer_already_sent(request, q, question)
    stopped = _stopped(request, q)
    if stopped is not None:
        return stopped
    if not q.reachable(question):
        messages.error(request, _unreachable(q, question))
        return _go_on(q)
    item = q.instrument.items[question - 1]
    if request.method != "POST":
        chosen = q.answers.get(item.link_id)
        return _question_page(request, q, question, AnswerForm(item, initial={"answer": chosen}))
    form = AnswerForm(item, request.POST)
    skip = "skip" in request.POST and qs.skippable(item)
    if not skip and not form.is_valid():
        return _question_page(request, q, question, form, status=400)
    try:
        answered = qs.save_answer(
            request.user, q, question, request.POST.get("answer"), skip=skip, request=request
        )
    except AlreadySent as exc:
        if qs.posted_positive(q, question, request.POST.get("answer")):
            return _keep_risk_answer(request, q, question)
        return _sent_notice(request, exc.response, status=409)
    except ValidationError as exc:
        if qs.posted_positive(q, question, request.POST.get("answer")) and q.ended_now():
            return _keep_risk_answer(request, q, question)
        apply_error(form, exc)
        return _question_page(request, q, question, form, status=400)
    if answered.positive:
        return redirect(q.url("questionnaire-crisis"))
    return _go_on(q)


def _answer_already_sent(request: HttpRequest, q: Questionnaire, number: int) -> HttpResponse:
    """A question sent already (the double tap on a positive answer, or the back button): the
    same positive answer leads to crisis help again; a new positive answer is kept and alerted."""
    raw = request.POST.get("answer")
    if qs.posted_positive(q, number, raw):
        sent = q.draft.sent.answers if q.draft is not None and q.draft.sent is not None else {}
        if str(sent.get(q.instrument.items[number - 1].link_id)) != raw:
            qs.keep_risk_answer(request.user, q, number, raw, request=request)
        return redirect(q.url("questionnaire-crisis"))
    messages.error(request, _("That answer was sent already; carry on with the questions still to answer."))
    return _go_on(q)


def _keep_risk_answer(request: HttpRequest, q: Questionnaire, number: int) -> HttpResponse:
    """A positive risk answer after the questionnaire closed: kept (and alerted), then crisis help."""
    qs.keep_risk_answer(request.user, q, number, request.POST.get("answer"), request=request)
    return redirect(q.url("questionnaire-crisis"))


def _unreachable(q: Questionnaire, number: int) -> str:
    if not 1 <= number <= len(q.instrument.items):
        return _("There is no question %(n)d in this questionnaire.") % {"n": number}
    if number not in dict(q.asked()):
        return _("That question does not apply after your earlier answers.")
    return _("Please answer the questions in order.")


def _question_page(
    request: HttpRequest, q: Questionnaire, number: int, form: AnswerForm, status: int = 200
) -> HttpResponse:
    numbers = [n for n, _item in q.asked()]
    position = numbers.index(number)
    item = q.instrument.items[number - 1]
    context = {
        "q": q,
        "form": form,
        "item": item,
        "number": number,
        "position": position + 1,
        "total": len(numbers),
        "back_url": (
            q.url("questionnaire-question", numbers[position - 1])
            if position and numbers[position - 1] >= q.first_open()
            else ""
        ),
        "skippable": qs.skippable(item),
    }
    return render(request, "portal/questionnaire_question.html", context, status=status)


@portal_view
def review(request: HttpRequest, client: Client, session_id: int, instrument: str) -> HttpResponse:
    q = get_questionnaire(client, session_id, instrument)
    stopped = _stopped(request, q)
    if stopped is not None:
        return stopped
    if q.draft is None or q.next_number() is not None:
        return _go_on(q)
    answers = q.answers
    first_open = q.first_open()  # the answers before it were sent already
    rows = []
    for number, item in q.asked():
        if number < first_open:
            continue
        index = answers.get(item.link_id)
        rows.append(
            {
                "text": item.text,
                "answer": item.options[index].label if index is not None else "",
                "change_url": q.url("questionnaire-question", number),
            }
        )
    return render(request, "portal/questionnaire_review.html", {"q": q, "rows": rows})


@require_POST
@portal_view
def send(request: HttpRequest, client: Client, session_id: int, instrument: str) -> HttpResponse:
    q = get_questionnaire(client, session_id, instrument)
    try:
        qs.send(
            request.user,
            q,
            draft_uuid=request.POST.get("uuid", ""),
            stamp=request.POST.get("stamp", ""),
            request=request,
        )
    except AlreadySent as exc:
        return _sent_notice(request, exc.response, status=409)
    except ValidationError as exc:
        if q.ended:
            return _notice(request, _("Questionnaire closed"), qs.ended_message(), 400)
        messages.error(request, " ".join(exc.messages))
        return redirect(q.url("questionnaire-review"))
    return redirect(q.url("questionnaire-done"))


@portal_view
def crisis(request: HttpRequest, client: Client, session_id: int, instrument: str) -> HttpResponse:
    """Straight after a positive risk answer: help now, then the way on."""
    q = get_questionnaire(client, session_id, instrument)
    # Told: this questionnaire's response carries an alert, or a portal answer of the last hour
    # did (a late risk answer is kept as an ad-hoc response; see questionnaires.keep_risk_answer).
    told = (q.response is not None and q.response.alerts.exists()) or RiskAlert.objects.filter(
        client=client,
        response__channel=Channel.PORTAL,
        raised_at__gte=timezone.now() - timedelta(hours=1),
    ).exists()
    next_url = q.url("questionnaire-done" if q.draft is None and q.response is not None else "questionnaire")
    context = {
        "crisis": crisis_help_for(client),
        "told": told,
        "next_url": next_url,
        "more": q.following,  # risk questions still to answer: asked after this page
    }
    return render(request, "portal/questionnaire_crisis.html", context)


@portal_view
def done(request: HttpRequest, client: Client, session_id: int, instrument: str) -> HttpResponse:
    q = get_questionnaire(client, session_id, instrument)
    if q.response is None or q.following:
        return redirect(q.url("questionnaire"))
    due = qs.due_questionnaires(client, timezone.localdate())
    context = {"q": q, "next": due[0] if due else None}
    return render(request, "portal/questionnaire_done.html", context)
