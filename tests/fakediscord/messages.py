"""Messages: Discord's validation rules, creation (with nonce dedupe), edits, deletes, reactions."""

from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from . import permissions as P
from .models import Channel, Message
from .state import (
    DIRECT_MESSAGE_REACTIONS,
    DIRECT_MESSAGES,
    GUILD_MESSAGE_REACTIONS,
    GUILD_MESSAGES,
    Blob,
    State,
)
from .util import EMPTY_MESSAGE, UNKNOWN_EMOJI, DiscordError, error, form_error, sid, too_long

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
MAX_UPLOAD = 10 * 1024 * 1024
# A bot's upload limit per file by the guild's boost level (Discord: 10 MiB, 50 MiB at tier 2,
# 100 MiB at tier 3); users (Nitro) may send up to 500 MiB.
TIER_UPLOAD = {0: MAX_UPLOAD, 1: MAX_UPLOAD, 2: 50 * 1024 * 1024, 3: 100 * 1024 * 1024}
USER_UPLOAD = 500 * 1024 * 1024
NONCE_WINDOW = 300.0
ATTACHMENT_TTL = 24 * 3600.0
EPHEMERAL = 1 << 6
LOADING = 1 << 7

_USER_MENTION = re.compile(r"<@!?(\d{15,21})>")
_ROLE_MENTION = re.compile(r"<@&(\d{15,21})>")


@dataclass
class Upload:
    """A file sent in a multipart request (``files[n]``) or through the Python API."""

    index: int
    filename: str
    data: bytes
    content_type: str | None = None


def upload_limit(state: State, channel: Channel, author_id: int) -> int:
    """The largest file ``author_id`` may upload in ``channel`` (bytes)."""
    if author_id != state.bot_id:
        return USER_UPLOAD
    if channel.guild_id is None or channel.guild_id not in state.guilds:
        return MAX_UPLOAD
    return TIER_UPLOAD.get(state.guilds[channel.guild_id].premium_tier, MAX_UPLOAD)


def validate_body(
    body: dict[str, Any], uploads: list[Upload], *, editing: bool = False, limit: int = MAX_UPLOAD
) -> None:
    """Apply Discord's limits to a message body: 2000 characters, embed limits, components, nonce,
    and the upload limit per file (``limit``)."""
    content = body.get("content")
    if content is not None and len(str(content)) > MAX_CONTENT:
        raise too_long("content", MAX_CONTENT)
    embeds = embeds_of(body)
    if embeds is not None:
        validate_embeds(embeds)
    components = body.get("components")
    if components:
        if len(components) > 5:
            raise too_long("components", 5)
        for i, row in enumerate(components):
            children = row.get("components", []) if isinstance(row, dict) else []
            if len(children) > 5:
                raise too_long(f"components.{i}.components", 5)
            for j, child in enumerate(children):
                if len(str(child.get("custom_id", ""))) > 100:
                    raise too_long(f"components.{i}.components.{j}.custom_id", 100)
    nonce = body.get("nonce")
    if isinstance(nonce, str) and len(nonce) > 25:
        raise too_long("nonce", 25)
    for upload in uploads:
        if len(upload.data) > limit:
            raise DiscordError(413, 40005, "Request entity too large")
    if not editing and not (
        content or embeds or uploads or components or body.get("sticker_ids") or body.get("poll")
    ):
        raise error(EMPTY_MESSAGE)


def embeds_of(body: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The embeds of a body (``embeds``, or the legacy single ``embed``); None when absent."""
    if "embeds" in body:
        return list(body["embeds"] or [])
    if body.get("embed"):
        return [body["embed"]]
    return None


def validate_embeds(embeds: list[dict[str, Any]]) -> None:
    """Embed limits: 10 embeds, title 256, description 4096, 25 fields, 6000 characters in all."""
    if len(embeds) > MAX_EMBEDS:
        raise too_long("embeds", MAX_EMBEDS)
    total = 0
    for i, embed in enumerate(embeds):
        limits = {"title": 256, "description": 4096}
        for key, limit in limits.items():
            text = str(embed.get(key) or "")
            if len(text) > limit:
                raise too_long(f"embeds.{i}.{key}", limit)
            total += len(text)
        for key, limit in (("footer", 2048), ("author", 256)):
            part = embed.get(key) or {}
            text = str(part.get("text" if key == "footer" else "name") or "")
            if len(text) > limit:
                raise too_long(f"embeds.{i}.{key}.{'text' if key == 'footer' else 'name'}", limit)
            total += len(text)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise too_long(f"embeds.{i}.fields", 25)
        for j, fld in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                text = str(fld.get(key) or "")
                if not text:
                    raise form_error(
                        {f"embeds.{i}.fields.{j}.{key}": ("BASE_TYPE_REQUIRED", "This field is required")}
                    )
                if len(text) > limit:
                    raise too_long(f"embeds.{i}.fields.{j}.{key}", limit)
                total += len(text)
    if total > MAX_EMBED_TOTAL:
        raise form_error({"embeds": ("MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")})


def normalise_embed(embed: dict[str, Any]) -> dict[str, Any]:
    """An embed as Discord stores it (``type`` defaults to ``rich``)."""
    data = dict(embed)
    data.setdefault("type", "rich")
    return data


def store_uploads(
    state: State, channel_id: int, uploads: list[Upload], meta: list[dict[str, Any]]
) -> list[dict]:
    """Keep the uploaded bytes and return attachment objects whose URLs this server serves."""
    by_index = {str(m.get("id")): m for m in meta if isinstance(m, dict)}
    attachments = []
    now = state.now()
    for upload in uploads:
        att_id = state.ids.next()
        info = by_index.get(str(upload.index), {})
        filename = str(info.get("filename") or upload.filename)
        ctype = upload.content_type
        if not ctype or ctype == "application/octet-stream":
            ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        expires = now + ATTACHMENT_TTL
        state.blobs[att_id] = Blob(upload.data, ctype, filename, expires, channel_id)
        # Signed-looking query like Discord's CDN, so code that strips or stores URLs sees the real shape.
        sig = hashlib.sha256(f"{att_id}:{int(expires)}".encode()).hexdigest()
        query = f"?ex={int(expires):x}&is={int(now):x}&hm={sig}&"
        path = f"/attachments/{channel_id}/{att_id}/{quote(filename)}"
        attachment = {
            "id": sid(att_id),
            "filename": filename,
            "size": len(upload.data),
            "url": f"{state.cdn_base}{path}{query}",
            "proxy_url": f"{state.cdn_base}/media{path}{query}",
            "content_type": ctype,
        }
        if info.get("description"):
            attachment["description"] = info["description"]
        attachments.append(attachment)
    return attachments


def _mentions(
    state: State, channel: Channel, content: str, allowed: dict[str, Any] | None, author_id: int
) -> tuple[list[int], list[int], bool]:
    parse = None if allowed is None else set(allowed.get("parse") or [])
    users = [int(u) for u in _USER_MENTION.findall(content) if int(u) in state.users]
    if parse is not None and "users" not in parse:
        explicit = {int(u) for u in allowed.get("users") or []} if allowed else set()
        users = [u for u in users if u in explicit]
    roles: list[int] = []
    everyone = False
    if channel.guild_id is not None:
        guild = state.guilds[channel.guild_id]
        roles = [int(r) for r in _ROLE_MENTION.findall(content) if int(r) in guild.roles]
        if parse is not None and "roles" not in parse:
            explicit = {int(r) for r in allowed.get("roles") or []} if allowed else set()
            roles = [r for r in roles if r in explicit]
        wants_everyone = "@everyone" in content or "@here" in content
        if wants_everyone and (parse is None or "everyone" in parse):
            everyone = P.has(state.permissions(channel, author_id), P.MENTION_EVERYONE)
    return list(dict.fromkeys(users)), list(dict.fromkeys(roles)), everyone


def dispatch_message(state: State, event: str, msg: Message) -> None:
    """MESSAGE_CREATE/UPDATE to the sessions that may see it; content is hidden without the intent."""
    intent = GUILD_MESSAGES if msg.guild_id else DIRECT_MESSAGES
    exempt = msg.guild_id is None or msg.author_id == state.bot_id or state.bot_id in msg.mentions
    state.emit(event, state.message_payload(msg, gateway=True), intent, exempt)


def find_by_nonce(state: State, channel_id: int, author_id: int, nonce: Any) -> Message | None:
    """The message the same author sent with the same nonce in the last few minutes, if any."""
    hit = state.nonces.get((channel_id, author_id, str(nonce)))
    if hit is None or state.now() - hit[1] > NONCE_WINDOW:
        return None
    return state.messages.get(hit[0])


def create_message(
    state: State,
    channel: Channel,
    author_id: int,
    body: dict[str, Any],
    uploads: list[Upload] | None = None,
    **extra: Any,
) -> tuple[Message, bool]:
    """Validate, store and dispatch a message; returns ``(message, created)``.

    With ``nonce`` and ``enforce_nonce: true``, a repeat within a few minutes returns the first
    message instead of making a second one (what exactly-once relays rely on).
    """
    uploads = uploads or []
    validate_body(body, uploads, limit=upload_limit(state, channel, author_id))
    nonce = body.get("nonce")
    if nonce is not None and body.get("enforce_nonce"):
        existing = find_by_nonce(state, channel.id, author_id, nonce)
        if existing is not None:
            return existing, False
    content = str(body.get("content") or "")
    users, roles, everyone = _mentions(state, channel, content, body.get("allowed_mentions"), author_id)
    reference = body.get("message_reference")
    msg_type = extra.pop("type", 0)
    if reference:
        reference = _resolve_reference(state, channel, reference)
        if reference is not None and msg_type == 0:
            msg_type = 19
            replied = state.messages.get(int(reference["message_id"]))
            allowed = body.get("allowed_mentions") or {}
            if replied is not None and allowed.get("replied_user", True) and replied.author_id not in users:
                users.append(replied.author_id)
    msg = Message(
        id=state.ids.next(),
        channel_id=channel.id,
        guild_id=channel.guild_id,
        author_id=author_id,
        content=content,
        embeds=[normalise_embed(e) for e in embeds_of(body) or []],
        components=list(body.get("components") or []),
        attachments=store_uploads(state, channel.id, uploads, list(body.get("attachments") or [])),
        mentions=users,
        mention_roles=roles,
        mention_everyone=everyone,
        tts=bool(body.get("tts")),
        type=msg_type,
        flags=int(body.get("flags") or 0),
        nonce=nonce,
        message_reference=reference,
        **extra,
    )
    state.store_message(msg)
    if nonce is not None:
        state.nonces[(channel.id, author_id, str(nonce))] = (msg.id, state.now())
    if not msg.flags & EPHEMERAL:
        dispatch_message(state, "MESSAGE_CREATE", msg)
    return msg, True


def _resolve_reference(state: State, channel: Channel, ref: dict[str, Any]) -> dict[str, Any] | None:
    message_id = ref.get("message_id")
    target = state.messages.get(int(message_id)) if message_id else None
    if target is None:
        if ref.get("fail_if_not_exists", True):
            raise form_error({"message_reference": ("MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message")})
        return None
    return {
        "type": int(ref.get("type", 0)),
        "message_id": sid(target.id),
        "channel_id": sid(target.channel_id),
        "guild_id": sid(target.guild_id),
    }


def edit_message(
    state: State, msg: Message, body: dict[str, Any], uploads: list[Upload] | None = None
) -> Message:
    """Apply an edit (content, embeds, components, flags, kept attachments, new files)."""
    uploads = uploads or []
    channel = state.channel(msg.channel_id)
    validate_body(body, uploads, editing=True, limit=upload_limit(state, channel, msg.author_id))
    if "content" in body:
        msg.content = str(body["content"] or "")
        users, roles, everyone = _mentions(
            state, channel, msg.content, body.get("allowed_mentions"), msg.author_id
        )
        msg.mentions, msg.mention_roles, msg.mention_everyone = users, roles, everyone
    embeds = embeds_of(body)
    if embeds is not None:
        msg.embeds = [normalise_embed(e) for e in embeds]
    if "components" in body:
        msg.components = list(body["components"] or [])
    if body.get("flags") is not None:
        msg.flags = int(body["flags"]) | (msg.flags & EPHEMERAL)
    if "attachments" in body or uploads:
        keep_ids = {str(a.get("id")) for a in body.get("attachments") or [] if isinstance(a, dict)}
        kept = (
            [a for a in msg.attachments if a["id"] in keep_ids] if "attachments" in body else msg.attachments
        )
        meta = list(body.get("attachments") or [])
        msg.attachments = kept + store_uploads(state, channel.id, uploads, meta)
    msg.edited_timestamp = state.now()
    if not msg.flags & EPHEMERAL:
        dispatch_message(state, "MESSAGE_UPDATE", msg)
    else:
        state.notify()
    return msg


def delete_message(state: State, msg: Message) -> None:
    """Remove a message and dispatch MESSAGE_DELETE."""
    state.remove_message(msg)
    data: dict[str, Any] = {"id": sid(msg.id), "channel_id": sid(msg.channel_id)}
    if msg.guild_id:
        data["guild_id"] = sid(msg.guild_id)
    state.emit("MESSAGE_DELETE", data, GUILD_MESSAGES if msg.guild_id else DIRECT_MESSAGES)


def parse_emoji(raw: str) -> tuple[str, dict[str, Any]]:
    """``👍`` or ``name:id`` (or ``a:name:id``) as in the reactions route → (key, emoji object)."""
    parts = raw.split(":")
    if len(parts) == 1:
        if not raw or raw.isascii():
            raise error(UNKNOWN_EMOJI)
        return raw, {"id": None, "name": raw}
    animated = parts[0] == "a" and len(parts) == 3
    name, emoji_id = parts[-2], parts[-1]
    if not emoji_id.isdigit():
        raise error(UNKNOWN_EMOJI)
    emoji: dict[str, Any] = {"id": emoji_id, "name": name}
    if animated:
        emoji["animated"] = True
    return f"{name}:{emoji_id}", emoji


def react(state: State, msg: Message, user_id: int, raw_emoji: str, *, add: bool) -> None:
    """Add or remove one user's reaction and dispatch MESSAGE_REACTION_ADD/REMOVE."""
    key, emoji = parse_emoji(raw_emoji)
    reaction = msg.reactions.get(key)
    if add:
        if reaction is None:
            reaction = msg.reactions[key] = {"emoji": emoji, "users": []}
        if user_id in reaction["users"]:
            return
        reaction["users"].append(user_id)
    else:
        if reaction is None or user_id not in reaction["users"]:
            return
        reaction["users"].remove(user_id)
        if not reaction["users"]:
            del msg.reactions[key]
    data: dict[str, Any] = {
        "user_id": sid(user_id),
        "channel_id": sid(msg.channel_id),
        "message_id": sid(msg.id),
        "emoji": emoji,
        "burst": False,
        "type": 0,
    }
    if msg.guild_id:
        data["guild_id"] = sid(msg.guild_id)
        if add and user_id in state.guilds[msg.guild_id].members:
            data["member"] = state.member_payload(state.guilds[msg.guild_id].members[user_id])
    intent = GUILD_MESSAGE_REACTIONS if msg.guild_id else DIRECT_MESSAGE_REACTIONS
    state.emit("MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE", data, intent)
