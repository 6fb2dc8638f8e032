"""``/panel/bans``: blocked users and the community guild's bans (ViewBans sees; ManageTickets
blocks and unblocks).

A block is the product's own: the user's DMs open nothing and they are told so. Bans are Discord's,
shown as the bot recorded them (roles, nickname and join date at the time, who banned and why from
the audit log); the panel does not ban or unban.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.models import PanelPermission
from panel.pages.access import forbidden, panel_page
from tickets.errors import DomainError, NotConfigured
from tickets.models import BlockedUser, BotConfig, GuildMember, Ticket
from tickets.selectors import bans_named, bans_page
from tickets.services import user_block, user_unblock
from tickets.services._common import community_guild_id
from tickets.services.closing import parse_duration
from tickets.snowflake import InvalidSnowflake, parse_snowflake

Permission = PanelPermission.Permission
BANS_PER_PAGE = 25
BAN_STATUSES = (
    ("active", gettext_lazy("Still banned")),
    ("lifted", gettext_lazy("Lifted")),
    ("all", gettext_lazy("All")),
)


class BlockForm(forms.Form):
    """Who to block (a Discord ID), why, and for how long (empty: until unblocked)."""

    user_id = forms.CharField(label=gettext_lazy("User ID"), max_length=20)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500, required=False)
    duration = forms.CharField(
        label=gettext_lazy("Duration"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("30m, 2h, 1d, 1d12h… Empty: until unblocked."),
    )

    def clean_user_id(self) -> int:
        try:
            return parse_snowflake(self.cleaned_data["user_id"])
        except InvalidSnowflake:
            raise forms.ValidationError(_("Not a Discord ID (17 to 20 digits).")) from None

    def clean_duration(self) -> str:
        duration = self.cleaned_data["duration"].strip()
        if duration:
            try:
                parse_duration(duration)
            except DomainError as error:
                raise forms.ValidationError(error.message) from None
        return duration


class BanFilterForm(forms.Form):
    """The bans list's filters (a GET form); an invalid value falls back to its default."""

    status = forms.ChoiceField(label=gettext_lazy("Bans"), choices=BAN_STATUSES, required=False)
    q = forms.CharField(label=gettext_lazy("Search a ban"), max_length=100, required=False)


def _user_name(user_id: int) -> str:
    """The user's name as the guild cache or their latest ticket knows it ("" if neither)."""
    member = GuildMember.objects.filter(user_id=user_id).only("global_name", "username").first()
    if member is not None:
        return member.global_name or member.username
    return (
        Ticket.objects.filter(user_id=user_id)
        .order_by("-created_at")
        .values_list("user_name", flat=True)
        .first()
        or ""
    )


def _blocks() -> list[BlockedUser]:
    """Every block, newest first, each with ``blocked_by_name`` from the guild cache."""
    blocks = list(BlockedUser.objects.order_by("-blocked_at", "-pk"))
    names = {
        m.user_id: m.global_name or m.username
        for m in GuildMember.objects.filter(user_id__in={b.blocked_by for b in blocks}).only(
            "user_id", "global_name", "username"
        )
    }
    for block in blocks:
        block.blocked_by_name = names.get(block.blocked_by, "")
    return blocks


def _bans(request: HttpRequest) -> dict[str, Any]:
    """The page of bans the filters ask for, with what the template needs to page through them."""
    form = BanFilterForm(request.GET)
    form.is_valid()
    status = form.cleaned_data.get("status") or "active"
    search = form.cleaned_data.get("q") or ""
    try:
        guild_id = community_guild_id(BotConfig.load())
    except NotConfigured:
        return {"ban_form": form, "bans": [], "bans_configured": False}
    active = {"active": True, "lifted": False, "all": None}[status]
    try:
        number = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        number = 1
    bans, total = bans_page(guild_id, page=number - 1, per_page=BANS_PER_PAGE, active=active, search=search)
    query = {"status": status, "q": search}
    return {
        "ban_form": form,
        "bans": bans_named(bans),
        "bans_total": total,
        "bans_configured": True,
        "previous_url": f"?{urlencode({**query, 'page': number - 1})}#bans" if number > 1 else "",
        "next_url": f"?{urlencode({**query, 'page': number + 1})}#bans"
        if number * BANS_PER_PAGE < total
        else "",
    }


@panel_page(permission=Permission.VIEW_BANS)
def bans(request: HttpRequest) -> HttpResponse:
    """GET: blocked users (with the block form for ManageTickets; ``?user=<id>`` fills it in, as the
    ticket page's "Block" link does) and the community guild's bans, filtered and paged."""
    may_change = request.access.has(Permission.MANAGE_TICKETS)
    initial = {"user_id": request.GET.get("user", "")[:20]}
    return _render(request, BlockForm(initial=initial), may_change=may_change)


def _render(request: HttpRequest, form: BlockForm, *, may_change: bool, status: int = 200) -> HttpResponse:
    context = {"block_form": form, "may_change": may_change, "blocks": _blocks(), **_bans(request)}
    return render(request, "panel/bans.html", context, status=status)


@panel_page(permission=Permission.VIEW_BANS)
def block(request: HttpRequest) -> HttpResponse:
    """POST (ManageTickets): block a user, then back to the page with a message; a refused block
    shows the form again with its error (400) and blocks nobody."""
    if not request.access.has(Permission.MANAGE_TICKETS):
        return forbidden(request, Permission.MANAGE_TICKETS)
    if request.method != "POST":
        return redirect("panel:bans")
    form = BlockForm(request.POST)
    if form.is_valid():
        if not request.access.discord_id:
            form.add_error(None, _("Sign in with Discord to block a user: a block records who made it."))
        else:
            user_id = form.cleaned_data["user_id"]
            try:
                user_block(
                    user_id=user_id,
                    staff_id=request.access.discord_id,
                    reason=form.cleaned_data["reason"],
                    duration=form.cleaned_data["duration"] or None,
                    user_name=_user_name(user_id),
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("User %(user)s blocked: their DMs open no ticket.") % {"user": user_id}
                )
                return redirect("panel:bans")
    return _render(request, form, may_change=True, status=400)


@panel_page(permission=Permission.VIEW_BANS)
def unblock(request: HttpRequest, user_id: int) -> HttpResponse:
    """POST (ManageTickets): lift a block, then back to the page with a message."""
    if not request.access.has(Permission.MANAGE_TICKETS):
        return forbidden(request, Permission.MANAGE_TICKETS)
    if request.method != "POST":
        return redirect("panel:bans")
    try:
        user_unblock(user_id=user_id)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("User %(user)s unblocked.") % {"user": user_id})
    return redirect("panel:bans")
