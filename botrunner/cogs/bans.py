"""Bans from the community guild: tracked from the gateway, swept at start, shown by ``baninfo``.

- GUILD_BAN_ADD records the ban with the member as the bot knew them (roles, nickname, join date:
  from the database guild cache and the bot's nicknames, since nextcord holds no members; Discord
  sends the ban before the member's removal, so they are still there), and
  who banned and why from the audit log when the bot holds View Audit Log. A ban entry that reaches
  the audit log later (GUILD_AUDIT_LOG_ENTRY_CREATE) completes the record.
- GUILD_BAN_REMOVE ends the ban; the record stays as history (the new-ticket header mentions it).
- When the community guild becomes available, its ban list (``GET /guilds/{id}/bans``, with Ban
  Members) is compared with the records: bans made or lifted while the bot was away are caught up.
- ``baninfo <user ID, mention or name>`` (``!bi``, ``/baninfo query``) shows what was recorded.

Events of one user are handled one at a time, in the order they came.
"""

from __future__ import annotations

import logging
from datetime import datetime

import nextcord
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from nextcord.ext import commands

from botrunner.bot import ModmailBot, community_guild
from botrunner.commanddocs import Arg, Doc, Example
from botrunner.invocation import Invocation
from tickets import selectors
from tickets.models import MemberBan
from tickets.services import bans, guildcache
from tickets.services.bans import BanAudit, BannedProfile, ListedBan

log = logging.getLogger("rustmail.bot")

BANINFO = Doc(
    summary=gettext_noop("Show what was recorded when a user was banned: roles, nickname, who and why"),
    usage="<user>",
    args=(
        Arg(
            "user",
            gettext_noop("The banned user's ID, mention, username, display name or nickname"),
            slash=("query",),
        ),
    ),
    examples=(
        Example("baninfo 123456789012345678", gettext_noop("the ban of that user ID")),
        Example("bi alice", gettext_noop("by name; several matches are listed with their IDs")),
        Example("/baninfo query:alice", gettext_noop("the slash form")),
    ),
)

# How far back the audit log is searched for a ban's entry.
AUDIT_LOOKBACK = 25
AUDIT_SWEEP = 100
DASH = "—"


def profile_of(user: nextcord.User | nextcord.Member) -> BannedProfile:
    """The banned user as nextcord knows them: a cached member carries roles, nickname and join date."""
    member = isinstance(user, nextcord.Member)
    return BannedProfile(
        user_id=user.id,
        username=user.name,
        global_name=user.global_name or "",
        nickname=(user.nick or "") if member else "",
        avatar=user.avatar.key if user.avatar else "",
        role_ids=tuple(r.id for r in user.roles if not r.is_default()) if member else None,
        joined_at=user.joined_at if member else None,
    )


def audit_of(entry: nextcord.AuditLogEntry) -> BanAudit:
    return BanAudit(
        user_id=entry.user.id if entry.user else None, reason=entry.reason or "", at=entry.created_at
    )


def audit_target(entry: nextcord.AuditLogEntry) -> int | None:
    # ``entry.target`` is None for a user nextcord has not cached (a banned user usually): the ID
    # itself is what identifies the entry.
    return getattr(entry, "_target_id", None)


def stamp(moment: datetime | None) -> str:
    return f"<t:{int(moment.timestamp())}:F>" if moment else DASH


class Bans(commands.Cog):
    """Ban tracking · baninfo."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot

    def _tracked(self, guild: nextcord.Guild | None) -> bool:
        return guild is not None and guild.id == community_guild(self.bot.cfg) and not self.bot.closing

    async def _audit(
        self, guild: nextcord.Guild, action: nextcord.AuditLogAction, *, limit: int
    ) -> dict[int, BanAudit]:
        """The latest audit entries of ``action`` by target, when the bot may read the audit log."""
        if not guild.me.guild_permissions.view_audit_log:
            return {}
        found: dict[int, BanAudit] = {}
        try:
            async for entry in guild.audit_logs(limit=limit, action=action):
                target = audit_target(entry)
                if target is not None and target not in found:
                    found[target] = audit_of(entry)
        except nextcord.HTTPException as error:
            log.info("Audit log of %s not read: %s", guild.id, error)
        return found

    async def _profile(self, guild: nextcord.Guild, user: nextcord.User | nextcord.Member) -> BannedProfile:
        """The banned member as the bot knew them. Read first thing, before the member's removal
        (which comes next, in the guild's order) empties the cache."""
        if isinstance(user, nextcord.Member):
            return profile_of(user)
        nickname = self.bot.nicknames.get(guild.id, user.id)
        async with self.bot.runner.ordered(("guild", guild.id)):
            row = await self.bot.runner.call(guildcache.member_get, guild_id=guild.id, user_id=user.id)
        if row is None:
            return profile_of(user)
        return BannedProfile(
            user_id=user.id,
            username=user.name,
            global_name=user.global_name or "",
            nickname=nickname,
            avatar=user.avatar.key if user.avatar else "",
            role_ids=tuple(row.role_ids),
            joined_at=row.joined_at,
        )

    # --- gateway events --------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_member_ban(self, guild: nextcord.Guild, user: nextcord.User | nextcord.Member) -> None:
        if not self._tracked(guild):
            return
        profile = await self._profile(guild, user)
        async with self.bot.runner.tracked(), self.bot.runner.ordered(("ban", user.id)):
            audit = (await self._audit(guild, nextcord.AuditLogAction.ban, limit=AUDIT_LOOKBACK)).get(user.id)
            try:
                await self.bot.call(bans.ban_record, guild_id=guild.id, profile=profile, audit=audit)
            except Exception:
                log.exception("Ban of %s in %s not recorded", user.id, guild.id)

    @commands.Cog.listener()
    async def on_member_unban(self, guild: nextcord.Guild, user: nextcord.User) -> None:
        if not self._tracked(guild):
            return
        async with self.bot.runner.tracked(), self.bot.runner.ordered(("ban", user.id)):
            audits = await self._audit(guild, nextcord.AuditLogAction.unban, limit=AUDIT_LOOKBACK)
            try:
                await self.bot.call(
                    bans.ban_lift, guild_id=guild.id, user_id=user.id, audit=audits.get(user.id)
                )
            except Exception:
                log.exception("Unban of %s in %s not recorded", user.id, guild.id)

    @commands.Cog.listener()
    async def on_guild_audit_log_entry_create(self, entry: nextcord.AuditLogEntry) -> None:
        target = audit_target(entry)
        if (
            entry.action is not nextcord.AuditLogAction.ban
            or target is None
            or not self._tracked(entry.guild)
        ):
            return
        async with self.bot.runner.tracked(), self.bot.runner.ordered(("ban", target)):
            try:
                await self.bot.call(
                    bans.ban_audit_note, guild_id=entry.guild.id, user_id=target, audit=audit_of(entry)
                )
            except Exception:
                log.exception("Audit entry of the ban of %s not recorded", target)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: nextcord.Guild) -> None:
        if self._tracked(guild):
            await self._sweep(guild)

    async def _sweep(self, guild: nextcord.Guild) -> None:
        """Catch up with the bans made or lifted while the bot was away."""
        if not guild.me.guild_permissions.ban_members:
            log.info("Bans of %s not swept: the bot lacks Ban Members", guild.id)
            return
        async with self.bot.runner.tracked():
            listed_at = nextcord.utils.utcnow()
            try:
                listed = [
                    ListedBan(profile=profile_of(entry.user), reason=entry.reason or "")
                    async for entry in guild.bans(limit=None)
                ]
            except nextcord.HTTPException as error:
                log.warning("Bans of %s not swept: %s", guild.id, error)
                return
            audits = await self._audit(guild, nextcord.AuditLogAction.ban, limit=AUDIT_SWEEP)
            try:
                counts = await self.bot.call(
                    bans.bans_sync, guild_id=guild.id, bans=listed, audits=audits, listed_at=listed_at
                )
            except Exception:
                log.exception("Bans of %s not swept", guild.id)
                return
            log.info("Bans of %s swept: %s", guild.id, counts)

    # --- baninfo ---------------------------------------------------------------------------
    async def _baninfo(self, inv: Invocation, query: str) -> None:
        guild_id = community_guild(self.bot.cfg) or 0
        with inv.language():
            if not query.strip():
                await inv.fail(_("Tell me who: a user ID, a mention or a name."))
        found = await inv.run(selectors.ban_find, guild_id=guild_id, query=query)
        with inv.language():
            if not found:
                await inv.fail(_("No banned user matches `%(query)s`.") % {"query": query.strip()[:100]})
            if len(found) > 1:
                lines = [_("Several banned users match. Run the command again with the user ID:")]
                lines += [f"• **{b.username}** — `{b.user_id}` (<@{b.user_id}>)" for b in found]
                await inv.answer("\n".join(lines))
                return
            ban = found[0]
            count = await inv.run(lambda: selectors.ban_history(guild_id, ban.user_id).count())
            await inv.answer(embed=self._embed(ban, count))

    def _embed(self, ban: MemberBan, count: int) -> nextcord.Embed:
        """The record, for staff (call it in the bot's language)."""
        guild = self.bot.get_guild(ban.guild_id)
        if ban.roles_unknown:
            roles = _("Unknown (the user was not known as a member before the ban)")
        elif not ban.role_ids:
            roles = DASH
        else:
            names = [(guild.get_role(r) if guild else None, r) for r in ban.role_ids]
            roles = " ".join(f"**@{role.name}**" if role else f"`@{rid}`" for role, rid in names)
        name = ban.global_name or ban.username
        embed = nextcord.Embed(title=_("Banned user information"), color=0xED4245)
        embed.add_field(name=_("Username"), value=f"{name} (`{ban.username}`)")
        embed.add_field(name=_("Nickname"), value=ban.nickname or DASH)
        embed.add_field(name=_("User"), value=f"<@{ban.user_id}> (`{ban.user_id}`)")
        embed.add_field(name=_("Joined at"), value=stamp(ban.joined_at))
        embed.add_field(name=_("Banned at"), value=stamp(ban.banned_at) if ban.banned_at else _("Unknown"))
        embed.add_field(
            name=_("Banned by"), value=f"<@{ban.banned_by}> (`{ban.banned_by}`)" if ban.banned_by else DASH
        )
        embed.add_field(name=_("Reason"), value=ban.reason or DASH, inline=False)
        embed.add_field(name=_("Roles"), value=roles[:1024], inline=False)
        if ban.unbanned_at:
            lifted = stamp(ban.unbanned_at)
            if ban.unbanned_by:
                lifted += " " + _("by %(who)s") % {"who": f"<@{ban.unbanned_by}>"}
            embed.add_field(name=_("Ban lifted"), value=lifted, inline=False)
        if count > 1:
            embed.set_footer(text=_("%(count)s bans recorded for this user") % {"count": count})
        embed.set_thumbnail(url=ban.avatar_url)
        return embed

    @nextcord.slash_command(name="baninfo", description=BANINFO.summary)
    async def baninfo_slash(
        self,
        interaction: nextcord.Interaction,
        query: str = nextcord.SlashOption(description=BANINFO.option("query")),
    ) -> None:
        await self._baninfo(Invocation(self.bot, interaction=interaction), query)

    @commands.command(name="baninfo", aliases=["bi"], **BANINFO.text())
    async def baninfo_text(self, ctx: commands.Context, *, user: str = "") -> None:
        await self._baninfo(Invocation(self.bot, ctx=ctx), user)


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Bans(bot))
