"""Bans from the community guild: recorded as they happen, swept at start, lifted on unban.

The bot hands in plain data: the banned user's profile (from its member cache when it knew them),
and who banned and why when the audit log told it. A ban keeps the member's roles, nickname and
join date as they were, so staff can restore a compromised account (``baninfo``). Each ban is one
row; an unban closes it, and a user banned again gets a new one, so the history stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets.models import GuildMember, MemberBan

from ._common import now


@dataclass(frozen=True)
class BannedProfile:
    """Who was banned. ``role_ids`` None: the bot did not know them as a member (roles unknown)."""

    user_id: int
    username: str
    global_name: str = ""
    nickname: str = ""
    avatar: str = ""
    role_ids: tuple[int, ...] | None = None
    joined_at: datetime | None = None


@dataclass(frozen=True)
class BanAudit:
    """What the audit log says of a ban or unban: who did it, why, and when (its entry's time)."""

    user_id: int | None = None
    reason: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class ListedBan:
    """One entry of the guild's ban list (``GET /guilds/{id}/bans``)."""

    profile: BannedProfile
    reason: str = ""


def _profile_fields(guild_id: int, profile: BannedProfile) -> dict[str, Any]:
    """The columns a profile fills; unknown roles are looked up in the guild cache first."""
    role_ids = profile.role_ids
    joined_at = profile.joined_at
    if role_ids is None:
        cached = GuildMember.objects.filter(guild_id=guild_id, user_id=profile.user_id).first()
        if cached is not None:
            role_ids = tuple(cached.role_ids)
            joined_at = joined_at or cached.joined_at
    return {
        "username": (profile.username or str(profile.user_id))[:100],
        "global_name": (profile.global_name or "")[:100],
        "nickname": (profile.nickname or "")[:100],
        "avatar": (profile.avatar or "")[:64],
        "role_ids": sorted({int(r) for r in role_ids or ()}),
        "roles_unknown": role_ids is None,
        "joined_at": joined_at,
    }


def ban_record(
    *, guild_id: int, profile: BannedProfile, audit: BanAudit | None = None, at: datetime | None = None
) -> MemberBan:
    """The user was banned (GUILD_BAN_ADD). A ban already recorded (a replayed event, or the audit
    log read later) is completed, never duplicated: known roles and the audit's details are kept."""
    audit = audit or BanAudit()
    return _record(guild_id, profile, audit, banned_at=audit.at or at or now())


def _record(
    guild_id: int, profile: BannedProfile, audit: BanAudit, *, banned_at: datetime | None
) -> MemberBan:
    fields = _profile_fields(guild_id, profile)
    for _attempt in range(2):
        try:
            with transaction.atomic():
                ban = (
                    MemberBan.objects.select_for_update()
                    .filter(guild_id=guild_id, user_id=profile.user_id, unbanned_at__isnull=True)
                    .first()
                )
                if ban is None:
                    return MemberBan.objects.create(
                        guild_id=guild_id,
                        user_id=profile.user_id,
                        banned_at=banned_at,
                        banned_by=audit.user_id,
                        reason=(audit.reason or "")[:512],
                        **fields,
                    )
                return _complete(ban, fields, audit)
        except IntegrityError:  # recorded at the same moment by another worker: complete that one
            continue
    raise AssertionError("unreachable: the concurrent ban was committed")


def _complete(ban: MemberBan, fields: dict[str, Any] | None, audit: BanAudit) -> MemberBan:
    changed: list[str] = []
    if fields and ban.roles_unknown and not fields["roles_unknown"]:
        for key, value in fields.items():
            setattr(ban, key, value)
        changed += list(fields)
    if audit.user_id and not ban.banned_by:
        ban.banned_by = audit.user_id
        changed.append("banned_by")
    if audit.reason and not ban.reason:
        ban.reason = audit.reason[:512]
        changed.append("reason")
    if audit.at and ban.banned_at is None:
        ban.banned_at = audit.at
        changed.append("banned_at")
    if changed:
        ban.save(update_fields=sorted(set(changed)))
    return ban


def ban_audit_note(*, guild_id: int, user_id: int, audit: BanAudit) -> MemberBan | None:
    """An audit-log entry of a ban arrived: fill who and why into the user's current ban."""
    ban = MemberBan.objects.filter(guild_id=guild_id, user_id=user_id, unbanned_at__isnull=True).first()
    if ban is None:
        return None
    with transaction.atomic():
        ban = MemberBan.objects.select_for_update().get(pk=ban.pk)
        return _complete(ban, None, audit)


def ban_lift(
    *, guild_id: int, user_id: int, audit: BanAudit | None = None, at: datetime | None = None
) -> MemberBan | None:
    """The ban was lifted (GUILD_BAN_REMOVE): the user's current ban ends. None when none was known."""
    audit = audit or BanAudit()
    with transaction.atomic():
        ban = (
            MemberBan.objects.select_for_update()
            .filter(guild_id=guild_id, user_id=user_id, unbanned_at__isnull=True)
            .first()
        )
        if ban is None:
            return None
        ban.unbanned_at = audit.at or at or now()
        ban.unbanned_by = audit.user_id
        ban.save(update_fields=["unbanned_at", "unbanned_by"])
        return ban


def bans_sync(
    *,
    guild_id: int,
    bans: Sequence[ListedBan],
    audits: dict[int, BanAudit] | None = None,
    listed_at: datetime | None = None,
) -> dict[str, int]:
    """The sweep at start, with the guild's whole ban list as Discord gave it at ``listed_at``:
    bans made while the bot was away are recorded (with the audit log's details when given), and
    recorded bans missing from the list were lifted meanwhile. Bans and unbans the gateway reported
    after ``listed_at`` are newer than the list and left as they are. Returns how many were
    ``added``, ``lifted`` and ``kept``."""
    audits = audits or {}
    listed_at = listed_at or now()
    listed = {b.profile.user_id: b for b in bans}
    mine = MemberBan.objects.filter(guild_id=guild_id)
    active = set(mine.filter(unbanned_at__isnull=True).values_list("user_id", flat=True))
    newer = set(mine.filter(recorded_at__gte=listed_at).values_list("user_id", flat=True)) | set(
        mine.filter(unbanned_at__gte=listed_at).values_list("user_id", flat=True)
    )
    added = 0
    for user_id in sorted(listed.keys() - active - newer):
        entry = listed[user_id]
        audit = audits.get(user_id, BanAudit())
        audit = BanAudit(user_id=audit.user_id, reason=entry.reason or audit.reason, at=audit.at)
        # Banned while the bot was away: when is known only from the audit log.
        _record(guild_id, entry.profile, audit, banned_at=audit.at)
        added += 1
    lifted = 0
    for user_id in sorted(active - listed.keys() - newer):
        if ban_lift(guild_id=guild_id, user_id=user_id, at=listed_at):
            lifted += 1
    return {"added": added, "lifted": lifted, "kept": len(active & listed.keys())}


def ban_recap_line(*, guild_id: int, user_id: int) -> str | None:
    """For a new ticket's header: when the user was last banned from the guild, or None."""
    history = MemberBan.objects.filter(guild_id=guild_id, user_id=user_id).order_by("-recorded_at", "-pk")
    last = history.first()
    if last is None:
        return None
    count = history.count()
    when = f"<t:{int(last.banned_at.timestamp())}:D>" if last.banned_at else _("an unknown date")
    if last.unbanned_at is None:
        text = _("Banned from the server since %(when)s.") % {"when": when}
    else:
        text = _("Banned from the server before: %(when)s, lifted <t:%(lifted)s:D>.") % {
            "when": when,
            "lifted": int(last.unbanned_at.timestamp()),
        }
    if last.reason:
        text += " " + _("Reason: %(reason)s") % {"reason": last.reason}
    if count > 1:
        text += " " + _("(%(count)s bans in all)") % {"count": count}
    return text
