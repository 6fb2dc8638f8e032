"""Who holds which panel permission, and why: the administration page's read-only view, and its
picker of the staff guild's members and roles (from the guild cache the bot fills).

The reasons are those of ``panel.selectors.access.panel_access``: a super admin user or role of
the configuration, the guild's owner, a role carrying Discord's Administrator permission (each of
these holds every permission), or grants to a user or a role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from panel.models import PanelPermission
from tickets.discord.port import ADMINISTRATOR
from tickets.models import BotConfig, GuildMember, GuildRole, GuildSnapshot
from tickets.snowflake import InvalidSnowflake, parse_snowflake

from .access import ALL_PERMISSIONS, staff_guild

PICKER_LIMIT = 20
USER = PanelPermission.SubjectType.USER
ROLE = PanelPermission.SubjectType.ROLE


@dataclass
class Holder:
    """A user or a role holding panel permissions. ``reasons`` say why (translated); ``grants`` are
    the revocable ones; ``everything`` is true when a reason gives every permission."""

    subject_type: str
    subject_id: int
    name: str
    reasons: list[str] = field(default_factory=list)
    grants: list[PanelPermission] = field(default_factory=list)
    everything: bool = False
    members: int | None = None

    @property
    def permissions(self) -> list[str]:
        if self.everything:
            return list(ALL_PERMISSIONS)
        held = {grant.permission for grant in self.grants}
        return [p for p in ALL_PERMISSIONS if p in held]


def _member_names(guild_id: int | None, ids: set[int]) -> dict[int, str]:
    members = GuildMember.objects.filter(user_id__in=ids)
    if guild_id:
        members = members.filter(guild_id=guild_id)
    return {
        m.user_id: m.global_name or m.username for m in members.only("user_id", "global_name", "username")
    }


def permission_holders() -> list[Holder]:
    """Every user and role holding a panel permission: admins first (super admins, the owner,
    Administrator roles), then grants; roles with their member count in the guild cache."""
    cfg = BotConfig.load()
    guild_id = staff_guild(cfg)
    holders: dict[tuple[str, int], Holder] = {}

    def holder(subject_type: str, subject_id: int) -> Holder:
        key = (subject_type, subject_id)
        if key not in holders:
            holders[key] = Holder(subject_type=subject_type, subject_id=subject_id, name="")
        return holders[key]

    for user_id in cfg.bot_panel_super_admin_users or ():
        h = holder(USER, int(user_id))
        h.reasons.append(_("Super admin (configuration)"))
        h.everything = True
    for role_id in cfg.bot_panel_super_admin_roles or ():
        h = holder(ROLE, int(role_id))
        h.reasons.append(_("Super admin role (configuration)"))
        h.everything = True
    if guild_id:
        owner = GuildSnapshot.objects.filter(guild_id=guild_id).values_list("owner_id", flat=True).first()
        if owner:
            h = holder(USER, owner)
            h.reasons.append(_("Owner of the server"))
            h.everything = True
        for role_id, bits in GuildRole.objects.filter(guild_id=guild_id).values_list(
            "role_id", "permissions"
        ):
            if bits & ADMINISTRATOR:
                h = holder(ROLE, role_id)
                h.reasons.append(_("Discord's Administrator permission"))
                h.everything = True
    for grant in PanelPermission.objects.order_by("subject_type", "subject_id", "permission"):
        h = holder(grant.subject_type, grant.subject_id)
        if not h.grants:
            h.reasons.append(_("Granted in the panel"))
        h.grants.append(grant)

    users = {h.subject_id for h in holders.values() if h.subject_type == USER}
    user_names = _member_names(guild_id, users)
    roles = {h.subject_id for h in holders.values() if h.subject_type == ROLE}
    role_names = dict(GuildRole.objects.filter(role_id__in=roles).values_list("role_id", "name"))
    counts = _role_member_counts(guild_id, roles)
    for h in holders.values():
        if h.subject_type == USER:
            h.name = user_names.get(h.subject_id, "")
        else:
            h.name = role_names.get(h.subject_id, "")
            if h.subject_id == guild_id:
                h.name = "@everyone"
            h.members = counts.get(h.subject_id)
    return sorted(
        holders.values(), key=lambda h: (not h.everything, h.subject_type, h.name.lower(), h.subject_id)
    )


def _role_member_counts(guild_id: int | None, roles: set[int]) -> dict[int, int]:
    """How many cached members of the staff guild hold each role (``@everyone``: all of them)."""
    if not guild_id or not roles:
        return {}
    counts = dict.fromkeys(roles, 0)
    for role_ids in GuildMember.objects.filter(guild_id=guild_id).values_list("role_ids", flat=True):
        for role_id in role_ids or ():
            if int(role_id) in counts:
                counts[int(role_id)] += 1
    if guild_id in counts:
        counts[guild_id] = GuildMember.objects.filter(guild_id=guild_id).count()
    return counts


@dataclass(frozen=True)
class Pick:
    """One choice of the picker: ``value`` is what the grant form posts (``User:<id>``, ``Role:<id>``)."""

    subject_type: str
    subject_id: int
    name: str
    detail: str

    @property
    def value(self) -> str:
        return f"{self.subject_type}:{self.subject_id}"


def picker_search(query: str, *, limit: int = PICKER_LIMIT) -> list[Pick]:
    """The staff guild's roles, then members, whose name, display name or ID matches ``query``
    (any case; all roles and the first members when it is empty). Empty until the guild is set."""
    guild_id = staff_guild(BotConfig.load())
    if not guild_id:
        return []
    text = query.strip().lstrip("@")
    try:
        as_id: int | None = parse_snowflake(text)
    except InvalidSnowflake:
        as_id = None
    roles = GuildRole.objects.filter(guild_id=guild_id)
    members = GuildMember.objects.filter(guild_id=guild_id, is_bot=False)
    if text:
        roles = roles.filter(Q(name__icontains=text) | Q(role_id=as_id or 0))
        members = members.filter(
            Q(username__icontains=text) | Q(global_name__icontains=text) | Q(user_id=as_id or 0)
        )
    picks = [
        Pick(ROLE, role.role_id, role.name, _("Role"))
        for role in roles.order_by("-position", "role_id")[:limit]
    ]
    picks += [
        Pick(USER, m.user_id, m.global_name or m.username, f"@{m.username}")
        for m in members.order_by("username", "user_id")[:limit]
    ]
    return picks
