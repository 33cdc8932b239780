"""`openipt score phq9 1 0 2 3 0 1 0 0 1`: score answers and print one line of JSON.

Answers are option indexes, either in item order or as `link_id=index` pairs
(`openipt score gad7 gad7-1=3 gad7-2=0 ...`). A `-` stands for an item not answered: an item
skip logic leaves out (`openipt score cssrs_screen 0 0 - - - 0`) or an optional one left blank.
A risk question is never left blank, optional or not (the PHQ-A's supplementary suicide
questions, `Item.never_skipped`): without an answer to it the command refuses and names it.
The JSON holds the total, band, risk flags with their severities (`risk_severity`), the scored
items, and, where the instrument has them, `subscales` and `not_applicable`. Nothing is stored
and the database is not opened, so the command works on a machine with no database at all.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openipt.measures.instruments import INSTRUMENTS
from openipt.measures.scoring import ScoringError, score


class Command(BaseCommand):
    help = "Score one set of answers to an instrument and print the result as one line of JSON."

    # Scoring is pure: no system checks (they would need a working database configuration).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("instrument", help=f"instrument key: {', '.join(sorted(INSTRUMENTS))}")
        parser.add_argument(
            "answers",
            nargs="*",
            metavar="ANSWER",
            help=(
                "option indexes in item order (1 0 2 ...), or link_id=index pairs (phq9-1=1 ...); "
                "'-' for an item not answered (skipped)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = score(options["instrument"], parse_answers(options["answers"]))
        except ScoringError as exc:
            raise CommandError(str(exc)) from exc
        answered = dict(result.answers)
        unanswered = [
            f"item {number} ({item.link_id})"
            for number, item in enumerate(INSTRUMENTS[result.instrument].items, start=1)
            if item.never_skipped and item.enable_when is None and item.link_id not in answered
        ]
        if unanswered:
            raise CommandError(
                f"{result.instrument}: answer the risk question(s) {', '.join(unanswered)}; a risk "
                "question is never left out"
            )
        self.stdout.write(json.dumps(result.as_dict()))


def parse_answers(tokens: list[str]) -> list[str | None] | dict[str, str | None]:
    """Command-line answers as `score()` takes them: `-` becomes None (not answered); other
    values stay strings for `score()` to check."""
    pairs = [token.partition("=") for token in tokens]
    with_link_id = [bool(sep) for _, sep, _ in pairs]
    if not any(with_link_id):
        return [_value(token) for token in tokens]
    if not all(with_link_id):
        raise CommandError("give answers either all in item order or all as link_id=index pairs, not both")
    answers: dict[str, str | None] = {}
    for link_id, _, value in pairs:
        if link_id in answers:
            raise CommandError(f"{link_id} is answered twice")
        answers[link_id] = _value(value)
    return answers


def _value(token: str) -> str | None:
    return None if token.strip() == "-" else token
