"""Text messages through a pluggable backend, chosen by the OPENIPT_SMS_BACKEND setting.

A backend is a class with `send(to, body)` that returns nothing and raises on failure; its own
settings (a gateway's URL and key) it reads itself. Two ship:

* `ConsoleBackend` (the default) prints each message with the number masked and sends nothing;
* `LocmemBackend` keeps messages in `outbox`, for tests.

To send real messages, point OPENIPT_SMS_BACKEND at a subclass of `BaseSmsBackend` that calls your
gateway. Never log the number or the body: failures are recorded by error class name only.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

DEFAULT_BACKEND = "openipt.reminders.sms.ConsoleBackend"


def mask(number: str) -> str:
    """The number with every digit but the last three hidden: +447700900123 → +*********123."""
    digits = sum(ch.isdigit() for ch in number)
    shown = 0
    masked = []
    for ch in number:
        if ch.isdigit():
            shown += 1
            masked.append(ch if shown > digits - 3 else "*")
        else:
            masked.append(ch)
    return "".join(masked)


class BaseSmsBackend:
    """Send one text message; raise (any exception) when it was not accepted for delivery."""

    def send(self, to: str, body: str) -> None:
        raise NotImplementedError("an SMS backend must implement send(to, body)")


class ConsoleBackend(BaseSmsBackend):
    """Writes each message to standard output, the number masked; sends nothing."""

    def send(self, to: str, body: str) -> None:
        sys.stdout.write(f"SMS to {mask(to)}\n{body}\n{'-' * 40}\n")
        sys.stdout.flush()


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str


class LocmemBackend(BaseSmsBackend):
    """Keeps every message in the class-wide `outbox` list (tests empty it)."""

    outbox: ClassVar[list[TextMessage]] = []
    _lock = threading.Lock()

    def send(self, to: str, body: str) -> None:
        with self._lock:
            LocmemBackend.outbox.append(TextMessage(to, body))


def backend_path() -> str:
    return getattr(settings, "OPENIPT_SMS_BACKEND", "") or DEFAULT_BACKEND


def get_backend() -> BaseSmsBackend:
    """An instance of the configured backend; ImproperlyConfigured saying what to fix if it is wrong."""
    path = backend_path()
    try:
        backend_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"OPENIPT_SMS_BACKEND is {path!r}, which cannot be imported ({exc}). Set it to the dotted "
            f"path of a text-message backend class, e.g. {DEFAULT_BACKEND!r}."
        ) from None
    if not (isinstance(backend_class, type) and issubclass(backend_class, BaseSmsBackend)):
        raise ImproperlyConfigured(
            f"OPENIPT_SMS_BACKEND is {path!r}, which is not a subclass of "
            "openipt.reminders.sms.BaseSmsBackend. Point it at a backend class."
        )
    return backend_class()


def send_sms(to: str, body: str) -> None:
    """Send one text message through the configured backend; raises when it fails."""
    get_backend().send(to, body)
