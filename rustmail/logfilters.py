"""Logging filters that keep the operator's log about what happened, not about routine, and
error reports that keep secrets out."""

from __future__ import annotations

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

ROUTINE_PREFIXES = ("Scheduler: Sending due task",)


class SkipRoutine(logging.Filter):
    """Drop the beat's "sending due task" lines, which come every few seconds and say nothing new."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "celery.beat" and record.getMessage().startswith(ROUTINE_PREFIXES))


_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@\s]+)(?P<tail>@)")


class SafeReporterFilter(SafeExceptionReporterFilter):
    """Django's debug page and error reports, with the password of any URL masked as well
    (``DATABASE_URL``, ``REDIS_URL``: Django hides settings by name only, and these names say URL)."""

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return _URL_PASSWORD.sub(rf"\g<head>{self.cleansed_substitute}\g<tail>", cleansed)
        return cleansed
