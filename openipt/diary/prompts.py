"""The words of the guided diary entries, written by us in plain language.

The communication analysis follows the IPT technique of going through one recent conversation step
by step — what happened, what each person said, what the client felt and wanted, and what else
could have been said — to see where communication went wrong and what might work better. Source:
Weissman, Markowitz & Klerman, *The Guide to Interpersonal Psychotherapy* (Oxford University
Press, 2018), chapter 10, "IPT Techniques and the Therapist's Role". The prompts and hints
below are our own words, aimed at about a 12-year-old's reading level.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Prompt:
    field: str
    label: StrOrPromise
    hint: StrOrPromise


PROMPTS: tuple[Prompt, ...] = (
    Prompt(
        "what_happened",
        _("What happened?"),
        _("Who was it with, where were you, and what was the talk about?"),
    ),
    Prompt(
        "what_i_said",
        _("What did I say?"),
        _("Your own words, as close as you remember them. How did you say them?"),
    ),
    Prompt(
        "what_they_said",
        _("What did they say?"),
        _("Their words, as close as you remember them, and how they said them."),
    ),
    Prompt(
        "what_i_felt",
        _("What did I feel?"),
        _("During the talk and after it. Any feeling is fine to write down."),
    ),
    Prompt(
        "what_i_wanted",
        _("What did I want?"),
        _("What were you hoping would happen, or hoping they would understand?"),
    ),
    Prompt(
        "what_else",
        _("What else could I have said?"),
        _(
            "Another way to say what you meant. There is no wrong answer: you can try it out with "
            "your therapist."
        ),
    ),
)

MOOD_QUESTION = _("How is your mood today?")
MOOD_LOW = _("0 — the lowest")
MOOD_HIGH = _("10 — the best")
