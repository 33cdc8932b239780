from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    # allauth keeps failed-login counts and used TOTP codes in the (database) cache; no test
    # inherits them. Tests without the database have no cache to clear.
    uses_db = {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    ) or request.node.get_closest_marker("django_db")
    if uses_db:
        transactional = {"transactional_db", "live_server"} & set(request.fixturenames)
        request.getfixturevalue("transactional_db" if transactional else "db")  # set up first
        cache.clear()
    yield
    if uses_db:
        cache.clear()
