"""System checks: a malformed environment stops startup with a message naming the variable."""

from __future__ import annotations

from django.core import checks

from rustmail import env


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
