"""REST: ``PATCH /users/@me``, the bot's own profile (username, avatar, banner), with Discord's rules.

Discord applies the whole request or none of it. A username is 2 to 32 characters, without ``@``,
``#``, ``:``, `````` ``` `````` nor "discord", and not "everyone" or "here". Images are ``data:`` URIs
(PNG, JPEG, GIF or WebP, base64) of at most 10 MiB. Two username changes per hour: the third is
refused with 400 and 50035 ``USERNAME_RATE_LIMIT`` under ``username`` (not a 429: Discord says bots
must not retry it). A successful change dispatches USER_UPDATE to the bot's sessions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any

from .rest import Ctx
from .util import form_error

USERNAME_CHANGES_PER_HOUR = 2
RATE_LIMIT_MESSAGE = "You are changing your username or Discord Tag too fast. Try again later."
MAX_IMAGE_BYTES = 10 * 1024 * 1024
_DATA_URI = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,(.*)$", re.DOTALL)
_FORBIDDEN_PARTS = ("@", "#", ":", "```", "discord")


def _username_error(name: Any) -> tuple[str, str] | None:
    if not isinstance(name, str) or not 2 <= len(name) <= 32:
        return ("BASE_TYPE_BAD_LENGTH", "Must be between 2 and 32 in length.")
    lowered = name.lower()
    if any(part in lowered for part in _FORBIDDEN_PARTS) or lowered in ("everyone", "here"):
        return ("USERNAME_INVALID_CONTAINS", "Username cannot contain this word or character.")
    return None


def _image_hash(data: Any) -> tuple[str | None, tuple[str, str] | None]:
    """The new image's hash (``a_`` for a GIF, as Discord's animated ones), or the field error."""
    match = _DATA_URI.match(data) if isinstance(data, str) else None
    if match is None:
        return None, ("IMAGE_INVALID", "Invalid image data")
    try:
        raw = base64.b64decode(match.group(2), validate=True)
    except (binascii.Error, ValueError):
        return None, ("IMAGE_INVALID", "Invalid image data")
    if not raw:
        return None, ("IMAGE_INVALID", "Invalid image data")
    if len(raw) > MAX_IMAGE_BYTES:
        return None, ("BINARY_TYPE_MAX_SIZE", "File cannot be larger than 10240.0 kb.")
    digest = hashlib.md5(raw, usedforsecurity=False).hexdigest()
    return ("a_" + digest if match.group(1) == "gif" else digest), None


async def patch_me(ctx: Ctx) -> Any:
    """PATCH /users/@me {"username"?, "avatar"?, "banner"?}: all or nothing (see the module)."""
    state = ctx.state
    user = state.users[state.bot_id]
    body = ctx.json()
    errors: dict[str, tuple[str, str]] = {}
    changes: dict[str, Any] = {}
    if body.get("username") is not None and body["username"] != user.username:
        problem = _username_error(body["username"])
        recent = [t for t in state.username_changes if state.now() - t < 3600]
        if problem is None and len(recent) >= USERNAME_CHANGES_PER_HOUR:
            problem = ("USERNAME_RATE_LIMIT", RATE_LIMIT_MESSAGE)
        if problem:
            errors["username"] = problem
        changes["username"] = body["username"]
    for name in ("avatar", "banner"):
        if name in body:
            if body[name] is None:
                changes[name] = None
                continue
            digest, problem = _image_hash(body[name])
            if problem:
                errors[name] = problem
            changes[name] = digest
    if errors:
        raise form_error(errors)
    if "username" in changes:
        state.username_changes = [t for t in state.username_changes if state.now() - t < 3600] + [state.now()]
    for name, value in changes.items():
        setattr(user, name, value)
    state.emit("USER_UPDATE", user.payload())
    return user.payload()
