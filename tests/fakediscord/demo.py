"""The demo guild: what a newcomer (or a test) gets without any setup."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from . import permissions as P
from .models import GUILD_CATEGORY, GUILD_TEXT, Overwrite

if TYPE_CHECKING:
    from .server import FakeDiscord

STAFF_ACCESS = P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.ATTACH_FILES | P.EMBED_LINKS


@dataclass(frozen=True)
class DemoGuild:
    """Every ID of the demo guild (ints; ``as_json()`` gives them as Discord's strings)."""

    guild_id: int
    everyone_role_id: int
    staff_role_id: int
    admin_role_id: int
    bot_role_id: int
    owner_id: int
    staff_id: int
    admin_id: int
    user_ids: tuple[int, ...]
    inbox_category_id: int
    logs_channel_id: int
    general_channel_id: int

    def as_json(self) -> dict[str, Any]:
        """The IDs as strings (lists stay lists), as the control API and ``__main__`` print them."""
        data = asdict(self)
        return {k: [str(i) for i in v] if isinstance(v, tuple | list) else str(v) for k, v in data.items()}


def build_demo_guild(emu: FakeDiscord, name: str = "Rustmail Demo") -> DemoGuild:
    """A guild with owner, a Staff and an Admin role, a staff member, an admin, four users,
    an "Inbox" category only staff can see, a staff-only logs channel and a public #general.

    The bot is a member with a managed role that has ADMINISTRATOR and sits on top.
    """
    owner = emu.create_user("guildowner", global_name="Guild Owner")
    guild_id = emu.create_guild(name, owner_id=owner)
    staff_role = emu.create_role(guild_id, "Staff", permissions=P.MANAGE_MESSAGES, hoist=True, color=0x3498DB)
    admin_role = emu.create_role(
        guild_id, "Admin", permissions=P.ADMINISTRATOR, hoist=True, color=0xE74C3C, position=2
    )
    staff = emu.create_user("staffmember", global_name="Sam Staff")
    admin = emu.create_user("adminuser", global_name="Ada Admin")
    emu.add_member(guild_id, staff, roles=[staff_role])
    emu.add_member(guild_id, admin, roles=[admin_role])
    users = []
    for username, display in (("alice", "Alice"), ("bob", "Bob"), ("carol", "Carol"), ("dave", "Dave")):
        user = emu.create_user(username, global_name=display)
        emu.add_member(guild_id, user)
        users.append(user)
    staff_only = [
        Overwrite(guild_id, 0, deny=P.VIEW_CHANNEL),
        Overwrite(staff_role, 0, allow=STAFF_ACCESS),
    ]
    inbox = emu.create_channel(guild_id, "Inbox", type=GUILD_CATEGORY, overwrites=staff_only)
    logs = emu.create_channel(
        guild_id, "modmail-logs", type=GUILD_TEXT, overwrites=staff_only, topic="Ticket logs"
    )
    general = emu.create_channel(guild_id, "general", type=GUILD_TEXT)
    guild = emu.state.guilds[guild_id]
    bot_role = next(r.id for r in guild.roles.values() if r.bot_id == emu.bot_id)
    demo = DemoGuild(
        guild_id=guild_id,
        everyone_role_id=guild_id,
        staff_role_id=staff_role,
        admin_role_id=admin_role,
        bot_role_id=bot_role,
        owner_id=owner,
        staff_id=staff,
        admin_id=admin,
        user_ids=tuple(users),
        inbox_category_id=inbox,
        logs_channel_id=logs,
        general_channel_id=general,
    )
    emu.demo = emu.demo or demo
    return demo
