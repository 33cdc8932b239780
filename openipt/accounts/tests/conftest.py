from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    # allauth keeps failed-login counts and used TOTP codes in the cache; no test inherits them.
    cache.clear()
    yield
    cache.clear()
