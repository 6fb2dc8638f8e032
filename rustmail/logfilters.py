"""Logging filters that keep the operator's log about what happened, not about routine."""

from __future__ import annotations

import logging

ROUTINE_PREFIXES = ("Scheduler: Sending due task",)


class SkipRoutine(logging.Filter):
    """Drop the beat's "sending due task" lines, which come every few seconds and say nothing new."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "celery.beat" and record.getMessage().startswith(ROUTINE_PREFIXES))
