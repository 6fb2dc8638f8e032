"""The Python API tests use: set up the world, act as users, and read what the bot did.

Threading: every method runs on the emulator's loop thread. Async tests that started the emulator
on their own loop call them directly (setup and readers are plain methods, actions are ``async``
and return once the resulting gateway events were written to every connected websocket). Code in
another thread (sync Django tests) uses :class:`~tests.fakediscord.thread.FakeDiscordThread`, whose
proxy runs each call on the loop and turns the ``async`` ones into blocking calls.

IDs may be given as ints or strings; setup methods return int IDs; readers return Discord-shaped
dicts (snowflakes as strings).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from . import auditlog as A
from . import guilds as G
from . import interactions as I
from . import messages as M
from . import permissions as P
from .demo import DemoGuild, build_demo_guild
from .models import GUILD_CATEGORY, GUILD_TEXT, Member, Overwrite, User

if TYPE_CHECKING:
    from .server import FakeDiscord

Attachment = tuple[str, bytes, str]
Check = Callable[[dict[str, Any]], Any]


def _uploads(attachments: Iterable[Attachment] | None) -> tuple[list[M.Upload], list[dict[str, Any]]]:
    uploads, meta = [], []
    for i, (filename, data, ctype) in enumerate(attachments or []):
        uploads.append(M.Upload(i, filename, data, ctype))
        meta.append({"id": i, "filename": filename})
    return uploads, meta


class EmulatorAPI:
    """Mixin of :class:`~tests.fakediscord.server.FakeDiscord` holding the Python API."""

    # -- setup (sync) --------------------------------------------------------------------------

    def create_user(
        self: FakeDiscord,
        username: str,
        *,
        global_name: str | None = None,
        bot: bool = False,
        email: str | None = None,
        dms_open: bool = True,
    ) -> int:
        """A new user; returns its ID."""
        user = User(self.state.ids.next(), username, global_name, bot=bot, email=email, dms_open=dms_open)
        self.state.users[user.id] = user
        return user.id

    def create_guild(
        self: FakeDiscord,
        name: str,
        owner_id: int | None = None,
        *,
        bot_permissions: int | None = P.ADMINISTRATOR,
    ) -> int:
        """A guild with @everyone (ID = guild ID), its owner (made if None) and the bot with a
        managed role holding ``bot_permissions`` (``None``: the bot is not a member)."""
        if owner_id is None:
            owner_id = self.create_user(f"owner-of-{name.lower().replace(' ', '-')}")
        return G.create_guild(self.state, name, int(owner_id), bot_permissions=bot_permissions).id

    def create_role(
        self: FakeDiscord, guild_id: int | str, name: str, permissions: int = 0, **fields: Any
    ) -> int:
        """A role (``color``, ``hoist``, ``mentionable``, ``position`` optional); returns its ID."""
        return G.create_role(self.state, self.state.guild(guild_id), name, permissions, **fields).id

    def add_member(
        self: FakeDiscord,
        guild_id: int | str,
        user_id: int | str,
        roles: Iterable[int] = (),
        nick: str | None = None,
    ) -> dict[str, Any]:
        """Make a user a member (GUILD_MEMBER_ADD); returns the member object."""
        guild = self.state.guild(guild_id)
        member = G.add_member(self.state, guild, int(user_id), [int(r) for r in roles], nick)
        return self.state.member_payload(member)

    def update_member(
        self: FakeDiscord,
        guild_id: int | str,
        user_id: int | str,
        *,
        roles: Iterable[int] | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Change a member's roles or ``nick`` (GUILD_MEMBER_UPDATE)."""
        guild = self.state.guild(guild_id)
        body = dict(fields)
        if roles is not None:
            body["roles"] = [int(r) for r in roles]
        member = G.update_member(self.state, guild, self.state.member(guild.id, user_id), body)
        return self.state.member_payload(member)

    def create_channel(
        self: FakeDiscord,
        guild_id: int | str,
        name: str,
        *,
        type: int = GUILD_TEXT,
        parent_id: int | str | None = None,
        overwrites: Iterable[Overwrite | dict[str, Any]] | None = None,
        topic: str | None = None,
        position: int | None = None,
    ) -> int:
        """A channel or category (CHANNEL_CREATE); the same rules as the REST route apply."""
        body: dict[str, Any] = {"name": name, "type": type, "parent_id": parent_id, "topic": topic}
        if position is not None:
            body["position"] = position
        if overwrites is not None:
            body["permission_overwrites"] = [
                o.payload() if isinstance(o, Overwrite) else o for o in overwrites
            ]
        return G.create_channel(self.state, self.state.guild(guild_id), body).id

    def create_category(
        self: FakeDiscord,
        guild_id: int | str,
        name: str,
        overwrites: Iterable[Overwrite | dict] | None = None,
    ) -> int:
        """A category channel."""
        return self.create_channel(guild_id, name, type=GUILD_CATEGORY, overwrites=overwrites)

    def close_dms(self: FakeDiscord, user_id: int | str, closed: bool = True) -> None:
        """The user refuses DMs: the bot's sends to their DM channel get 50007."""
        self.state.user(user_id).dms_open = not closed

    def set_bot_permissions(self: FakeDiscord, guild_id: int | str, permissions: int) -> None:
        """Set the permissions of the bot's managed role (e.g. drop MANAGE_CHANNELS to get 50013)."""
        guild = self.state.guild(guild_id)
        role = next(r for r in guild.roles.values() if r.bot_id == self.bot_id)
        G.update_role(self.state, guild, role.id, {"permissions": permissions})

    def update_role(
        self: FakeDiscord, guild_id: int | str, role_id: int | str, **fields: Any
    ) -> dict[str, Any]:
        """Change a role's ``name``, ``permissions``, ``color``, ``hoist`` or ``mentionable``
        (GUILD_ROLE_UPDATE); returns the role object."""
        return G.update_role(self.state, self.state.guild(guild_id), int(role_id), fields).payload()

    def delete_role(self: FakeDiscord, guild_id: int | str, role_id: int | str) -> None:
        """Delete a role; its members lose it without a member update, as on Discord (GUILD_ROLE_DELETE)."""
        G.delete_role(self.state, self.state.guild(guild_id), int(role_id))

    def edit_channel(self: FakeDiscord, channel_id: int | str, **body: Any) -> dict[str, Any]:
        """Change a channel as a member with the rights would (``name``, ``topic``, ``parent_id``,
        ``position``, ``permission_overwrites``), without the bot's rename limit (CHANNEL_UPDATE)."""
        channel = G.modify_channel(self.state, self.state.channel(channel_id), body, None)
        return self.state.channel_payload(channel)

    def delete_channel(self: FakeDiscord, channel_id: int | str) -> None:
        """Delete a channel (CHANNEL_DELETE)."""
        G.delete_channel(self.state, self.state.channel(channel_id))

    def oauth_login_as(self: FakeDiscord, user_id: int | str | None) -> None:
        """Who the next OAuth2 authorization logs in as (default: the demo admin)."""
        self.oauth.login_user_id = None if user_id is None else int(user_id)

    def seed_demo(self: FakeDiscord, name: str = "Rustmail Demo") -> DemoGuild:
        """Build the demo guild (see :func:`~tests.fakediscord.demo.build_demo_guild`)."""
        return build_demo_guild(self, name)

    def seed_large_guild(
        self: FakeDiscord,
        name: str = "Large",
        *,
        members: int = 100_000,
        channels: int = 500,
        roles: int = 20,
    ) -> int:
        """A guild of ``members`` members (the bot among them) and ``channels`` channels (one category
        per 50, Discord's limit), with ``roles`` roles handed out in turn, written straight into the
        state (no events: seed it before the bot connects). Returns its ID; the gateway sends it as
        a large guild, its members in chunks (op 8), as Discord does."""
        guild_id = self.create_guild(name)
        guild = self.state.guild(guild_id)
        role_ids = [self.create_role(guild_id, f"role {n}") for n in range(roles)]
        ids = self.state.ids
        for n in range(max(members - len(guild.members), 0)):
            user = User(ids.next(), f"member{n:06d}", f"Member {n}")
            self.state.users[user.id] = user
            guild.members[user.id] = Member(guild_id=guild_id, user_id=user.id, roles=[role_ids[n % roles]])
        category = None
        for n in range(channels):
            if n % 50 == 0:
                category = self.create_category(guild_id, f"category {n // 50}")
            elif category is not None:
                self.create_channel(guild_id, f"channel-{n}", parent_id=category)
        return guild_id

    # -- actions (async: they return once the events were written to the websockets) --------

    async def user_dm(
        self: FakeDiscord,
        user_id: int | str,
        content: str = "",
        attachments: Iterable[Attachment] | None = None,
        **body: Any,
    ) -> dict[str, Any]:
        """A user DMs the bot (MESSAGE_CREATE in the DM channel, made if needed); the message is
        stored even when no gateway session is connected. Extra ``body`` keys (``embeds``,
        ``message_reference``, ``nonce``) are as in Discord's create-message body."""
        channel = G.dm_channel(self.state, int(user_id))
        return await self._user_message(channel.id, int(user_id), content, attachments, body)

    async def user_edit_dm(
        self: FakeDiscord, user_id: int | str, message_id: int | str, content: str
    ) -> dict[str, Any]:
        """A user edits one of their DMs (MESSAGE_UPDATE)."""
        channel_id = self.state.dm_channels[int(user_id)]
        return await self.user_edit_message(channel_id, message_id, content)

    async def user_delete_dm(self: FakeDiscord, user_id: int | str, message_id: int | str) -> None:
        """A user deletes one of their DMs (MESSAGE_DELETE)."""
        await self.user_delete_message(self.state.dm_channels[int(user_id)], message_id)

    async def post_in_channel(
        self: FakeDiscord,
        channel_id: int | str,
        user_id: int | str,
        content: str = "",
        attachments: Iterable[Attachment] | None = None,
        *,
        check_permissions: bool = True,
        **body: Any,
    ) -> dict[str, Any]:
        """Someone (e.g. staff) posts in a guild channel; they must be able to see and write there."""
        channel = self.state.channel(channel_id)
        if check_permissions and channel.guild_id is not None:
            perms = self.state.permissions(channel, int(user_id))
            if not P.has(perms, P.VIEW_CHANNEL | P.SEND_MESSAGES):
                raise PermissionError(f"user {user_id} cannot post in channel {channel_id}")
        return await self._user_message(channel.id, int(user_id), content, attachments, body)

    async def _user_message(
        self: FakeDiscord, channel_id: int, user_id: int, content: str, attachments: Any, body: dict[str, Any]
    ) -> dict[str, Any]:
        uploads, meta = _uploads(attachments)
        body = {"content": content, **body}
        if meta:
            body["attachments"] = meta
        msg, _ = M.create_message(self.state, self.state.channel(channel_id), user_id, body, uploads)
        await self.gateway.flush()
        return self.state.message_payload(msg)

    async def user_edit_message(
        self: FakeDiscord, channel_id: int | str, message_id: int | str, content: str
    ) -> dict[str, Any]:
        """The author edits their message (MESSAGE_UPDATE)."""
        msg = self.state.message(channel_id, message_id)
        M.edit_message(self.state, msg, {"content": content})
        await self.gateway.flush()
        return self.state.message_payload(msg)

    async def user_delete_message(self: FakeDiscord, channel_id: int | str, message_id: int | str) -> None:
        """The author deletes their message (MESSAGE_DELETE)."""
        M.delete_message(self.state, self.state.message(channel_id, message_id))
        await self.gateway.flush()

    async def user_react(
        self: FakeDiscord, user_id: int | str, channel_id: int | str, message_id: int | str, emoji: str
    ) -> None:
        """A user adds a reaction (MESSAGE_REACTION_ADD)."""
        M.react(self.state, self.state.message(channel_id, message_id), int(user_id), emoji, add=True)
        await self.gateway.flush()

    async def member_join(
        self: FakeDiscord, guild_id: int | str, user_id: int | str, roles: Iterable[int] = ()
    ) -> dict[str, Any]:
        """A user joins a guild (GUILD_MEMBER_ADD)."""
        member = self.add_member(guild_id, user_id, roles)
        await self.gateway.flush()
        return member

    async def member_leave(self: FakeDiscord, guild_id: int | str, user_id: int | str) -> None:
        """A member leaves the guild (GUILD_MEMBER_REMOVE)."""
        G.remove_member(self.state, self.state.guild(guild_id), int(user_id))
        await self.gateway.flush()

    async def invoke_command(
        self: FakeDiscord,
        name: str,
        user_id: int | str,
        channel_id: int | str,
        options: dict[str, Any] | None = None,
        guild_id: int | str | None = None,
    ) -> dict[str, Any]:
        """A user runs a registered slash command; ``options`` maps option names to values (a dict
        for a subcommand). Returns the interaction payload sent (INTERACTION_CREATE)."""
        payload = I.command(
            self, name, int(user_id), int(channel_id), options, int(guild_id) if guild_id else None
        )
        await self.gateway.flush()
        return payload

    async def invoke_context_command(
        self: FakeDiscord,
        name: str,
        user_id: int | str,
        channel_id: int | str,
        target_id: int | str,
        *,
        on_message: bool = False,
    ) -> dict[str, Any]:
        """A user runs a registered context menu command (Apps → ``name``) on a member, or with
        ``on_message`` on a message. Returns the interaction payload sent."""
        payload = I.context_command(
            self, name, 3 if on_message else 2, int(user_id), int(channel_id), int(target_id)
        )
        await self.gateway.flush()
        return payload

    async def click_button(
        self: FakeDiscord, message_id: int | str, custom_id: str, user_id: int | str
    ) -> dict[str, Any]:
        """A user clicks a button of a message (INTERACTION_CREATE type 3)."""
        payload = I.component(self, int(message_id), custom_id, int(user_id))
        await self.gateway.flush()
        return payload

    async def select(
        self: FakeDiscord, message_id: int | str, custom_id: str, values: Iterable[str], user_id: int | str
    ) -> dict[str, Any]:
        """A user picks ``values`` from a select menu (INTERACTION_CREATE type 3)."""
        payload = I.component(self, int(message_id), custom_id, int(user_id), list(values))
        await self.gateway.flush()
        return payload

    async def submit_modal(
        self: FakeDiscord, user_id: int | str, custom_id: str, values: dict[str, str]
    ) -> dict[str, Any]:
        """A user submits the modal the bot opened for them (INTERACTION_CREATE type 5)."""
        payload = I.modal_submit(self, int(user_id), custom_id, values)
        await self.gateway.flush()
        return payload

    async def add_audit_log_entry(
        self: FakeDiscord,
        guild_id: int | str,
        action_type: int,
        user_id: int | str | None,
        *,
        target_id: int | str | None = None,
        changes: list[dict[str, Any]] | None = None,
        options: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Someone (``user_id``) did something the audit log records: appends an entry of any
        ``action_type`` (constants in ``tests.fakediscord.auditlog``) and dispatches
        GUILD_AUDIT_LOG_ENTRY_CREATE; returns the entry."""
        entry = A.record(
            self.state,
            guild_id,
            action_type,
            user_id,
            target_id=target_id,
            changes=changes,
            options=options,
            reason=reason,
        )
        await self.gateway.flush()
        return entry.payload()

    async def start_typing(self: FakeDiscord, channel_id: int | str, user_id: int | str) -> None:
        """A user starts typing (TYPING_START)."""
        self.emit_typing(self.state.channel(channel_id), int(user_id))
        await self.gateway.flush()

    # -- waiting -------------------------------------------------------------------------------

    async def wait_for(self: FakeDiscord, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until ``predicate()`` is truthy and return its value (TimeoutError otherwise)."""
        return await self.state.wait_for(predicate, timeout)

    async def wait_for_message(
        self: FakeDiscord, channel_id: int | str, check: Check | None = None, timeout: float = 5.0
    ) -> dict[str, Any]:
        """The first message in the channel (oldest first) for which ``check(message)`` is truthy."""
        return await self.wait_for(
            lambda: next((m for m in self.messages(channel_id) if not check or check(m)), None), timeout
        )

    async def wait_for_dm(
        self: FakeDiscord, user_id: int | str, check: Check | None = None, timeout: float = 5.0
    ) -> dict[str, Any]:
        """The first message the bot sent to the user's DMs that passes ``check``."""
        bot = str(self.bot_id)

        def find() -> dict[str, Any] | None:
            return next(
                (
                    m
                    for m in self.dm_messages(user_id)
                    if m["author"]["id"] == bot and (not check or check(m))
                ),
                None,
            )

        return await self.wait_for(find, timeout)

    async def wait_for_interaction_response(
        self: FakeDiscord, interaction_id: int | str, timeout: float = 5.0
    ) -> dict[str, Any]:
        """The bot's first answer (callback) to an interaction."""
        return await self.wait_for(
            lambda: next(iter(self.interaction_responses(interaction_id)), None), timeout
        )

    # -- readers (sync) --------------------------------------------------------------------------

    def user(self: FakeDiscord, user_id: int | str) -> dict[str, Any]:
        """A user object."""
        return self.state.user(user_id).payload()

    def guild(self: FakeDiscord, guild_id: int | str) -> dict[str, Any]:
        """A guild object."""
        return self.state.guild(guild_id).payload()

    def channels(self: FakeDiscord, guild_id: int | str | None = None) -> list[dict[str, Any]]:
        """Guild channels (of one guild, or all), in creation order."""
        return [
            self.state.channel_payload(c)
            for c in self.state.channels.values()
            if c.guild_id is not None and (guild_id is None or c.guild_id == int(guild_id))
        ]

    def channel(self: FakeDiscord, channel_id: int | str) -> dict[str, Any] | None:
        """A channel object, or None."""
        channel = self.state.channels.get(int(channel_id))
        return self.state.channel_payload(channel) if channel else None

    def messages(self: FakeDiscord, channel_id: int | str) -> list[dict[str, Any]]:
        """Every message of a channel, oldest first (full content, whatever the intents)."""
        ids = self.state.channel_messages.get(int(channel_id), [])
        return [self.state.message_payload(self.state.messages[i]) for i in ids]

    def message(self: FakeDiscord, message_id: int | str) -> dict[str, Any] | None:
        """A message (including ephemeral interaction responses), or None."""
        msg = self.state.messages.get(int(message_id)) or self.ephemeral.get(int(message_id))
        return self.state.message_payload(msg) if msg else None

    def dm_channel_id(self: FakeDiscord, user_id: int | str) -> int | None:
        """The ID of the bot's DM channel with the user, if there is one."""
        return self.state.dm_channels.get(int(user_id))

    def dm_messages(self: FakeDiscord, user_id: int | str) -> list[dict[str, Any]]:
        """The whole DM history between the bot and the user (both sides), oldest first."""
        channel_id = self.dm_channel_id(user_id)
        return self.messages(channel_id) if channel_id else []

    def members(self: FakeDiscord, guild_id: int | str) -> list[dict[str, Any]]:
        """A guild's members."""
        return [self.state.member_payload(m) for m in self.state.guild(guild_id).members.values()]

    def member(self: FakeDiscord, guild_id: int | str, user_id: int | str) -> dict[str, Any] | None:
        """A member object, or None when the user is not in the guild."""
        member = self.state.guild(guild_id).members.get(int(user_id))
        return self.state.member_payload(member) if member else None

    def roles(self: FakeDiscord, guild_id: int | str) -> list[dict[str, Any]]:
        """A guild's roles, lowest first."""
        roles = sorted(self.state.guild(guild_id).roles.values(), key=lambda r: r.position)
        return [r.payload() for r in roles]

    def commands(self: FakeDiscord, guild_id: int | str | None = None) -> list[dict[str, Any]]:
        """Registered application commands: global ones, or one guild's."""
        gid = int(guild_id) if guild_id is not None else None
        return [c.payload() for c in self.state.commands.values() if c.guild_id == gid]

    def audit_log(self: FakeDiscord, guild_id: int | str) -> list[dict[str, Any]]:
        """A guild's audit log entries, oldest first."""
        return [e.payload() for e in self.state.audit_logs.get(int(guild_id), [])]

    def interactions(self: FakeDiscord) -> list[dict[str, Any]]:
        """Every interaction payload sent to the bot, oldest first."""
        return [i.payload for i in self.state.interactions.values()]

    def interaction_responses(
        self: FakeDiscord, interaction_id: int | str | None = None
    ) -> list[dict[str, Any]]:
        """The bot's answers: ``{"interaction_id", "kind" (callback/followup/edit/delete), "type",
        "data", "message_id"}``, oldest first, for one interaction or all."""
        out = []
        for inter in self.state.interactions.values():
            if interaction_id is None or inter.id == int(interaction_id):
                out.extend(dict(r) for r in inter.responses)
        return out

    @property
    def modals(self: FakeDiscord) -> list[dict[str, Any]]:
        """Modals the bot opened (callback type 9), oldest first."""
        return list(self.state.modals)
