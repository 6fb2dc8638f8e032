"""``logs search <words>`` and ``/logs query:``: the tickets whose messages or fields match, as one
embed (best match first, each with its best snippet in bold and a link to its panel page)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import nextcord
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tickets.links import panel_ticket_url
from tickets.models import BotConfig, Ticket
from tickets.search import MARK_END, MARK_START, Highlight, search_tickets

SHOWN = 10
DESCRIPTION_LIMIT = 4000  # Discord allows 4096 characters in an embed's description
SNIPPET_CHARS = 200


@dataclass(frozen=True)
class LogSearch:
    """The best tickets for a query, how many match in all, each one's best highlight and URL."""

    tickets: list[Ticket]
    total: int
    highlights: dict[uuid.UUID, Highlight]
    urls: dict[uuid.UUID, str | None]


def logs_search(*, text: str, include_deleted: bool, cfg: BotConfig) -> LogSearch:
    """Search every ticket (in the thread pool: it reads the database and resolves panel URLs).
    Deleted messages are searched for administrators only, as on the panel."""
    result = search_tickets(text=text, include_deleted=include_deleted, limit=SHOWN, snippets=1)
    found = Ticket.objects.in_bulk(result.ticket_ids)
    tickets = [found[key] for key in result.ticket_ids if key in found]
    return LogSearch(
        tickets=tickets,
        total=result.total,
        highlights={key: marks[0] for key, marks in result.highlights.items() if marks},
        urls={t.pk: panel_ticket_url(cfg, t.pk) for t in tickets},
    )


def snippet_markdown(highlight: Highlight) -> str:
    """A highlight as Discord markdown: the text escaped, the matched words in bold."""
    text = highlight.short()
    if len(text) > SNIPPET_CHARS:
        text = text[: SNIPPET_CHARS - 1] + "…"
    text = nextcord.utils.escape_mentions(nextcord.utils.escape_markdown(text))
    text = text.replace(MARK_START, "**").replace(MARK_END, "**")
    return text + "**" if text.count("**") % 2 else text


def logs_search_embed(found: LogSearch, *, text: str, color: int) -> nextcord.Embed:
    """The results as an embed, in the current language."""
    query = nextcord.utils.escape_markdown(text[:100])
    lines: list[str] = []
    for ticket in found.tickets:
        url = found.urls.get(ticket.pk)
        link = f"[`{ticket.pk}`]({url})" if url else f"`{ticket.pk}`"
        status = ticket.get_status_display()
        when = ticket.closed_at or ticket.created_at
        line = f"**{nextcord.utils.escape_markdown(ticket.user_name)}** (`{ticket.user_id}`) · {status} "
        line += f"<t:{int(when.timestamp())}:d> · {link}"
        highlight = found.highlights.get(ticket.pk)
        if highlight is not None and highlight.source == "message":
            line += "\n> " + snippet_markdown(highlight)
        if sum(len(x) + 1 for x in lines) + len(line) > DESCRIPTION_LIMIT:
            break
        lines.append(line)
    embed = nextcord.Embed(
        title=_("Tickets matching “%(query)s”") % {"query": query},
        description="\n".join(lines) or _("No ticket matches “%(query)s”.") % {"query": query},
        color=color,
    )
    if found.total:
        embed.set_footer(
            text=ngettext(
                "%(shown)s of %(total)s ticket, best match first",
                "%(shown)s of %(total)s tickets, best match first",
                found.total,
            )
            % {"shown": len(lines), "total": found.total}
        )
    return embed
