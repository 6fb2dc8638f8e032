"""Ban records (tickets.services.bans and the ban selectors) and reminder subscriptions, without Discord."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tickets import selectors, services
from tickets.errors import Conflict, PermissionDenied
from tickets.models import GuildMember, GuildRole, MemberBan, ReminderOptOut
from tickets.services.bans import (
    BanAudit,
    BannedProfile,
    ListedBan,
    ban_audit_note,
    ban_lift,
    ban_recap_line,
    ban_record,
    bans_sync,
)

pytestmark = pytest.mark.django_db

GUILD = 800_000_000_000_000_001
MOD = 810_000_000_000_000_009
ALICE = 820_000_000_000_000_001
BOB = 820_000_000_000_000_002
CAROL = 820_000_000_000_000_003
ROLE = 830_000_000_000_000_001
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def profile(user_id: int = ALICE, name: str = "alice", **kwargs) -> BannedProfile:
    return BannedProfile(user_id=user_id, username=name, global_name=name.title(), **kwargs)


def test_a_ban_keeps_the_profile_given_and_the_audit_details():
    joined = T0 - timedelta(days=30)
    ban = ban_record(
        guild_id=GUILD,
        profile=profile(nickname="Ally", role_ids=(ROLE,), joined_at=joined),
        audit=BanAudit(user_id=MOD, reason="spam", at=T0),
    )
    assert (ban.nickname, ban.role_ids, ban.roles_unknown, ban.joined_at) == ("Ally", [ROLE], False, joined)
    assert (ban.banned_by, ban.reason, ban.banned_at, ban.is_active) == (MOD, "spam", T0, True)


def test_unknown_roles_come_from_the_guild_cache_or_stay_unknown():
    GuildMember.objects.create(guild_id=GUILD, user_id=ALICE, username="alice", role_ids=[ROLE], joined_at=T0)
    cached = ban_record(guild_id=GUILD, profile=profile())
    assert cached.role_ids == [ROLE] and not cached.roles_unknown and cached.joined_at == T0
    stranger = ban_record(guild_id=GUILD, profile=profile(BOB, "bob"))
    assert stranger.role_ids == [] and stranger.roles_unknown


def test_a_replayed_ban_completes_the_record_instead_of_adding_one():
    first = ban_record(guild_id=GUILD, profile=profile(), at=T0)
    again = ban_record(
        guild_id=GUILD, profile=profile(role_ids=(ROLE,)), audit=BanAudit(user_id=MOD, reason="raid")
    )
    assert again.pk == first.pk and MemberBan.objects.count() == 1
    again.refresh_from_db()
    assert (again.role_ids, again.roles_unknown, again.banned_by, again.reason) == (
        [ROLE],
        False,
        MOD,
        "raid",
    )
    # What is known stays: a later, poorer event does not erase it.
    ban_record(guild_id=GUILD, profile=profile(), audit=BanAudit(user_id=ALICE, reason="other"))
    again.refresh_from_db()
    assert (again.role_ids, again.banned_by, again.reason, again.banned_at) == ([ROLE], MOD, "raid", T0)


def test_a_late_audit_entry_fills_who_and_why():
    assert ban_audit_note(guild_id=GUILD, user_id=ALICE, audit=BanAudit(user_id=MOD)) is None
    ban_record(guild_id=GUILD, profile=profile())
    ban = ban_audit_note(guild_id=GUILD, user_id=ALICE, audit=BanAudit(user_id=MOD, reason="late"))
    assert (ban.banned_by, ban.reason) == (MOD, "late")


def test_one_active_ban_per_user_and_guild_is_enforced_by_the_database():
    ban_record(guild_id=GUILD, profile=profile())
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberBan.objects.create(guild_id=GUILD, user_id=ALICE, username="alice")


def test_an_unban_ends_the_ban_and_a_new_ban_is_a_new_record():
    assert ban_lift(guild_id=GUILD, user_id=ALICE) is None
    first = ban_record(guild_id=GUILD, profile=profile(), audit=BanAudit(reason="spam", at=T0))
    lifted = ban_lift(guild_id=GUILD, user_id=ALICE, audit=BanAudit(user_id=MOD, at=T0 + timedelta(days=1)))
    assert lifted.pk == first.pk and lifted.unbanned_by == MOD and not lifted.is_active
    line = ban_recap_line(guild_id=GUILD, user_id=ALICE)
    assert "Banned from the server before" in line and f"<t:{int(T0.timestamp())}:D>" in line
    assert "spam" in line and "bans in all" not in line

    second = ban_record(guild_id=GUILD, profile=profile(), audit=BanAudit(reason="again"))
    assert second.pk != first.pk
    line = ban_recap_line(guild_id=GUILD, user_id=ALICE)
    assert "Banned from the server since" in line and "again" in line and "(2 bans in all)" in line
    assert ban_recap_line(guild_id=GUILD, user_id=BOB) is None
    assert ban_recap_line(guild_id=GUILD + 1, user_id=ALICE) is None


def test_the_sweep_adds_bans_made_while_away_and_lifts_those_gone():
    ban_record(guild_id=GUILD, profile=profile())  # still banned
    ban_record(guild_id=GUILD, profile=profile(BOB, "bob"))  # unbanned while away
    counts = bans_sync(
        guild_id=GUILD,
        bans=[
            ListedBan(profile(), reason=""),
            ListedBan(profile(CAROL, "carol"), reason="raid"),
            ListedBan(profile(MOD + 1, "ghost"), reason=""),
        ],
        audits={CAROL: BanAudit(user_id=MOD, at=T0)},
        listed_at=timezone.now(),
    )
    assert counts == {"added": 2, "lifted": 1, "kept": 1}
    carol = MemberBan.objects.get(user_id=CAROL)
    assert (carol.reason, carol.banned_by, carol.banned_at, carol.roles_unknown) == ("raid", MOD, T0, True)
    ghost = MemberBan.objects.get(user_id=MOD + 1)
    assert ghost.banned_at is None  # when is unknown without the audit log
    assert not MemberBan.objects.get(user_id=BOB).is_active
    assert bans_sync(guild_id=GUILD, bans=[ListedBan(profile())], audits={}) == {
        "added": 0,
        "lifted": 2,
        "kept": 1,
    }


def test_ban_find_by_id_mention_or_name_in_any_case():
    ban_record(guild_id=GUILD, profile=profile(nickname="Ally"))
    ban_record(guild_id=GUILD, profile=BannedProfile(user_id=BOB, username="bob", global_name="Twin"))
    ban_record(guild_id=GUILD, profile=BannedProfile(user_id=CAROL, username="carol", global_name="twin"))
    assert [b.user_id for b in selectors.ban_find(GUILD, str(ALICE))] == [ALICE]
    assert [b.user_id for b in selectors.ban_find(GUILD, f"<@!{ALICE}>")] == [ALICE]
    assert [b.user_id for b in selectors.ban_find(GUILD, f"<@{ALICE}>")] == [ALICE]
    assert [b.user_id for b in selectors.ban_find(GUILD, "@ALLY")] == [ALICE]
    assert {b.user_id for b in selectors.ban_find(GUILD, "TWIN")} == {BOB, CAROL}
    assert selectors.ban_find(GUILD, "nobody") == []
    assert selectors.ban_find(GUILD, "   ") == []
    assert selectors.ban_find(GUILD, "9" * 30) == []
    assert selectors.ban_find(GUILD + 1, str(ALICE)) == []


def test_ban_find_shows_a_user_once_with_their_latest_ban():
    ban_record(guild_id=GUILD, profile=profile(), audit=BanAudit(reason="first"))
    ban_lift(guild_id=GUILD, user_id=ALICE)
    ban_record(guild_id=GUILD, profile=profile(), audit=BanAudit(reason="second"))
    assert [b.reason for b in selectors.ban_find(GUILD, "alice")] == ["second"]
    assert [b.reason for b in selectors.ban_history(GUILD, ALICE)] == ["second", "first"]


def test_bans_page_pages_filters_and_searches():
    for i in range(5):
        ban_record(guild_id=GUILD, profile=profile(ALICE + 10 + i, f"user{i}"))
    ban_lift(guild_id=GUILD, user_id=ALICE + 10)
    page, total = selectors.bans_page(GUILD, page=0, per_page=2)
    assert total == 4 and [b.username for b in page] == ["user4", "user3"]
    page, total = selectors.bans_page(GUILD, page=1, per_page=2)
    assert [b.username for b in page] == ["user2", "user1"]
    assert selectors.bans_page(GUILD, page=2, per_page=2) == ([], 4)
    assert [b.username for b in selectors.bans_page(GUILD, active=False)[0]] == ["user0"]
    assert selectors.bans_page(GUILD, active=None)[1] == 5
    assert [b.username for b in selectors.bans_page(GUILD, active=None, search="USER3")[0]] == ["user3"]
    assert [b.username for b in selectors.bans_page(GUILD, search=str(ALICE + 12))[0]] == ["user2"]


# --- reminder subscriptions -------------------------------------------------------------------
def test_reminder_subscription_needs_the_role_and_shares_the_optouts_with_the_toggle():
    with pytest.raises(PermissionDenied):
        services.reminder_subscription_set(role_id=ROLE, user_id=ALICE, member_role_ids=[], subscribe=False)
    with pytest.raises(Conflict):
        services.reminder_subscription_set(
            role_id=ROLE, user_id=ALICE, member_role_ids=[ROLE], subscribe=True
        )

    services.reminder_subscription_set(role_id=ROLE, user_id=ALICE, member_role_ids=[ROLE], subscribe=False)
    assert list(ReminderOptOut.objects.values_list("role_id", "user_id")) == [(ROLE, ALICE)]
    with pytest.raises(Conflict):
        services.reminder_subscription_set(
            role_id=ROLE, user_id=ALICE, member_role_ids=[ROLE], subscribe=False
        )

    assert services.reminder_optout_toggle(role_id=ROLE, user_id=ALICE) is False  # resumed
    assert not ReminderOptOut.objects.exists()
    assert services.reminder_optout_toggle(role_id=ROLE, user_id=ALICE) is True
    services.reminder_subscription_set(role_id=ROLE, user_id=ALICE, member_role_ids=[ROLE], subscribe=True)
    assert not ReminderOptOut.objects.exists()


def test_bans_named_resolves_roles_and_moderators_from_the_guild_cache():
    GuildRole.objects.create(guild_id=GUILD, role_id=ROLE, name="VIP")
    GuildMember.objects.create(guild_id=GUILD, user_id=MOD, username="mod", global_name="The Mod")
    ban_record(
        guild_id=GUILD, profile=profile(role_ids=(ROLE, ROLE + 1)), audit=BanAudit(user_id=MOD, reason="x")
    )
    ban_record(guild_id=GUILD, profile=profile(BOB, "bob"))
    page, _total = selectors.bans_page(GUILD)
    named = {b.user_id: b for b in selectors.bans_named(page)}
    assert named[ALICE].role_names == ["VIP", str(ROLE + 1)]
    assert (named[ALICE].banned_by_name, named[ALICE].unbanned_by_name) == ("The Mod", "")
    assert (named[BOB].role_names, named[BOB].banned_by_name) == ([], "")


def test_the_sweep_leaves_alone_what_the_gateway_reported_after_the_list_was_read():
    listed_at = timezone.now()
    ban_record(guild_id=GUILD, profile=profile())  # banned just after the list was read
    ban_record(guild_id=GUILD, profile=profile(BOB, "bob"))
    ban_lift(guild_id=GUILD, user_id=BOB)  # unbanned just after: the list still has them
    counts = bans_sync(guild_id=GUILD, bans=[ListedBan(profile(BOB, "bob"))], listed_at=listed_at)
    assert counts == {"added": 0, "lifted": 0, "kept": 0}
    assert MemberBan.objects.get(user_id=ALICE).is_active
    assert not MemberBan.objects.filter(user_id=BOB, unbanned_at__isnull=True).exists()
