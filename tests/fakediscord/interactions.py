"""Interactions: what a user's click or slash command sends the bot, and what the bot answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import messages as M
from . import permissions as P
from .models import Interaction, Message
from .util import ALREADY_ACKNOWLEDGED, UNKNOWN_INTERACTION, error, form_error, new_token, sid

if TYPE_CHECKING:
    from .server import FakeDiscord

APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
PONG, CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 1, 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
USER, CHANNEL, ROLE, MENTIONABLE = 6, 7, 8, 9
ACK_TIMEOUT = 3.0
TOKEN_LIFETIME = 15 * 60.0


def _base(emu: FakeDiscord, kind: int, user_id: int, channel_id: int) -> Interaction:
    """The common interaction payload: who, where, with which permissions, and a token."""
    state = emu.state
    user = state.user(user_id)
    channel = state.channel(channel_id)
    guild = state.guilds.get(channel.guild_id) if channel.guild_id else None
    inter = Interaction(
        id=state.ids.next(),
        token=new_token(48),
        type=kind,
        user_id=user.id,
        channel_id=channel.id,
        guild_id=guild.id if guild else None,
        payload={},
    )
    payload: dict[str, Any] = {
        "id": sid(inter.id),
        "application_id": sid(emu.application_id),
        "type": kind,
        "token": inter.token,
        "version": 1,
        "channel_id": sid(channel.id),
        "channel": state.channel_payload(channel),
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": M.MAX_UPLOAD,
    }
    if guild is not None:
        member = guild.members.get(user.id)
        if member is None:
            raise ValueError(f"user {user.id} is not a member of guild {guild.id}")
        member_payload = state.member_payload(member)
        member_payload["permissions"] = str(state.permissions(channel, user.id))
        payload.update(
            guild_id=sid(guild.id),
            guild={"id": sid(guild.id), "locale": "en-US", "features": []},
            guild_locale="en-US",
            member=member_payload,
            app_permissions=str(state.permissions(channel, state.bot_id)),
            authorizing_integration_owners={"0": sid(guild.id)},
            context=0,
        )
    else:
        payload.update(
            user=user.payload(),
            app_permissions=str(P.ALL),
            authorizing_integration_owners={"0": sid(user.id)},
            context=1,
        )
    inter.payload = payload
    return inter


def _register(emu: FakeDiscord, inter: Interaction) -> dict[str, Any]:
    emu.state.interactions[inter.id] = inter
    emu.state.interactions_by_token[inter.token] = inter
    emu.state.emit("INTERACTION_CREATE", inter.payload)
    return inter.payload


def _convert(defs: list[dict[str, Any]], values: dict[str, Any], resolved: dict[str, dict]) -> list[dict]:
    by_name = {d["name"]: d for d in defs or []}
    result = []
    for name, value in values.items():
        if name not in by_name:
            raise ValueError(f"unknown option {name!r}; the command has {sorted(by_name)}")
        spec = by_name[name]
        kind = int(spec["type"])
        if kind in (1, 2):
            result.append(
                {
                    "name": name,
                    "type": kind,
                    "options": _convert(spec.get("options", []), value or {}, resolved),
                }
            )
            continue
        option = {
            "name": name,
            "type": kind,
            "value": sid(value) if kind in (USER, CHANNEL, ROLE, MENTIONABLE) else value,
        }
        result.append(option)
        if kind in (USER, CHANNEL, ROLE, MENTIONABLE):
            resolved.setdefault(str(kind), {})[str(value)] = True
    for spec in defs or []:
        if spec.get("required") and spec["name"] not in values and int(spec["type"]) not in (1, 2):
            raise ValueError(f"required option {spec['name']!r} missing")
    return result


def _resolved(emu: FakeDiscord, wanted: dict[str, dict], guild_id: int | None) -> dict[str, Any]:
    state = emu.state
    out: dict[str, dict[str, Any]] = {}
    guild = state.guilds.get(guild_id) if guild_id else None
    for kind, ids in wanted.items():
        for raw in ids:
            i = int(raw)
            if i in state.users and int(kind) in (USER, MENTIONABLE):
                out.setdefault("users", {})[raw] = state.users[i].payload()
                if guild and i in guild.members:
                    out.setdefault("members", {})[raw] = state.member_payload(
                        guild.members[i], with_user=False
                    )
            elif i in state.channels and int(kind) == CHANNEL:
                ch = state.channel_payload(state.channels[i])
                ch["permissions"] = str(state.permissions(state.channels[i], state.bot_id))
                out.setdefault("channels", {})[raw] = ch
            elif guild and i in guild.roles and int(kind) in (ROLE, MENTIONABLE):
                out.setdefault("roles", {})[raw] = guild.roles[i].payload()
    return out


def command(
    emu: FakeDiscord,
    name: str,
    user_id: int,
    channel_id: int,
    options: dict[str, Any] | None,
    guild_id: int | None,
) -> dict[str, Any]:
    """A user runs ``/name``: INTERACTION_CREATE type 2 with the registered command's ID."""
    channel = emu.state.channel(channel_id)
    guild_id = guild_id if guild_id is not None else channel.guild_id
    candidates = [
        c for c in emu.state.commands.values() if c.name == name and int(c.data.get("type", 1)) == 1
    ]
    cmd = next((c for c in candidates if c.guild_id == guild_id and guild_id), None)
    cmd = cmd or next((c for c in candidates if c.guild_id is None), None)
    if cmd is None:
        raise ValueError(f"no command /{name} registered for guild {guild_id} or globally")
    inter = _base(emu, APPLICATION_COMMAND, user_id, channel_id)
    wanted: dict[str, dict] = {}
    data: dict[str, Any] = {"id": sid(cmd.id), "name": name, "type": 1}
    if options:
        data["options"] = _convert(cmd.data.get("options", []), options, wanted)
    if wanted:
        data["resolved"] = _resolved(emu, wanted, guild_id)
    if cmd.guild_id is not None:
        data["guild_id"] = sid(cmd.guild_id)
    inter.payload["data"] = data
    return _register(emu, inter)


def context_command(
    emu: FakeDiscord, name: str, kind: int, user_id: int, channel_id: int, target_id: int
) -> dict[str, Any]:
    """A user picks Apps → ``name`` on a member (``kind`` 2, a user command) or on a message
    (``kind`` 3): INTERACTION_CREATE type 2 with ``target_id`` and the target resolved."""
    channel = emu.state.channel(channel_id)
    guild_id = channel.guild_id
    candidates = [
        c for c in emu.state.commands.values() if c.name == name and int(c.data.get("type", 1)) == kind
    ]
    cmd = next((c for c in candidates if c.guild_id == guild_id and guild_id), None)
    cmd = cmd or next((c for c in candidates if c.guild_id is None), None)
    if cmd is None:
        raise ValueError(f"no {'user' if kind == 2 else 'message'} command {name!r} registered")
    inter = _base(emu, APPLICATION_COMMAND, user_id, channel_id)
    data: dict[str, Any] = {"id": sid(cmd.id), "name": name, "type": kind, "target_id": sid(target_id)}
    if kind == 2:
        data["resolved"] = _resolved(emu, {str(USER): {str(target_id): True}}, guild_id)
    else:
        message = find_message(emu, target_id)
        data["resolved"] = {"messages": {sid(target_id): emu.state.message_payload(message)}}
    if cmd.guild_id is not None:
        data["guild_id"] = sid(cmd.guild_id)
    inter.payload["data"] = data
    return _register(emu, inter)


def _find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    for comp in components:
        if comp.get("custom_id") == custom_id:
            return comp
        found = _find_component(
            comp.get("components", []) + ([comp["component"]] if "component" in comp else []), custom_id
        )
        if found is not None:
            return found
    return None


def find_message(emu: FakeDiscord, message_id: int) -> Message:
    """A message by ID, including ephemeral interaction responses."""
    msg = emu.state.messages.get(int(message_id)) or emu.ephemeral.get(int(message_id))
    if msg is None:
        raise ValueError(f"no message {message_id}")
    return msg


def component(
    emu: FakeDiscord, message_id: int, custom_id: str, user_id: int, values: list[str] | None = None
) -> dict[str, Any]:
    """A user clicks a button or picks from a select: INTERACTION_CREATE type 3 with the full message."""
    msg = find_message(emu, message_id)
    comp = _find_component(msg.components, custom_id)
    if comp is None:
        raise ValueError(f"message {message_id} has no component with custom_id {custom_id!r}")
    if comp.get("disabled"):
        raise ValueError(f"component {custom_id!r} is disabled")
    kind = int(comp["type"])
    data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
    if kind == 2:
        if values:
            raise ValueError("a button takes no values")
    else:
        values = [str(v) for v in values or []]
        if kind == 3:
            allowed = {o["value"] for o in comp.get("options", [])}
            unknown = [v for v in values if v not in allowed]
            if unknown:
                raise ValueError(f"values {unknown} are not options of {custom_id!r}")
        low, high = comp.get("min_values", 1), comp.get("max_values", 1)
        if not low <= len(values) <= high:
            raise ValueError(f"{custom_id!r} takes {low}..{high} values, got {len(values)}")
        data["values"] = values
    inter = _base(emu, MESSAGE_COMPONENT, user_id, msg.channel_id)
    inter.payload["data"] = data
    inter.payload["message"] = emu.state.message_payload(msg)
    inter.original_message_id = msg.id
    return _register(emu, inter)


def modal_submit(emu: FakeDiscord, user_id: int, custom_id: str, values: dict[str, str]) -> dict[str, Any]:
    """A user submits the last modal the bot opened for them with this ``custom_id``."""
    modal = next(
        (m for m in reversed(emu.state.modals) if m["user_id"] == user_id and m["custom_id"] == custom_id),
        None,
    )
    if modal is None:
        raise ValueError(f"no modal {custom_id!r} was opened for user {user_id}")
    rows = []
    for top in modal["components"]:
        children = top.get("components", []) if "components" in top else [top.get("component", {})]
        inputs = []
        for child in children:
            cid = child.get("custom_id")
            if cid is None:
                continue
            value = str(values.get(cid, ""))
            if child.get("required", True) and not value:
                raise ValueError(f"modal field {cid!r} is required")
            inputs.append({"type": child.get("type", 4), "custom_id": cid, "value": value})
        if "component" in top:
            rows.extend({"type": 18, "component": i} for i in inputs)
        else:
            rows.append({"type": 1, "components": inputs})
    inter = _base(emu, MODAL_SUBMIT, user_id, modal["channel_id"])
    inter.payload["data"] = {"custom_id": custom_id, "components": rows}
    if modal.get("message_id"):
        msg = emu.state.messages.get(modal["message_id"]) or emu.ephemeral.get(modal["message_id"])
        if msg is not None:
            inter.payload["message"] = emu.state.message_payload(msg)
            inter.original_message_id = msg.id
    return _register(emu, inter)


def _message_meta(emu: FakeDiscord, inter: Interaction) -> dict[str, Any]:
    user = emu.state.users[inter.user_id].payload()
    name = inter.payload.get("data", {}).get("name") or inter.payload.get("data", {}).get("custom_id", "")
    return {
        "webhook_id": emu.application_id,
        "application_id": emu.application_id,
        "interaction": {
            "id": sid(inter.id),
            "type": inter.type,
            "name": name,
            "user": user,
            "authorizing_integration_owners": inter.payload.get("authorizing_integration_owners", {}),
        },
    }


def send_as_bot(
    emu: FakeDiscord, inter: Interaction, body: dict[str, Any], uploads: list[M.Upload]
) -> Message:
    """A message the bot sends through an interaction (response or follow-up); ephemeral ones stay private."""
    channel = emu.state.channel(inter.channel_id)
    body = dict(body)
    msg_type = 20 if inter.type == APPLICATION_COMMAND else 0
    if int(body.get("flags") or 0) & M.EPHEMERAL:
        M.validate_body(body, uploads)
        msg = Message(
            id=emu.state.ids.next(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=emu.state.bot_id,
            content=str(body.get("content") or ""),
            embeds=[M.normalise_embed(e) for e in M.embeds_of(body) or []],
            components=list(body.get("components") or []),
            flags=int(body["flags"]),
            type=msg_type,
            attachments=M.store_uploads(emu.state, channel.id, uploads, list(body.get("attachments") or [])),
            **_message_meta(emu, inter),
        )
        emu.ephemeral[msg.id] = msg
        return msg
    msg, _ = M.create_message(
        emu.state, channel, emu.state.bot_id, body, uploads, type=msg_type, **_message_meta(emu, inter)
    )
    return msg


def _placeholder(emu: FakeDiscord, inter: Interaction, ephemeral: bool) -> Message:
    """The "is thinking…" message a deferred response shows (flag LOADING)."""
    channel = emu.state.channel(inter.channel_id)
    flags = M.LOADING | (M.EPHEMERAL if ephemeral else 0)
    msg = Message(
        id=emu.state.ids.next(),
        channel_id=channel.id,
        guild_id=channel.guild_id,
        author_id=emu.state.bot_id,
        flags=flags,
        type=20 if inter.type == APPLICATION_COMMAND else 0,
        **_message_meta(emu, inter),
    )
    if ephemeral:
        emu.ephemeral[msg.id] = msg
    else:
        emu.state.store_message(msg)
        M.dispatch_message(emu.state, "MESSAGE_CREATE", msg)
    return msg


def callback(
    emu: FakeDiscord, inter: Interaction, body: dict[str, Any], uploads: list[M.Upload]
) -> Message | None:
    """The bot's answer to an interaction (once, within 3 seconds), applied as Discord would."""
    if inter.acknowledged:
        raise error(ALREADY_ACKNOWLEDGED)
    if emu.state.now() - inter.created > emu.interaction_ack_timeout:
        raise error(UNKNOWN_INTERACTION)
    kind = int(body.get("type", 0))
    data = body.get("data") or {}
    msg: Message | None = None
    if kind == CHANNEL_MESSAGE:
        msg = send_as_bot(emu, inter, data, uploads)
        inter.original_message_id = msg.id
    elif kind == DEFERRED_CHANNEL_MESSAGE:
        msg = _placeholder(emu, inter, bool(int(data.get("flags") or 0) & M.EPHEMERAL))
        inter.original_message_id = msg.id
        inter.deferred_pending = True
    elif kind == UPDATE_MESSAGE:
        if inter.original_message_id is None:
            raise error(UNKNOWN_INTERACTION)
        msg = find_message(emu, inter.original_message_id)
        M.edit_message(emu.state, msg, data, uploads)
    elif kind == MODAL:
        emu.state.modals.append(
            {
                "interaction_id": inter.id,
                "user_id": inter.user_id,
                "channel_id": inter.channel_id,
                "message_id": inter.original_message_id,
                "custom_id": data.get("custom_id"),
                "title": data.get("title"),
                "components": data.get("components", []),
            }
        )
    elif kind not in (PONG, DEFERRED_UPDATE, AUTOCOMPLETE_RESULT):
        raise form_error({"type": ("BASE_TYPE_CHOICES", "Value must be one of {1, 4, 5, 6, 7, 8, 9}.")})
    inter.acknowledged = True
    inter.response_type = kind
    inter.responses.append(
        {
            "interaction_id": inter.id,
            "kind": "callback",
            "type": kind,
            "data": data,
            "message_id": msg.id if msg else None,
        }
    )
    emu.state.notify()
    return msg
