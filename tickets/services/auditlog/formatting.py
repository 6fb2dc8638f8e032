"""How an audit log entry reads in the logs channel: one embed per entry, per kind of action.

Each kind has an emoji, a colour, a title and a way to name its target; the entry's changes become
fields ("old → new"), its reason a field, its ID the footer, and who did it the author. Kinds
Discord adds later come out as "Unknown action (N)". Pure functions of the entry as Discord sends it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from tickets.discord import DiscordUser

DANGER = 0xED4245
SUCCESS = 0x57F287
WARNING = 0xFEE75C
INFO = 0x5865F2
NEUTRAL = 0x99AAB5

DISCORD_EPOCH_MS = 1420070400000
TITLE_LIMIT = 256
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
DESCRIPTION_LIMIT = 4096
FIELDS_LIMIT = 25
EMBED_LIMIT = 6000


@dataclass(frozen=True)
class Kind:
    """How one action type is shown. ``target``: how the target ID is named (``user``,
    ``channel``, ``role``, ``id``, or ``""`` for no target line)."""

    emoji: str
    color: int
    title: Any
    target: str = "id"


# Titles and labels are translated when an entry is formatted.
KINDS: dict[int, Kind] = {
    1: Kind("⚙️", WARNING, gettext_lazy("Server updated"), ""),
    10: Kind("📁", SUCCESS, gettext_lazy("Channel created"), "channel"),
    11: Kind("✏️", WARNING, gettext_lazy("Channel updated"), "channel"),
    12: Kind("🗑️", DANGER, gettext_lazy("Channel deleted"), "id"),
    13: Kind("🔐", SUCCESS, gettext_lazy("Channel permissions created"), "channel"),
    14: Kind("🔑", WARNING, gettext_lazy("Channel permissions updated"), "channel"),
    15: Kind("🔓", DANGER, gettext_lazy("Channel permissions deleted"), "channel"),
    20: Kind("👢", DANGER, gettext_lazy("Member kicked"), "user"),
    21: Kind("🧹", DANGER, gettext_lazy("Members pruned"), ""),
    22: Kind("🔨", DANGER, gettext_lazy("Member banned"), "user"),
    23: Kind("🔓", SUCCESS, gettext_lazy("Member unbanned"), "user"),
    24: Kind("✏️", WARNING, gettext_lazy("Member updated"), "user"),
    25: Kind("🎭", WARNING, gettext_lazy("Member roles updated"), "user"),
    26: Kind("↔️", INFO, gettext_lazy("Member moved"), ""),
    27: Kind("📵", INFO, gettext_lazy("Member disconnected"), ""),
    28: Kind("🤖", SUCCESS, gettext_lazy("Bot added"), "user"),
    30: Kind("🏷️", SUCCESS, gettext_lazy("Role created"), "role"),
    31: Kind("✏️", WARNING, gettext_lazy("Role updated"), "role"),
    32: Kind("🗑️", DANGER, gettext_lazy("Role deleted"), "id"),
    40: Kind("📨", SUCCESS, gettext_lazy("Invite created"), ""),
    41: Kind("✏️", WARNING, gettext_lazy("Invite updated"), ""),
    42: Kind("🗑️", DANGER, gettext_lazy("Invite deleted"), ""),
    50: Kind("🪝", SUCCESS, gettext_lazy("Webhook created"), "id"),
    51: Kind("✏️", WARNING, gettext_lazy("Webhook updated"), "id"),
    52: Kind("🗑️", DANGER, gettext_lazy("Webhook deleted"), "id"),
    60: Kind("😀", SUCCESS, gettext_lazy("Emoji created"), "id"),
    61: Kind("✏️", WARNING, gettext_lazy("Emoji updated"), "id"),
    62: Kind("🗑️", DANGER, gettext_lazy("Emoji deleted"), "id"),
    72: Kind("🗑️", DANGER, gettext_lazy("Message deleted"), "user"),
    73: Kind("🗑️", DANGER, gettext_lazy("Messages bulk deleted"), ""),
    74: Kind("📌", INFO, gettext_lazy("Message pinned"), "user"),
    75: Kind("📍", INFO, gettext_lazy("Message unpinned"), "user"),
    80: Kind("🔗", SUCCESS, gettext_lazy("Integration added"), "id"),
    81: Kind("✏️", WARNING, gettext_lazy("Integration updated"), "id"),
    82: Kind("🗑️", DANGER, gettext_lazy("Integration removed"), "id"),
    83: Kind("🎭", SUCCESS, gettext_lazy("Stage started"), "id"),
    84: Kind("✏️", WARNING, gettext_lazy("Stage updated"), "id"),
    85: Kind("🗑️", DANGER, gettext_lazy("Stage ended"), "id"),
    90: Kind("🩹", SUCCESS, gettext_lazy("Sticker created"), "id"),
    91: Kind("✏️", WARNING, gettext_lazy("Sticker updated"), "id"),
    92: Kind("🗑️", DANGER, gettext_lazy("Sticker deleted"), "id"),
    100: Kind("📅", SUCCESS, gettext_lazy("Event created"), "id"),
    101: Kind("✏️", WARNING, gettext_lazy("Event updated"), "id"),
    102: Kind("🗑️", DANGER, gettext_lazy("Event cancelled"), "id"),
    110: Kind("🧵", SUCCESS, gettext_lazy("Thread created"), "channel"),
    111: Kind("✏️", WARNING, gettext_lazy("Thread updated"), "channel"),
    112: Kind("🗑️", DANGER, gettext_lazy("Thread deleted"), "id"),
    140: Kind("🛡️", SUCCESS, gettext_lazy("AutoMod rule created"), "id"),
    141: Kind("✏️", WARNING, gettext_lazy("AutoMod rule updated"), "id"),
    142: Kind("🗑️", DANGER, gettext_lazy("AutoMod rule deleted"), "id"),
    143: Kind("🚫", DANGER, gettext_lazy("AutoMod blocked a message"), "user"),
    144: Kind("🚩", WARNING, gettext_lazy("AutoMod flagged a message"), "user"),
    145: Kind("🔇", INFO, gettext_lazy("AutoMod timed a member out"), "user"),
    150: Kind("💰", SUCCESS, gettext_lazy("Monetization request created"), ""),
    151: Kind("✅", SUCCESS, gettext_lazy("Monetization terms accepted"), ""),
    192: Kind("🔊", WARNING, gettext_lazy("Voice channel status updated"), "channel"),
    193: Kind("🔇", DANGER, gettext_lazy("Voice channel status removed"), "channel"),
}

# Change keys: (label, how values are shown).
CHANGES: dict[str, tuple[Any, str]] = {
    "afk_channel_id": (gettext_lazy("AFK channel"), "channel"),
    "afk_timeout": (gettext_lazy("AFK timeout"), "seconds"),
    "allow": (gettext_lazy("Allowed permissions"), "code"),
    "application_id": (gettext_lazy("Application"), "new"),
    "archived": (gettext_lazy("Archived"), "bool"),
    "asset": (gettext_lazy("Asset"), "new"),
    "auto_archive_duration": (gettext_lazy("Auto-archive after (minutes)"), "plain"),
    "available": (gettext_lazy("Available"), "bool"),
    "avatar_hash": (gettext_lazy("Avatar"), "code"),
    "banner_hash": (gettext_lazy("Banner"), "code"),
    "bitrate": (gettext_lazy("Bitrate"), "kbps"),
    "channel_id": (gettext_lazy("Channel"), "channel"),
    "code": (gettext_lazy("Invite code"), "code"),
    "color": (gettext_lazy("Colour"), "color"),
    "communication_disabled_until": (gettext_lazy("Timed out until"), "time"),
    "deaf": (gettext_lazy("Deafened"), "bool"),
    "default_auto_archive_duration": (gettext_lazy("Default auto-archive (minutes)"), "plain"),
    "default_message_notifications": (gettext_lazy("Default notifications"), "plain"),
    "deny": (gettext_lazy("Denied permissions"), "code"),
    "description": (gettext_lazy("Description"), "plain"),
    "discovery_splash_hash": (gettext_lazy("Discovery splash"), "code"),
    "enable_emoticons": (gettext_lazy("Emoticons"), "bool"),
    "entity_type": (gettext_lazy("Event type"), "plain"),
    "expire_behavior": (gettext_lazy("Expire behaviour"), "plain"),
    "expire_grace_period": (gettext_lazy("Expire grace period"), "plain"),
    "explicit_content_filter": (gettext_lazy("Explicit content filter"), "plain"),
    "format_type": (gettext_lazy("Format"), "plain"),
    "guild_id": (gettext_lazy("Server"), "plain"),
    "hoist": (gettext_lazy("Shown separately"), "bool"),
    "icon_hash": (gettext_lazy("Icon"), "code"),
    "id": (gettext_lazy("ID"), "new"),
    "image_hash": (gettext_lazy("Image"), "code"),
    "invitable": (gettext_lazy("Invitable"), "bool"),
    "inviter_id": (gettext_lazy("Inviter"), "user"),
    "location": (gettext_lazy("Location"), "plain"),
    "locked": (gettext_lazy("Locked"), "bool"),
    "max_age": (gettext_lazy("Max age (seconds)"), "plain"),
    "max_uses": (gettext_lazy("Max uses"), "plain"),
    "mentionable": (gettext_lazy("Mentionable"), "bool"),
    "mfa_level": (gettext_lazy("2FA requirement"), "plain"),
    "mute": (gettext_lazy("Muted"), "bool"),
    "name": (gettext_lazy("Name"), "plain"),
    "nick": (gettext_lazy("Nickname"), "code"),
    "nsfw": (gettext_lazy("Age-restricted"), "bool"),
    "owner_id": (gettext_lazy("Owner"), "user"),
    "permission_overwrites": (gettext_lazy("Permission overwrites"), "modified"),
    "permissions": (gettext_lazy("Permissions"), "code"),
    "position": (gettext_lazy("Position"), "plain"),
    "preferred_locale": (gettext_lazy("Preferred language"), "plain"),
    "privacy_level": (gettext_lazy("Privacy level"), "plain"),
    "prune_delete_days": (gettext_lazy("Prune after (days)"), "plain"),
    "public_updates_channel_id": (gettext_lazy("Community updates channel"), "channel"),
    "rate_limit_per_user": (gettext_lazy("Slowmode"), "slowmode"),
    "region": (gettext_lazy("Region"), "plain"),
    "$add": (gettext_lazy("Roles added"), "roles"),
    "$remove": (gettext_lazy("Roles removed"), "roles"),
    "rules_channel_id": (gettext_lazy("Rules channel"), "channel"),
    "splash_hash": (gettext_lazy("Invite splash"), "code"),
    "status": (gettext_lazy("Status"), "plain"),
    "system_channel_flags": (gettext_lazy("System channel flags"), "plain"),
    "system_channel_id": (gettext_lazy("System channel"), "channel"),
    "tags": (gettext_lazy("Tags"), "code"),
    "temporary": (gettext_lazy("Temporary membership"), "bool"),
    "topic": (gettext_lazy("Topic"), "plain"),
    "type": (gettext_lazy("Type"), "plain"),
    "unicode_emoji": (gettext_lazy("Emoji"), "plain"),
    "user_limit": (gettext_lazy("User limit"), "plain"),
    "uses": (gettext_lazy("Uses"), "plain"),
    "vanity_url_code": (gettext_lazy("Vanity URL"), "code"),
    "verification_level": (gettext_lazy("Verification level"), "plain"),
    "widget_channel_id": (gettext_lazy("Widget channel"), "channel"),
    "widget_enabled": (gettext_lazy("Widget enabled"), "bool"),
}


def _none() -> str:
    return "—"


def _shown(value: Any, style: str) -> str:
    """One value as the change field shows it (as sent when it is not of the expected type)."""
    if value is None or value == "":
        return _none()
    try:
        return _styled(value, style)
    except (TypeError, ValueError):
        return str(value)


def _styled(value: Any, style: str) -> str:
    if style == "channel":
        return f"<#{value}>"
    if style == "user":
        return f"<@{value}>"
    if style == "bool":
        return "✅" if value else "❌"
    if style == "code":
        return f"`{value}`"
    if style == "color":
        return f"#{int(value):06X}"
    if style == "kbps":
        return f"{int(value) // 1000} kbps"
    if style == "seconds":
        return f"{value} s"
    if style == "slowmode":
        return _("off") if not value else f"{value} s"
    if style == "time":
        try:
            stamp = int(datetime.fromisoformat(str(value)).timestamp())
        except ValueError:
            return str(value)
        return f"<t:{stamp}:R>"
    if isinstance(value, (list, dict)):
        return f"`{_compact(value)}`"
    return str(value)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def change_field(change: dict[str, Any]) -> dict[str, Any] | None:
    """The embed field of one change, or None when it says nothing worth showing."""
    key = str(change.get("key", ""))
    old, new = change.get("old_value"), change.get("new_value")
    label, style = CHANGES.get(key, (key, "plain"))
    name = str(label)
    if style == "roles":
        roles = [f"<@&{r.get('id')}>" for r in new or [] if isinstance(r, dict)]
        return {"name": name, "value": ", ".join(roles) or _none(), "inline": False} if roles else None
    if style == "modified":
        return {"name": name, "value": _("modified"), "inline": True}
    if style == "new":
        return {"name": name, "value": _shown(new if new is not None else old, "plain"), "inline": True}
    return {"name": name, "value": f"{_shown(old, style)} → {_shown(new, style)}", "inline": True}


def _target(kind: Kind, target_id: Any) -> str:
    if target_id is None:
        return _none()
    if kind.target == "user":
        return f"<@{target_id}> (`{target_id}`)"
    if kind.target == "channel":
        return f"<#{target_id}> (`{target_id}`)"
    if kind.target == "role":
        return f"<@&{target_id}> (`{target_id}`)"
    return f"`{target_id}`"


def _description(action: int, kind: Kind | None, entry: dict[str, Any]) -> str:
    """The target line, plus what the entry's options say for its kind."""
    options = entry.get("options") or {}
    count = options.get("count")
    channel = options.get("channel_id")
    lines: list[str] = []
    if kind is not None and kind.target:
        lines.append(_("**Target:** %(target)s") % {"target": _target(kind, entry.get("target_id"))})
    if action == 26 and channel:
        lines.append(
            ngettext(
                "%(count)s member moved to %(channel)s",
                "%(count)s members moved to %(channel)s",
                int(count or 1),
            )
            % {"count": count or 1, "channel": f"<#{channel}>"}
        )
    elif action == 27 and count:
        lines.append(
            ngettext("%(count)s member disconnected", "%(count)s members disconnected", int(count))
            % {"count": count}
        )
    elif action == 21 and options.get("members_removed"):
        removed = options["members_removed"]
        lines.append(
            ngettext("%(count)s member pruned", "%(count)s members pruned", int(removed)) % {"count": removed}
        )
    elif action == 22 and int(options.get("delete_member_days") or 0) > 0:
        days = options["delete_member_days"]
        lines.append(
            ngettext(
                "Their messages of the last %(days)s day were deleted",
                "Their messages of the last %(days)s days were deleted",
                int(days),
            )
            % {"days": days}
        )
    elif action == 73 and count:
        lines.append(
            ngettext("%(count)s message deleted", "%(count)s messages deleted", int(count)) % {"count": count}
        )
    if action in (72, 73, 74, 75, 143, 144) and channel:
        lines.append(_("**Channel:** %(channel)s") % {"channel": f"<#{channel}>"})
    elif action == 73 and entry.get("target_id"):
        lines.append(_("**Channel:** %(channel)s") % {"channel": f"<#{entry['target_id']}>"})
    return "\n".join(lines)


def _avatar_url(user: DiscordUser | None, user_id: int) -> str:
    if user is not None and user.avatar:
        return f"https://cdn.discordapp.com/avatars/{user_id}/{user.avatar}.png"
    return f"https://cdn.discordapp.com/embed/avatars/{(user_id >> 22) % 6}.png"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def entry_time(entry_id: int) -> datetime:
    """When an entry was made, from its snowflake."""
    return datetime.fromtimestamp(((entry_id >> 22) + DISCORD_EPOCH_MS) / 1000, tz=UTC)


def entry_embed(entry: dict[str, Any], users: dict[int, DiscordUser]) -> dict[str, Any]:
    """The embed of one audit log entry (within Discord's per-embed limits)."""
    action = int(entry.get("action_type") or 0)
    kind = KINDS.get(action)
    if kind is None:
        title = "❓ " + _("Unknown action (%(code)s)") % {"code": action}
        color = NEUTRAL
    else:
        title = f"{kind.emoji} {kind.title}"
        color = kind.color
    embed: dict[str, Any] = {
        "title": _clip(title, TITLE_LIMIT),
        "color": color,
        "timestamp": entry_time(int(entry["id"])).isoformat(),
        "footer": {"text": f"ID: {entry['id']}"},
    }
    executor_id = entry.get("user_id")
    if executor_id:
        user = users.get(int(executor_id))
        name = user.display_name if user else str(executor_id)
        embed["author"] = {"name": _clip(name, 256), "icon_url": _avatar_url(user, int(executor_id))}
    description = _description(action, kind, entry)
    if description:
        embed["description"] = _clip(description, DESCRIPTION_LIMIT)
    fields = []
    if kind is not None:
        fields = [f for f in (change_field(c) for c in entry.get("changes") or []) if f is not None]
    reason = entry.get("reason")
    fields = fields[: FIELDS_LIMIT - (1 if reason else 0)]
    if reason:
        fields.append({"name": _("Reason"), "value": str(reason), "inline": False})
    if fields:
        embed["fields"] = [
            {
                "name": _clip(f["name"], FIELD_NAME_LIMIT),
                "value": _clip(f["value"], FIELD_VALUE_LIMIT),
                "inline": f["inline"],
            }
            for f in fields
        ]
    while embed_size(embed) > EMBED_LIMIT and embed.get("fields"):
        embed["fields"].pop(-2 if reason and len(embed["fields"]) > 1 else -1)
    return embed


def embed_size(embed: dict[str, Any]) -> int:
    """The characters Discord counts towards the 6000 of a message's embeds."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += len((embed.get("footer") or {}).get("text", "")) + len(
        (embed.get("author") or {}).get("name", "")
    )
    for f in embed.get("fields") or []:
        size += len(f["name"]) + len(f["value"])
    return size
