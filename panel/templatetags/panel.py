"""Template helpers of the panel pages: ``{% load panel %}``.

- ``access|can:"ManageTickets"``: the caller holds that panel permission (False for visitors);
- ``{% avatar discord_id name avatar_hash size %}``: a round avatar (Discord's picture over the
  initials, which stay when the picture cannot load);
- ``seconds|duration``: ``"2 h 5 min"``, ``"45 s"``;
- ``{% nav_current request "/panel/tickets" %}``: ``aria-current="page"`` on the current section's link.
"""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def can(access: Any, permission: str) -> bool:
    """Whether ``access`` (a ``PanelAccess`` or None) holds ``permission``."""
    return bool(access is not None and access.has(permission))


def _initials(name: str) -> str:
    words = [w for w in str(name or "?").replace("_", " ").replace(".", " ").split() if w]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[1][0]).upper()


@register.simple_tag
def avatar(discord_id: Any, name: str = "", avatar_hash: str | None = None, size: int = 28) -> str:
    """A round avatar of ``size`` pixels: initials on a colour drawn from the ID, the Discord picture
    on top when the user has one."""
    seed = zlib.crc32(str(discord_id or name).encode())
    hue = seed % 360
    image = ""
    if avatar_hash and discord_id:
        image = format_html(
            '<img src="https://cdn.discordapp.com/avatars/{}/{}.png?size={}" alt="" loading="lazy"'
            ' width="{}" height="{}">',
            discord_id,
            avatar_hash,
            64 if size <= 32 else 128,
            size,
            size,
        )
    return format_html(
        '<span class="avatar" style="--avatar-hue:{};--avatar-size:{}px" aria-hidden="true">{}{}</span>',
        hue,
        int(size),
        _initials(name),
        image,
    )


@register.filter
def duration(value: Any) -> str:
    """Seconds (or a ``timedelta``) as a short human duration; ``—`` for None."""
    if value is None or value == "":
        return "—"
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else float(value))
    if seconds < 60:
        return _("%(s)d s") % {"s": seconds}
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return (
            _("%(m)d min %(s)d s") % {"m": minutes, "s": seconds}
            if seconds
            else _("%(m)d min") % {"m": minutes}
        )
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


@register.simple_tag
def nav_current(request: Any, prefix: str, exact: bool = False) -> str:
    """``aria-current="page"`` when the request's path is ``prefix`` (or under it unless ``exact``)."""
    path = getattr(request, "path", "")
    hit = path == prefix or (not exact and path.startswith(prefix.rstrip("/") + "/"))
    return mark_safe('aria-current="page"') if hit else ""


@register.simple_tag
def nav_section(request: Any, *prefixes: str) -> str:
    """``class="current"`` on a menu whose pages include the request's path (under one of ``prefixes``)."""
    path = getattr(request, "path", "")
    hit = any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in prefixes)
    return mark_safe('class="current"') if hit else ""
