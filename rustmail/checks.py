"""System checks: a malformed environment stops startup with a message naming the variable, and a
schedule that cannot run (no broker) is reported before the worker silently waits forever."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core import checks

from rustmail import env

BROKER_TIMEOUT = 2.0


@checks.register(checks.Tags.compatibility, deploy=False)
def check_environment(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Report every malformed variable recorded while the settings were read."""
    messages: list[checks.CheckMessage] = [
        checks.Error(
            error.message,
            hint="Fix or unset the variable; see the README's configuration table.",
            id=error.check_id,
        )
        for error in env.ERRORS
    ]
    return messages


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


@checks.register(checks.Tags.compatibility, deploy=False)
def check_scheduler_broker(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The worker's broker must be usable: Redis answering when ``REDIS_URL`` is set, otherwise the
    embedded broker's folder writable. Without it no scheduled close, reminder or timeout runs."""
    if settings.REDIS_URL:
        import redis

        try:
            redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
            ).ping()
        except (redis.RedisError, OSError) as error:
            return [
                checks.Error(
                    f"REDIS_URL={_without_password(settings.REDIS_URL)} does not answer ({error}): the "
                    "worker has no broker, so scheduled closes, reminders and timeouts cannot run.",
                    hint="Start Redis or fix REDIS_URL; unset it to use the embedded broker instead.",
                    id="rustmail.E007",
                )
            ]
        return []
    folder = settings.CELERY_BROKER_DIR
    if not all(os.access(folder / name, os.W_OK) for name in ("queue", "control")):
        return [
            checks.Error(
                f"The embedded broker's folder {folder} is not writable: scheduled closes, reminders "
                "and timeouts cannot run.",
                hint="Make DATA_DIR writable by this user, or set REDIS_URL.",
                id="rustmail.E008",
            )
        ]
    return []


@checks.register(checks.Tags.compatibility, deploy=False)
def check_attachment_storage(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The attachment folder (``MEDIA_ROOT``) must be writable: files users and staff send are kept
    there. An S3 store is not reached at startup (a slow endpoint would hold every process): a
    failure there is logged and the file stays pending, fetched again by the worker."""
    if settings.ATTACHMENTS_S3_BUCKET:
        return []
    folder = settings.MEDIA_ROOT
    try:
        folder.mkdir(parents=True, exist_ok=True)
        writable = os.access(folder, os.W_OK)
    except OSError:
        writable = False
    if writable:
        return []
    return [
        checks.Error(
            f"The attachment folder {folder} is not writable: files users and staff send could not be kept.",
            hint="Make MEDIA_ROOT (default DATA_DIR/media) writable, or set ATTACHMENTS_S3_BUCKET.",
            id="rustmail.E020",
        )
    ]
