"""Every change to portal access: invite, join, revoke, one-time sign-in links. Each is one
transaction and writes its audit row (ids only: never a name, e-mail address, token or code)."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from openipt.accounts.models import Role, User
from openipt.accounts.sessions import end_sessions
from openipt.audit.actions import record
from openipt.clients.models import Client
from openipt.lib.errors import refuse

from . import tokens
from .models import InvitationKind, PortalAccount, PortalInvitation, SignInLink

logger = logging.getLogger(__name__)

EMAIL_LINK_LIFETIME = timedelta(hours=72)
CODE_LIFETIME = timedelta(days=14)
SIGN_IN_LINK_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class Invited:
    invitation: PortalInvitation
    secret: str  # the link token or the printed code: shown or sent once, never stored
    sent: bool = True  # for an e-mail invitation: whether the e-mail went out


class InvitationProblem(Exception):
    """Why an invitation cannot be used; the message is for the client."""


def invite(
    clinician: User, client: Client, *, kind: str, request: HttpRequest | None = None, link_base: str = ""
) -> Invited:
    """Make a new invitation (revoking any still open), and e-mail it for kind "email".

    The e-mail holds the link and the clinic's name only. `link_base` is the absolute URL of the
    join page; the token is appended to it.
    """
    if kind not in InvitationKind.values:
        raise ValidationError(_("Choose how to invite: by e-mail or with a printed code."))
    if kind == InvitationKind.EMAIL and not client.email:
        raise ValidationError(
            _("This client has no e-mail address. Add one to their details, or print a code instead.")
        )
    now = timezone.now()
    with transaction.atomic():
        PortalInvitation.objects.filter(client=client, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        if kind == InvitationKind.EMAIL:
            secret = tokens.new_link_token()
            hashed, lifetime = tokens.digest(secret), EMAIL_LINK_LIFETIME
        else:
            secret = tokens.new_code()
            hashed, lifetime = tokens.code_digest(secret), CODE_LIFETIME
        invitation = PortalInvitation.objects.create(
            client=client,
            created_by=clinician,
            created_at=now,
            kind=kind,
            token_hash=hashed,
            expires_at=now + lifetime,
        )
        record(clinician, "portal.invite", obj=invitation, client_id=client.pk, request=request)
    logger.info("portal invitation %s (%s) made for client %s", invitation.pk, kind, client.pk)
    sent = True
    if kind == InvitationKind.EMAIL:
        context = {"link": f"{link_base}?t={secret}", "organisation": client.organisation.name}
        subject = _("Your invitation to %(org)s online") % {"org": context["organisation"]}
        sent = _mail(subject, "portal/email/invitation.txt", context, client.email, invitation)
    return Invited(invitation, secret, sent)


def _mail(subject: str, template: str, context: dict[str, str], to: str, obj: Any) -> bool:
    """Send after the commit; a failure is logged (no address, no link) and reported back."""
    try:
        send_mail(subject, render_to_string(template, context), None, [to])
    except Exception as exc:  # SMTP and socket errors: the caller tells the user to try again
        # The error's class only, no traceback: SMTP errors quote the address (and may echo the link).
        logger.error("could not e-mail %s %s (%s)", type(obj).__name__, obj.pk, type(exc).__name__)
        return False
    return True


def open_invitation(*, token: str = "", code: str = "", lock: bool = False) -> PortalInvitation:
    """The invitation for this link token or printed code, if it can still be used.

    Raises InvitationProblem with one clear message for unknown, revoked, used and expired.
    """
    if token:
        hashed = tokens.digest(token)
    elif tokens.normalise_code(code):
        hashed = tokens.code_digest(code)
    else:
        raise InvitationProblem(_("Type the code from your letter, e.g. K7PQM-3XW9A."))
    rows = PortalInvitation.objects.select_related("client", "client__organisation")
    if lock:
        rows = rows.select_for_update()
    invitation = rows.filter(token_hash=hashed).first()
    if invitation is None:
        if token:
            raise InvitationProblem(
                _("This invitation link is not known. Check you opened the whole link from the e-mail.")
            )
        raise InvitationProblem(_("This code is not known. Check each letter and number and try again."))
    if invitation.revoked_at is not None:
        raise InvitationProblem(
            _("This invitation was replaced or withdrawn. Ask your therapist for a new one.")
        )
    if invitation.used_at is not None:
        raise InvitationProblem(
            _("This invitation has already been used. Sign in, or ask your therapist for a new one.")
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationProblem(_("This invitation has expired. Ask your therapist for a new one."))
    return invitation


def _new_username() -> str:
    while True:
        name = "c-" + "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(8))
        if not User.objects.filter(username=name).exists():
            return name


USERNAME = re.compile(r"[\w.@+-]+")


def _chosen_username(raw: str, user: User) -> str:
    """The username a client chose, as stored (lower case, so it signs in however it is typed).

    Taken means taken by anyone: the refusal says only that, never whose it is.
    """
    name = raw.strip().lower()
    if len(name) < 3:
        raise refuse(_("Choose a username of at least 3 characters."), "username")
    if len(name) > 150:
        raise refuse(_("Choose a username of at most 150 characters."), "username")
    if not USERNAME.fullmatch(name):
        raise refuse(
            _("Use only letters, numbers and the signs . @ + - _ in a username (no spaces)."), "username"
        )
    if User.objects.filter(username__iexact=name).exclude(pk=user.pk).exists():
        raise refuse(_("That username is taken. Choose another."), "username")
    return name


def join(
    *,
    token: str = "",
    code: str = "",
    password: str,
    username: str = "",
    request: HttpRequest | None = None,
) -> PortalAccount:
    """Use an invitation: create the client's portal user (or, if they have one, set its new
    password), mark the invitation used. Works once, also when two requests race (row lock).

    `username` is the one the client chose (their e-mail address will do); without one an
    existing account keeps its username and a new one is given a random `c-…` name.
    Raises InvitationProblem, or ValidationError (the username or the password), and then
    changes nothing. The username is checked only after the invitation, so nobody without one
    can use the form to ask which usernames exist.
    """
    with transaction.atomic():
        invitation = open_invitation(token=token, code=code, lock=True)
        client = invitation.client
        account = PortalAccount.objects.select_related("user").filter(client=client).first()
        user = (
            account.user
            if account
            else User(username=_new_username(), role=Role.CLIENT, organisation_id=client.organisation_id)
        )
        if username.strip():
            user.username = _chosen_username(username, user)
        validate_password(password, user)
        user.set_password(password)
        user.is_active = True
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same name chosen by someone else a moment ago
            raise refuse(_("That username is taken. Choose another."), "username") from None
        if account is None:
            account = PortalAccount.objects.create(user=user, client=client, created_by=invitation.created_by)
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
        record(user, "portal.join", obj=invitation, client_id=client.pk, request=request)
    logger.info("portal invitation %s used by user %s", invitation.pk, user.pk)
    return account


def revoke(clinician: User, client: Client, *, request: HttpRequest | None = None) -> None:
    """Close the client's portal: deactivate their user (ending every session) and withdraw open
    invitations and sign-in links."""
    now = timezone.now()
    with transaction.atomic():
        PortalInvitation.objects.filter(client=client, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        account = PortalAccount.objects.select_related("user").filter(client=client).first()
        if account is not None:
            SignInLink.objects.filter(account=account, used_at__isnull=True).update(used_at=now)
            if account.user.is_active:
                account.user.is_active = False
                account.user.save(update_fields=["is_active"])  # ends their sessions (accounts.events)
            end_sessions(account.user)
        record(clinician, "portal.revoke", obj=account, client_id=client.pk, request=request)
    logger.info("portal access of client %s revoked by user %s", client.pk, clinician.pk)


def send_sign_in_link(username: str, *, request: HttpRequest | None = None, link_base: str = "") -> bool:
    """E-mail a one-time sign-in link to the portal user `username` if there is one with an e-mail
    address on their client record. Returns whether a link was sent (never shown to the asker)."""
    account = (
        PortalAccount.objects.select_related("user", "client", "client__organisation")
        .filter(user__username__iexact=username.strip(), user__is_active=True, user__role=Role.CLIENT)
        .first()
    )
    if account is None or not account.client.email:
        record(None, "portal.signin_link.refused", request=request, actor_label="unknown user")
        return False
    secret = tokens.new_link_token()
    now = timezone.now()
    with transaction.atomic():
        link = SignInLink.objects.create(
            account=account,
            token_hash=tokens.digest(secret),
            created_at=now,
            expires_at=now + SIGN_IN_LINK_LIFETIME,
        )
        record(account.user, "portal.signin_link", obj=link, client_id=account.client_id, request=request)
    context = {"link": f"{link_base}?t={secret}", "organisation": account.client.organisation.name}
    subject = _("Sign in to %(org)s online") % {"org": context["organisation"]}
    return _mail(subject, "portal/email/sign_in.txt", context, account.client.email, link)


def use_sign_in_link(token: str, *, request: HttpRequest | None = None) -> User | None:
    """The portal user this link signs in, marking it used; None if unknown, used or expired."""
    with transaction.atomic():
        link = (
            SignInLink.objects.select_for_update()
            .select_related("account__user")
            .filter(token_hash=tokens.digest(token), used_at__isnull=True, expires_at__gt=timezone.now())
            .first()
        )
        if link is None or not link.account.user.is_active:
            return None
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
        record(
            link.account.user,
            "portal.signin_link.used",
            obj=link,
            client_id=link.account.client_id,
            request=request,
        )
    user: Any = link.account.user
    return user


def send_usernames(email: str, *, request: HttpRequest | None = None, sign_in_url: str = "") -> bool:
    """E-mail the portal usernames of the active clients with this e-mail address on their record,
    to that address only. Returns whether an e-mail was sent (never shown to the asker: the page
    answers the same either way, so it cannot be used to learn who has an account)."""
    accounts = list(
        PortalAccount.objects.select_related("user", "client__organisation")
        .filter(client__email__iexact=email.strip(), user__is_active=True, user__role=Role.CLIENT)
        .order_by("user__username")
    )
    if not accounts:
        record(None, "portal.username_reminder.refused", request=request, actor_label="unknown address")
        return False
    with transaction.atomic():
        for account in accounts:
            record(
                account.user,
                "portal.username_reminder",
                obj=account,
                client_id=account.client_id,
                request=request,
            )
    by_organisation: dict[str, list[PortalAccount]] = {}
    for account in accounts:  # a person may be a client of two clinics: one e-mail from each
        by_organisation.setdefault(account.client.organisation.name, []).append(account)
    sent = False
    for organisation, group in by_organisation.items():
        context = {
            "usernames": "\n".join(a.user.username for a in group),
            "organisation": organisation,
            "link": sign_in_url,
        }
        subject = _("Your username for %(org)s online") % {"org": organisation}
        sent = _mail(subject, "portal/email/username.txt", context, group[0].client.email, group[0]) or sent
    return sent
