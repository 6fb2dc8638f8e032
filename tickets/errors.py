"""Domain errors: each carries a message a person understands, and an HTTP status for the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """Base of every rule the services refuse to break. ``message`` is shown as is (translated)."""

    status = 400
    default_message = _("That cannot be done.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        super().__init__(self.message)


class InvalidInput(DomainError):
    """A bad argument: a malformed ID, duration, time or text."""

    status = 400


class NotFound(DomainError):
    status = 404
    default_message = _("Not found.")


class TicketNotFound(NotFound):
    default_message = _("There is no such ticket.")


class MessageNotFound(NotFound):
    default_message = _("There is no message with that number in this ticket.")


class TicketClosed(DomainError):
    status = 409
    default_message = _("This ticket is closed.")


class TicketAlreadyOpen(DomainError):
    """The user already has an open ticket (``ticket`` names it)."""

    status = 409
    default_message = _("User already has an active ticket")

    def __init__(self, ticket=None, message: str | None = None) -> None:
        super().__init__(message)
        self.ticket = ticket


class UserBlocked(DomainError):
    status = 403
    default_message = _("This user is blocked.")


class NotAMember(DomainError):
    status = 403
    default_message = _("User is not a member of the community guild")


class UserLeft(DomainError):
    status = 409
    default_message = _("The user has left the server: they can no longer receive messages.")


class PermissionDenied(DomainError):
    status = 403
    default_message = _("You do not have permission to do that.")


class Conflict(DomainError):
    status = 409
    default_message = _("That conflicts with the current state.")


class NotConfigured(DomainError):
    status = 503
    default_message = _("The bot is not configured yet: set the guild and inbox category first.")


class RateLimited(DomainError):
    """A limit Discord enforces for a long time (2 username changes per hour): try again later."""

    status = 429
    default_message = _("Too many changes: try again later.")


class DiscordFailure(DomainError):
    """Discord refused or failed; ``code`` is Discord's numeric error code when it gave one."""

    status = 502

    def __init__(self, message: str | None = None, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code
