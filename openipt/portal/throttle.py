"""Counters in the shared cache: how often something was tried in a window."""

from __future__ import annotations

from django.core.cache import cache


def over_limit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt under `key`; True once more than `limit` were made in the window."""
    key = "portal-throttle:" + key
    cache.add(key, 0, window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        count = 1
    return count > limit
