"""Rate limits of the external API, beyond Rustmail (as Ticketeer and Rimpllee do).

Per API key: at most ``EXTERNAL_API_RATE_PER_MINUTE`` ticket creations per minute (a fixed window
counted atomically in the cache). Per user: ``EXTERNAL_API_USER_COOLDOWN`` seconds after a ticket
was opened for them before the next one. Excess is a 429 with ``Retry-After``. Both are checked
after the request is known to be valid and not a conflict (see ``apikeys.services``). The counters live in
Django's cache: Redis when ``REDIS_URL`` is set, so every web process shares them.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework.exceptions import Throttled

WINDOW_SECONDS = 60


def _count(bucket: str, *, limit: int, window: int) -> float | None:
    """Count one hit in the current window; the seconds until it ends when over ``limit``, else None."""
    now = time.time()
    start = int(now // window) * window
    key = f"ratelimit:{bucket}:{start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        hits = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        hits = 1
    return start + window - now if hits > limit else None


def key_rate_check(key_id: int) -> None:
    """Count one ticket creation for the key; refuse (429) over ``EXTERNAL_API_RATE_PER_MINUTE``."""
    retry_after = _count(f"key:{key_id}", limit=settings.EXTERNAL_API_RATE_PER_MINUTE, window=WINDOW_SECONDS)
    if retry_after is not None:
        raise Throttled(wait=retry_after)


def _cooldown_key(user_id: int) -> str:
    # Keyed on the parsed ID: every spelling of one user shares one cooldown.
    return f"ratelimit:user:{int(user_id)}"


def user_cooldown_check(user_id: int) -> None:
    """Refuse (429) while a ticket was opened for this user less than the cooldown ago."""
    until = cache.get(_cooldown_key(user_id))
    remaining = (until - time.time()) if until else 0
    if remaining > 0:
        raise Throttled(
            wait=math.ceil(remaining),
            detail=_("A ticket was just opened for this user: try again in %(seconds)d seconds.")
            % {"seconds": math.ceil(remaining)},
        )


def user_cooldown_start(user_id: int) -> None:
    """Start the user's cooldown (after a ticket was opened for them)."""
    seconds = settings.EXTERNAL_API_USER_COOLDOWN
    if seconds > 0:
        cache.set(_cooldown_key(user_id), time.time() + seconds, timeout=seconds)
