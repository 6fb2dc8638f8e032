"""Who may do what in the panel, computed as Rustmail does, from the guild cache the bot fills.

Every permission: Django superusers, the configuration's super admin users and roles, the staff
guild's owner, and members whose roles carry Administrator. Everyone else: the grants to their
Discord ID, to one of their roles, or to ``@everyone`` (the role whose ID is the guild's).

As Rustmail does, the result is cached for a while (``PANEL_ACCESS_CACHE_SECONDS``, default 60);
any change to the grants, the configuration or the guild cache makes every cached entry stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import Q

from panel.models import PanelPermission
from tickets.discord.port import ADMINISTRATOR, VIEW_CHANNEL
from tickets.errors import NotConfigured
from tickets.models import BotConfig, GuildChannel, GuildMember, GuildRole, GuildSnapshot
from tickets.services._common import staff_guild_id
from tickets.snowflake import is_snowflake, parse_snowflake, snowflakes

ALL_PERMISSIONS: tuple[str, ...] = tuple(PanelPermission.Permission.values)
ALL_BITS = (1 << 63) - 1
CATEGORY = 4


@dataclass(frozen=True)
class PanelAccess:
    """A panel user's standing in the staff guild and the permissions it gives."""

    discord_id: int | None
    guild_id: int | None
    is_member: bool
    is_admin: bool
    permissions: frozenset[str]
    role_ids: tuple[int, ...] = ()
    base_permissions: int = 0
    avatar: str | None = None

    @property
    def may_use_panel(self) -> bool:
        """A session is valid for members of the staff guild and for those who hold everything."""
        return self.is_member or self.is_admin

    def has(self, permission: str) -> bool:
        return permission in self.permissions


def staff_guild(cfg: BotConfig) -> int | None:
    """The guild staff work in (None until the configuration names it)."""
    try:
        return staff_guild_id(cfg)
    except NotConfigured:
        return None


def _snowflakes(values: Any) -> tuple[int, ...]:
    return snowflakes(values)


def discord_account(user: AbstractBaseUser) -> tuple[int | None, dict[str, Any]]:
    """The user's Discord ID and profile (from the OAuth login), if they have one."""
    account = SocialAccount.objects.filter(user=user, provider="discord").only("uid", "extra_data").first()
    if account is None or not is_snowflake(account.uid):
        return None, {}
    return parse_snowflake(account.uid), account.extra_data if isinstance(account.extra_data, dict) else {}


def panel_access(*, user: AbstractBaseUser) -> PanelAccess:
    """Compute what ``user`` may do (a constant handful of queries)."""
    discord_id, profile = discord_account(user)
    cfg = BotConfig.load()
    guild_id = staff_guild(cfg)
    member = None
    if guild_id and discord_id:
        member = GuildMember.objects.filter(guild_id=guild_id, user_id=discord_id).only("role_ids").first()
    role_ids = _snowflakes(member.role_ids) if member else ()
    base = 0
    is_owner = False
    if member is not None:
        for bits in GuildRole.objects.filter(role_id__in=(guild_id, *role_ids)).values_list(
            "permissions", flat=True
        ):
            base |= bits
        is_owner = GuildSnapshot.objects.filter(guild_id=guild_id, owner_id=discord_id).exists()
    is_admin = bool(
        getattr(user, "is_superuser", False)
        or (discord_id is not None and discord_id in cfg.bot_panel_super_admin_users)
        or set(role_ids) & set(cfg.bot_panel_super_admin_roles)
        or is_owner
        or base & ADMINISTRATOR
    )
    if is_admin:
        permissions = frozenset(ALL_PERMISSIONS)
    elif member is not None:
        grants = PanelPermission.objects.filter(
            Q(subject_type=PanelPermission.SubjectType.USER, subject_id=discord_id)
            | Q(subject_type=PanelPermission.SubjectType.ROLE, subject_id__in=(guild_id, *role_ids))
        )
        permissions = frozenset(grants.values_list("permission", flat=True))
    else:
        permissions = frozenset()
    return PanelAccess(
        discord_id=discord_id,
        guild_id=guild_id,
        is_member=member is not None,
        is_admin=is_admin,
        permissions=permissions,
        role_ids=role_ids,
        base_permissions=ALL_BITS if is_admin else base,
        avatar=profile.get("avatar") or None,
    )


VERSION_KEY = "panel-access:version"


def panel_access_cached(*, user: AbstractBaseUser) -> PanelAccess:
    """``panel_access``, from the cache when it is fresh."""
    seconds = settings.PANEL_ACCESS_CACHE_SECONDS
    if seconds <= 0:
        return panel_access(user=user)
    key = f"panel-access:{cache.get(VERSION_KEY, 0)}:{user.pk}:{int(getattr(user, 'is_superuser', False))}"
    access = cache.get(key)
    if access is None:
        access = panel_access(user=user)
        cache.set(key, access, seconds)
    return access


def forget_panel_access() -> None:
    """Make every cached ``PanelAccess`` stale."""
    cache.add(VERSION_KEY, 0, None)
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # evicted in between
        cache.set(VERSION_KEY, 1, None)


def _bits(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def channel_permissions(access: PanelAccess, overwrites: Iterable[dict[str, Any]]) -> int:
    """Discord's permission computation for a member in a channel: base permissions, then the
    ``@everyone`` overwrite, then the member's roles' overwrites together, then the member's own."""
    base = access.base_permissions
    if base & ADMINISTRATOR:
        return ALL_BITS
    by_id = {_bits(o.get("id")): o for o in overwrites if isinstance(o, dict)}
    perms = base
    everyone = by_id.get(access.guild_id or 0)
    if everyone:
        perms = (perms & ~_bits(everyone.get("deny"))) | _bits(everyone.get("allow"))
    allow = deny = 0
    for role_id in access.role_ids:
        overwrite = by_id.get(role_id)
        if overwrite:
            allow |= _bits(overwrite.get("allow"))
            deny |= _bits(overwrite.get("deny"))
    perms = (perms & ~deny) | allow
    own = by_id.get(access.discord_id or 0)
    if own:
        perms = (perms & ~_bits(own.get("deny"))) | _bits(own.get("allow"))
    return perms


def hidden_categories(access: PanelAccess) -> frozenset[int]:
    """The staff guild's categories the user may not View: Rustmail hides their tickets from
    non-admins. Empty for admins; a category the guild cache does not know (deleted) hides nothing."""
    if access.is_admin:
        return frozenset()
    categories = GuildChannel.objects.filter(guild_id=access.guild_id, type=CATEGORY).values_list(
        "channel_id", "overwrites"
    )
    return frozenset(
        channel_id
        for channel_id, overwrites in categories
        if not channel_permissions(access, overwrites or []) & VIEW_CHANNEL
    )
