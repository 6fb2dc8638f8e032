"""The bot's Discord profile (name, avatar, banner), read and changed through the Discord port.

A change is all or nothing: every field is checked against Discord's rules before the one
``PATCH /users/@me`` that carries them all, and Discord itself applies all of it or none. Discord
allows 2 username changes per hour and answers the third with a 400 (not a 429): that becomes a
``RateLimited`` error saying so, and nothing changed.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from tickets.discord import DiscordError, DiscordPort
from tickets.discord.port import INVALID_FORM_BODY, DiscordUser
from tickets.errors import DiscordFailure, InvalidInput, NotConfigured, RateLimited

from ._common import log, port_or_default

USERNAME_MIN = 2
USERNAME_MAX = 32
# Discord refuses these in a username (and "everyone" or "here" as the whole name).
USERNAME_FORBIDDEN = ("@", "#", ":", "```", "discord")
MAX_IMAGE_BYTES = 10 * 1024 * 1024
CDN = "https://cdn.discordapp.com"
_DATA_URI = re.compile(r"^data:(image/[a-z]+);base64,(.*)$", re.DOTALL | re.IGNORECASE)
# Magic numbers of the formats Discord takes for an avatar or a banner.
_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


@dataclass(frozen=True)
class BotProfile:
    """What the panel shows of the bot: its Discord ID, name and images' CDN URLs."""

    id: int
    username: str
    discriminator: str
    avatar_url: str | None
    banner_url: str | None

    @classmethod
    def of(cls, user: DiscordUser) -> BotProfile:
        return cls(
            id=user.id,
            username=user.username,
            discriminator="",
            avatar_url=_cdn("avatars", user.id, user.avatar),
            banner_url=_cdn("banners", user.id, user.banner),
        )


def _cdn(kind: str, user_id: int, image_hash: str | None) -> str | None:
    if not image_hash:
        return None
    extension = "gif" if image_hash.startswith("a_") else "png"
    return f"{CDN}/{kind}/{user_id}/{image_hash}.{extension}"


def bot_profile(*, port: DiscordPort | None = None) -> BotProfile:
    """The bot's profile as Discord has it now (``GET /users/@me``)."""
    try:
        return BotProfile.of(port_or_default(port).current_user())
    except DiscordError as error:
        raise _unavailable(error) from error


def _unavailable(error: DiscordError) -> Exception:
    if error.status in (0, 401):
        return NotConfigured(
            _("Discord cannot be reached with the bot's token: check it in the configuration.")
        )
    return DiscordFailure(_("Discord refused: %(message)s") % {"message": error.message}, code=error.code)


def clean_username(username: str) -> str:
    """``username`` if Discord would take it, else ``InvalidInput`` saying why."""
    name = username.strip()
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        raise InvalidInput(_("Username must be between 2 and 32 characters"))
    lowered = name.lower()
    if any(part in lowered for part in USERNAME_FORBIDDEN) or lowered in ("everyone", "here"):
        raise InvalidInput(
            _('A username cannot contain @, #, :, ``` or "discord", nor be "everyone" or "here".')
        )
    return name


def image_data_uri(data: str, *, label: str) -> str:
    """A ``data:image/...;base64,`` URI Discord takes, from such a URI or bare base64 (PNG, as
    Rustmail); ``InvalidInput`` naming ``label`` when it is not a PNG, JPEG, GIF or WebP image of at
    most 10 MiB."""
    match = _DATA_URI.match(data.strip())
    content_type, encoded = (match.group(1).lower(), match.group(2)) if match else ("image/png", data.strip())
    content_type = "image/jpeg" if content_type == "image/jpg" else content_type
    if content_type not in _SIGNATURES:
        raise InvalidInput(_("Invalid %(image)s: use a PNG, JPEG, GIF or WebP image.") % {"image": label})
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(_("Invalid %(image)s: it is not base64.") % {"image": label}) from None
    if len(raw) > MAX_IMAGE_BYTES:
        raise InvalidInput(_("Invalid %(image)s: Discord takes images of 10 MiB at most.") % {"image": label})
    if not raw.startswith(_SIGNATURES[content_type]) or (
        content_type == "image/webp" and raw[8:12] != b"WEBP"
    ):
        raise InvalidInput(
            _("Invalid %(image)s: the file is not a PNG, JPEG, GIF or WebP image.") % {"image": label}
        )
    return f"data:{content_type};base64,{base64.b64encode(raw).decode()}"


def bot_profile_update(
    *,
    username: str | None = None,
    avatar: str | None = None,
    banner: str | None = None,
    port: DiscordPort | None = None,
) -> BotProfile:
    """Change the bot's username, avatar and/or banner on Discord, all or nothing.

    Images are ``data:`` URIs or bare base64. 400 (``InvalidInput``) when nothing is given or any
    field breaks Discord's rules, before Discord is called; 429 (``RateLimited``) when Discord
    refuses a third username change within the hour; 502/503 when Discord fails or cannot be reached.
    """
    fields: dict[str, str] = {}
    if username is not None:
        fields["username"] = clean_username(username)
    if avatar is not None:
        fields["avatar"] = image_data_uri(avatar, label=_("avatar"))
    if banner is not None:
        fields["banner"] = image_data_uri(banner, label=_("banner"))
    if not fields:
        raise InvalidInput(_("No changes specified"))
    try:
        user = port_or_default(port).edit_current_user(**fields)
    except DiscordError as error:
        raise _refused(error) from error
    log.info("Bot profile changed on Discord: %s", ", ".join(sorted(fields)))
    return BotProfile.of(user)


def _refused(error: DiscordError) -> Exception:
    """A Discord refusal as an error a person understands."""
    if error.code == INVALID_FORM_BODY:
        if "USERNAME_RATE_LIMIT" in error.field_error_codes("username"):
            return RateLimited(
                _("Discord allows 2 username changes per hour: try again later. Nothing was changed.")
            )
        for name, entry in error.errors.items():
            messages = (
                [e.get("message", "") for e in entry.get("_errors", [])] if isinstance(entry, dict) else []
            )
            if messages:
                return InvalidInput(
                    _("Discord refused the %(field)s: %(message)s. Nothing was changed.")
                    % {"field": name, "message": messages[0].rstrip(".")}
                )
    return _unavailable(error)
