"""A completed questionnaire response and its score never change or disappear (issue 5 item 7).

They are final from the moment they are stored. Every path is refused and the row stays as it
was: the model's `save()` and `delete()`, QuerySet `update()`, `delete()` and `bulk_update()`, and
raw SQL, which the database's own triggers refuse. A mistake is followed by a new response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from openipt.accounts.models import User
from openipt.clients.models import Client
from openipt.lib.db import guards
from openipt.lib.db.guards import ImmutableRecordError
from openipt.measures.actions import record_response
from openipt.measures.models import Response, Score

ANSWERS = [1, 1, 1, 1, 1, 1, 1, 0, 0]  # PHQ-9 total 7, no risk item


@pytest.fixture
def response(alice: User, client_a: Client) -> Response:
    return record_response(alice, client_a, instrument="phq9", answers=ANSWERS)


def execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def stored(model: type[Response] | type[Score], pk: int) -> dict[str, Any]:
    return dict(model.objects.filter(pk=pk).values().get())


def edited_response(response: Response) -> Response:
    response.answers = {"phq9-1": 3}
    return response


def edited_score(score: Score) -> Score:
    score.total = 0
    return score


RESPONSE_PATHS: dict[str, tuple[type[Exception], Callable[[Response], Any]]] = {
    "save": (ImmutableRecordError, lambda r: edited_response(r).save()),
    "QuerySet.update": (ImmutableRecordError, lambda r: Response.objects.filter(pk=r.pk).update(answers={})),
    "QuerySet.update of none": (ImmutableRecordError, lambda r: Response.objects.none().update(answers={})),
    "bulk_update": (
        ImmutableRecordError,
        lambda r: Response.objects.bulk_update([edited_response(r)], ["answers"]),
    ),
    "QuerySet.delete": (ImmutableRecordError, lambda r: Response.objects.filter(pk=r.pk).delete()),
    "related manager delete": (ImmutableRecordError, lambda r: r.client.responses.all().delete()),
    "instance delete": (ImmutableRecordError, lambda r: r.delete()),
    "SQL UPDATE": (
        IntegrityError,
        lambda r: execute("UPDATE measures_response SET instrument = %s WHERE id = %s", ["gad7", r.pk]),
    ),
    "SQL DELETE": (IntegrityError, lambda r: execute("DELETE FROM measures_response WHERE id = %s", [r.pk])),
}


@pytest.mark.parametrize("how", RESPONSE_PATHS)
def test_a_response_refuses_every_path(response: Response, how: str) -> None:
    error, change = RESPONSE_PATHS[how]
    before = stored(Response, response.pk)

    with pytest.raises(error, match="A completed response cannot be changed"), transaction.atomic():
        change(Response.objects.get(pk=response.pk))

    assert stored(Response, response.pk) == before


SCORE_PATHS: dict[str, tuple[type[Exception], Callable[[Score], Any]]] = {
    "save": (ImmutableRecordError, lambda s: edited_score(s).save()),
    "QuerySet.update": (ImmutableRecordError, lambda s: Score.objects.filter(pk=s.pk).update(total=0)),
    "bulk_update": (ImmutableRecordError, lambda s: Score.objects.bulk_update([edited_score(s)], ["total"])),
    "QuerySet.delete": (ImmutableRecordError, lambda s: Score.objects.filter(pk=s.pk).delete()),
    "instance delete": (ImmutableRecordError, lambda s: s.delete()),
    "SQL UPDATE": (
        IntegrityError,
        lambda s: execute("UPDATE measures_score SET total = 0 WHERE id = %s", [s.pk]),
    ),
    "SQL DELETE": (IntegrityError, lambda s: execute("DELETE FROM measures_score WHERE id = %s", [s.pk])),
}


@pytest.mark.parametrize("how", SCORE_PATHS)
def test_a_score_refuses_every_path(response: Response, how: str) -> None:
    error, change = SCORE_PATHS[how]
    score = response.score
    before = stored(Score, score.pk)

    with pytest.raises(error, match="A score cannot be changed"), transaction.atomic():
        change(Score.objects.get(pk=score.pk))

    assert stored(Score, score.pk) == before


def test_a_mistake_is_followed_by_a_new_response(alice: User, client_a: Client, response: Response) -> None:
    corrected = record_response(alice, client_a, instrument="phq9", answers=[2] * 8 + [0])

    assert list(Response.objects.values_list("pk", flat=True)) == [response.pk, corrected.pk]
    assert (response.score.total, corrected.score.total) == (7, 16)


def test_the_triggers_exist_on_this_database(db: None) -> None:
    names = {t.name for t in guards.TRIGGERS if t.table.startswith("measures_")}
    assert len(names) == 4
    assert names <= guards.installed_triggers(connection)
