"""``/panel/tickets`` (the list) and ``/panel/tickets/<id>`` (one conversation, and staff actions).

Every page works as plain HTML: filters are GET forms, paging and "load older" are links, actions
are POST forms that redirect back with a message. With htmx, the same views answer with the
fragment to swap (``request.htmx``): the list's rows, a page of older messages, the messages since
the newest shown, the side panel after an action. Live events (``rm:*`` on ``<body>``, from
``live.js``) make the list and the conversation fetch those fragments by themselves.

The reads are ``panel.selectors.tickets``' (the API's category rule); the actions are
``panel.ticket_actions``, i.e. the bot's own services.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panel import ticket_actions
from panel.models import PanelPermission
from panel.pages.access import forbidden, panel_page
from panel.pages.forms_tickets import (
    CloseForm,
    ConversationFilterForm,
    MoveForm,
    NoteForm,
    ReplyForm,
    TicketFilterForm,
)
from panel.selectors import hidden_categories
from panel.selectors.search import ticket_search_list
from panel.selectors.tickets import (
    ConversationPage,
    TicketEvent,
    conversation_page,
    message_cursor,
    ticket_list,
    visible_ticket,
)
from panel.templatetags.panel import avatar
from tickets.errors import DomainError, PermissionDenied, TicketNotFound
from tickets.models import (
    GuildChannel,
    GuildMember,
    ScheduledClosure,
    Snippet,
    Ticket,
    TicketMessage,
)
from tickets.search import MAX_QUERY_LENGTH

Permission = PanelPermission.Permission
LIST_PAGE_SIZE = 50
CONVERSATION_PAGE_SIZE = 60
CATEGORY = 4
FRESH = timedelta(seconds=10)
LIST_FILTERS = ("q", "status", "category", "staff", "user", "sort", "order", "size")
CONVERSATION_FILTERS = ("show", "q")


# --- shared helpers ---------------------------------------------------------------------------
def _people(ids: Iterable[int | None]) -> dict[int, GuildMember]:
    """Cached guild members by Discord ID (one query), for names and avatars."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {
        m.user_id: m
        for m in GuildMember.objects.filter(user_id__in=wanted).only(
            "user_id", "username", "global_name", "avatar"
        )
    }


def _name(people: dict[int, GuildMember], discord_id: int | None) -> str:
    member = people.get(discord_id or 0)
    if member is None:
        return str(discord_id) if discord_id else ""
    return member.global_name or member.username


def _keep(query: QueryDict, names: Iterable[str], **extra: str) -> str:
    """The query string of ``names`` taken from ``query`` (lists kept), with ``extra`` set."""
    pairs = [(name, value) for name in names for value in query.getlist(name) if value != ""]
    pairs += [(name, value) for name, value in extra.items() if value]
    return urlencode(pairs)


def _hidden(request: HttpRequest) -> frozenset[int]:
    """The categories the caller may not see (the API's rule), computed once per request."""
    if not hasattr(request, "_hidden_categories"):
        request._hidden_categories = hidden_categories(request.access)
    return request._hidden_categories


def _categories(request: HttpRequest) -> list[tuple[int, str]]:
    """The staff guild's Discord categories the caller may see, by position."""
    access = request.access
    hidden = _hidden(request)
    rows = GuildChannel.objects.filter(guild_id=access.guild_id, type=CATEGORY).values_list(
        "channel_id", "name"
    )
    return [(i, n) for i, n in rows if i not in hidden]


# --- the list -----------------------------------------------------------------------------------
@panel_page(Permission.VIEW_PANEL)
@require_GET
def tickets(request: HttpRequest) -> HttpResponse:
    """The tickets list: filters, sorting and keyset paging (``after``/``before`` cursors); with
    ``q``, a full-text search of every ticket, best match first, with highlighted snippets.

    ``?fragment=list`` (what htmx asks when an event arrives) answers with the list alone."""
    access = request.access
    hidden = _hidden(request)
    staff_ids = list(
        Ticket.objects.filter(status=Ticket.Status.OPEN, taken_by__isnull=False)
        .order_by()
        .values_list("taken_by", flat=True)
        .distinct()[:200]
    )
    people = _people(staff_ids)
    categories = _categories(request)
    form = TicketFilterForm(
        request.GET,
        categories=categories,
        staff=sorted(((i, _name(people, i)) for i in staff_ids), key=lambda pair: pair[1].lower()),
        me=access.discord_id,
    )
    query = form.query(
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        page_size=_int(request.GET.get("size"), LIST_PAGE_SIZE),
    )
    search = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    if search:  # full-text search: every status unless one is chosen, best match first
        if not request.GET.get("status"):
            query = dataclasses.replace(query, status="all")
        page = ticket_search_list(query=query, text=search, hidden=hidden, include_deleted=access.is_admin)
    else:
        page = ticket_list(query=query, hidden=hidden)
    rows = page.tickets
    people.update(_people([t.user_id for t in rows] + [t.taken_by for t in rows if t.taken_by not in people]))
    fresh_since = timezone.now() - FRESH
    names = dict(categories)
    for ticket in rows:
        _decorate(ticket, people, fresh_since)
        ticket.category_label = ticket.category_name or names.get(ticket.category_id, "")
    filters = _keep(request.GET, LIST_FILTERS)
    context = {
        "form": form,
        "search": search,
        "page": page,
        "tickets": rows,
        "filters": filters,
        "first_page": not (query.after or query.before),
        "next_url": f"?{_keep(request.GET, LIST_FILTERS, after=page.next_cursor)}"
        if page.next_cursor
        else "",
        "previous_url": (
            f"?{_keep(request.GET, LIST_FILTERS, before=page.previous_cursor)}"
            if page.previous_cursor
            else ""
        ),
        "list_url": f"{reverse('panel:tickets')}?{_keep(request.GET, LIST_FILTERS, fragment='list')}",
    }
    if request.GET.get("fragment") == "list":
        return render(request, "panel/partials/tickets_list.html", context)
    return render(request, "panel/tickets.html", context)


def _decorate(ticket: Ticket, people: dict[int, GuildMember], fresh_since: Any) -> None:
    """What a row shows beyond the ticket's columns: avatar, the handler's name, a highlight."""
    member = people.get(ticket.user_id)
    ticket.user_avatar = member.avatar if member else ""
    ticket.staff_name = _name(people, ticket.taken_by)
    ticket.is_fresh = (ticket.last_message_at or ticket.created_at) >= fresh_since


def _int(value: str | None, default: int) -> int:
    try:
        return max(int(value or default), 1)
    except ValueError:
        return default


# --- one ticket ----------------------------------------------------------------------------------
def _ticket_or_error(request: HttpRequest, ticket_id: str) -> Ticket | HttpResponse:
    """The ticket of the URL, or the 404 / 403 page (a hidden category, as the API answers)."""
    try:
        return visible_ticket(ticket_id=ticket_id, hidden=_hidden(request))
    except TicketNotFound:
        raise Http404(_("There is no such ticket.")) from None
    except PermissionDenied:
        return forbidden(request)


def _conversation_context(request: HttpRequest, ticket: Ticket, page: ConversationPage) -> dict[str, Any]:
    """Names of the staff in events and the URLs of the fragments around a page of messages."""
    actors = [i.actor_id for i in page.items if isinstance(i, TicketEvent)]
    people = _people([*actors, ticket.user_id])
    for item in page.items:
        if isinstance(item, TicketEvent) and item.actor_id:
            object.__setattr__(item, "actor", _name(people, item.actor_id))
            if item.kind in ("close_scheduled", "closed"):
                object.__setattr__(item, "detail", item.detail or item.actor)
    messages_url = reverse("panel:ticket_messages", args=[ticket.pk])
    ticket_url = reverse("panel:ticket", args=[ticket.pk])
    member = people.get(ticket.user_id)
    return {
        "ticket": ticket,
        "conversation": page,
        "user_member": member,
        "messages_url": messages_url,
        "user_avatar": avatar(ticket.user_id, ticket.user_name, member.avatar if member else "", 22),
        "older_url": f"{messages_url}?{_keep(request.GET, CONVERSATION_FILTERS, before=page.older_cursor)}",
        "older_link": f"{ticket_url}?{_keep(request.GET, CONVERSATION_FILTERS, before=page.older_cursor)}",
        "tail_url": f"{messages_url}?{_keep(request.GET, CONVERSATION_FILTERS)}",
    }


def _side_context(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    """The side panel: the ticket's state and, for ManageTickets holders, the action forms."""
    access = request.access
    people = _people([ticket.user_id, ticket.taken_by])
    pending = (
        ScheduledClosure.objects.filter(ticket=ticket, state=ScheduledClosure.State.PENDING)
        .order_by("due_at")
        .first()
    )
    may_manage = access.has(Permission.MANAGE_TICKETS)
    categories = _categories(request)
    context: dict[str, Any] = {
        "ticket": ticket,
        "category_label": ticket.category_name or dict(categories).get(ticket.category_id, ""),
        "user_member": people.get(ticket.user_id),
        "staff_name": _name(people, ticket.taken_by),
        "pending_close": pending,
        "message_count": TicketMessage.objects.filter(ticket=ticket).count(),
        "may_manage": may_manage,
        "is_mine": bool(access.discord_id and ticket.taken_by == access.discord_id),
    }
    if may_manage and ticket.is_open:
        names = [name for channel_id, name in categories if channel_id != ticket.category_id]
        context["close_form"] = CloseForm()
        context["move_form"] = MoveForm(categories=names)
    return context


def _composer_context(request: HttpRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    snippets = list(Snippet.objects.order_by("key").values_list("key", flat=True))
    return {
        "ticket": ticket,
        "may_manage": request.access.has(Permission.MANAGE_TICKETS),
        "reply_form": forms.get("reply_form") or ReplyForm(snippets=snippets),
        "note_form": forms.get("note_form") or NoteForm(),
        "snippets": snippets,
    }


@panel_page(Permission.VIEW_PANEL)
@require_GET
def ticket(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """The conversation (its newest page, or the page before ``?before=``), its state, and actions."""
    found = _ticket_or_error(request, ticket_id)
    if isinstance(found, HttpResponse):
        return found
    return _ticket_page(request, found)


def _ticket_page(request: HttpRequest, ticket: Ticket, *, status: int = 200, **forms: Any) -> HttpResponse:
    filters = ConversationFilterForm(request.GET)
    page = conversation_page(
        ticket=ticket,
        kinds=filters.kinds(),
        search=filters.search(),
        before=request.GET.get("before", ""),
        page_size=CONVERSATION_PAGE_SIZE,
    )
    context = {
        **_conversation_context(request, ticket, page),
        **_side_context(request, ticket),
        **_composer_context(request, ticket, **forms),
        "filters": filters,
        "side_url": reverse("panel:ticket_side", args=[ticket.pk]),
        "paged": bool(request.GET.get("before")),
        "newest_link": f"?{_keep(request.GET, CONVERSATION_FILTERS)}",
    }
    return render(request, "panel/ticket.html", context, status=status)


@panel_page(Permission.VIEW_PANEL)
@require_GET
def ticket_messages(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """A fragment of the conversation: ``?before=`` the page of older messages (with the link to the
    one before it), ``?after=`` the messages since (with the live tail that fetches the next ones),
    neither: the newest page, as the filters ask."""
    found = _ticket_or_error(request, ticket_id)
    if isinstance(found, HttpResponse):
        return found
    filters = ConversationFilterForm(request.GET)
    after = request.GET.get("after", "")
    page = conversation_page(
        ticket=found,
        kinds=filters.kinds(),
        search=filters.search(),
        before=request.GET.get("before", ""),
        after=after,
        page_size=CONVERSATION_PAGE_SIZE,
    )
    context = _conversation_context(request, found, page)
    if after:
        template = "panel/partials/ticket_tail.html"
    elif request.GET.get("before"):
        template = "panel/partials/ticket_older.html"
    else:
        template = "panel/partials/ticket_conversation.html"
    return render(request, template, context)


@panel_page(Permission.VIEW_PANEL)
@require_GET
def ticket_message(request: HttpRequest, ticket_id: str, message_id: int) -> HttpResponse:
    """One message as it is now (after an edit or a deletion)."""
    found = _ticket_or_error(request, ticket_id)
    if isinstance(found, HttpResponse):
        return found
    message = (
        TicketMessage.objects.filter(ticket=found, pk=message_id)
        .prefetch_related("attachments", "edits")
        .first()
    )
    if message is None:
        raise Http404(_("There is no such message."))
    message.cursor = message_cursor(message)
    context = {
        "ticket": found,
        "item": message,
        "messages_url": reverse("panel:ticket_messages", args=[found.pk]),
        "user_avatar": avatar(found.user_id, found.user_name, "", 22),
    }
    return render(request, "panel/partials/ticket_message.html", context)


@panel_page(Permission.VIEW_PANEL)
@require_GET
def ticket_side(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """The side panel alone (what a ``ticket.updated`` event refreshes), with the composer out of band."""
    found = _ticket_or_error(request, ticket_id)
    if isinstance(found, HttpResponse):
        return found
    return _side_response(request, found)


def _side_response(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    # The composer goes with it only once the ticket is closed: an open one keeps what is being typed.
    context = {
        **_side_context(request, ticket),
        **_composer_context(request, ticket),
        "with_composer": not ticket.is_open,
    }
    return render(request, "panel/partials/ticket_side.html", context)


# --- actions -------------------------------------------------------------------------------------
def _posted_forms(request: HttpRequest) -> dict[str, Any]:
    """The composer's form bound to what was posted, so a refused reply or note keeps its text."""
    if request.resolver_match and request.resolver_match.url_name == "ticket_reply":
        snippets = list(Snippet.objects.order_by("key").values_list("key", flat=True))
        form = ReplyForm(request.POST, snippets=snippets)
        return {"reply_form": form}
    return {"note_form": NoteForm(request.POST)}


def _act(
    request: HttpRequest,
    ticket_id: str,
    action: Callable[[Ticket], str],
    *,
    composer: bool = False,
) -> HttpResponse:
    """Run an action on the ticket and say how it went. Without htmx: back to the ticket page with a
    message (a refused reply or note: the page again, its text kept). With htmx: the part of the
    page the action changes (the composer, or the side panel), with the message in it."""
    found = _ticket_or_error(request, ticket_id)
    if isinstance(found, HttpResponse):
        return found
    try:
        text, failed = action(found), False
    except DomainError as error:
        text, failed = error.message, True
    forms = _posted_forms(request) if failed and composer else {}
    for form in forms.values():
        form.is_valid()
    if not request.htmx:
        if not failed or not composer:
            (messages.error if failed else messages.success)(request, text)
            anchor = "#composer" if composer else ""
            return HttpResponseRedirect(reverse("panel:ticket", args=[found.pk]) + anchor)
        messages.error(request, text)
        return _ticket_page(request, found, status=400, **forms)
    found.refresh_from_db()
    notice = {"notice": text, "notice_failed": failed}
    if composer:
        context = {**_composer_context(request, found, **forms), **notice}
        response = render(request, "panel/partials/ticket_composer.html", context)
    else:
        context = {
            **_side_context(request, found),
            **_composer_context(request, found),
            **notice,
            "with_composer": not found.is_open,
        }
        response = render(request, "panel/partials/ticket_side.html", context)
    if not failed:
        # The conversation fetches what the action added (live events do too; this is at once).
        response["HX-Trigger"] = "rm:refresh-tail"
    return response


def _first_error(form: Any) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return _("Check the form.")


@panel_page(Permission.MANAGE_TICKETS)
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """Send a reply to the user (``anonymous`` hides the sender), as ``!reply``/``!anonreply``."""

    def action(ticket: Ticket) -> str:
        form = ReplyForm(request.POST, snippets=list(Snippet.objects.values_list("key", flat=True)))
        if not form.is_valid():
            raise DomainError(_first_error(form))
        message = ticket_actions.reply(
            ticket=ticket,
            access=request.access,
            content=form.cleaned_data["text"],
            anonymous=form.cleaned_data["anonymous"],
        )
        return _("Reply #%(n)s sent.") % {"n": message.message_number}

    return _act(request, ticket_id, action, composer=True)


@panel_page(Permission.MANAGE_TICKETS)
@require_POST
def ticket_note(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """Add an internal note (posted in the ticket channel, never sent to the user)."""

    def action(ticket: Ticket) -> str:
        form = NoteForm(request.POST)
        if not form.is_valid():
            raise DomainError(_first_error(form))
        ticket_actions.note(ticket=ticket, access=request.access, content=form.cleaned_data["content"])
        return _("Note added.")

    return _act(request, ticket_id, action, composer=True)


@panel_page(Permission.MANAGE_TICKETS)
@require_POST
def ticket_close(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """Close now, or after ``delay``; ``silent``: without the close message (as ``!close [-s] [2h]``)."""

    def action(ticket: Ticket) -> str:
        form = CloseForm(request.POST)
        if not form.is_valid():
            raise DomainError(_first_error(form))
        silent = form.cleaned_data["silent"]
        delay = form.cleaned_data["delay"].strip()
        if delay:
            due = ticket_actions.close_later(ticket=ticket, access=request.access, delay=delay, silent=silent)
            return _("The ticket will close on %(when)s.") % {
                "when": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
            }
        ticket_actions.close_now(ticket=ticket, access=request.access, silent=silent)
        return _("The ticket was closed silently.") if silent else _("The ticket was closed.")

    return _act(request, ticket_id, action)


@panel_page(Permission.MANAGE_TICKETS)
@require_POST
def ticket_close_cancel(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """Cancel the scheduled close (``!close -c``)."""

    def action(ticket: Ticket) -> str:
        ticket_actions.close_cancel(ticket=ticket, access=request.access)
        return _("The scheduled close was cancelled.")

    return _act(request, ticket_id, action)


@panel_page(Permission.MANAGE_TICKETS)
@require_POST
def ticket_take(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """Handle the ticket yourself (``!take``)."""

    def action(ticket: Ticket) -> str:
        ticket_actions.take(ticket=ticket, access=request.access)
        return _("You now handle this ticket.")

    return _act(request, ticket_id, action)


@panel_page(Permission.MANAGE_TICKETS)
@require_POST
def ticket_release(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """Stop handling the ticket (``!release``)."""

    def action(ticket: Ticket) -> str:
        ticket_actions.release(ticket=ticket, access=request.access)
        return _("Nobody handles this ticket any more.")

    return _act(request, ticket_id, action)


@panel_page(Permission.MANAGE_TICKETS)
@require_POST
def ticket_move(request: HttpRequest, ticket_id: str) -> HttpResponse:
    """Move the ticket to another Discord category (``!move_thread``)."""

    def action(ticket: Ticket) -> str:
        form = MoveForm(request.POST, categories=[name for _id, name in _categories(request)])
        if not form.is_valid():
            raise DomainError(_first_error(form))
        moved = ticket_actions.move(
            ticket=ticket, access=request.access, category=form.cleaned_data["category"]
        )
        return _("Moved to %(category)s.") % {"category": moved.name}

    return _act(request, ticket_id, action)
