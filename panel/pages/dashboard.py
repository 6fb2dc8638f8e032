"""``/panel``: the dashboard. The bot's status and controls, today's figures, the latest activity.

The bot block (``/panel/bot``) and the figures with the activity (``/panel/overview``) are fragments
the page refreshes with htmx: the bot block every few seconds and on ``rm:bot.status``, the overview
on ticket and message events. Start, stop, restart and presence (ManageBot) go through the same
services as ``/api/bot/*``; without JavaScript they are plain forms that come back to the dashboard.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panel.models import PanelPermission
from panel.pages.access import panel_page
from panel.selectors import hidden_categories
from panel.selectors.dashboard import bot_state, latest_activity, today_figures
from tickets.errors import DomainError
from tickets.models import SystemState
from tickets.services import botcontrol

Permission = PanelPermission.Permission
BOT_POLL_SECONDS = 5


def _bot_context(request: HttpRequest) -> dict:
    return {
        "bot": bot_state(),
        "presences": SystemState.Presence.choices,
        "bot_poll_seconds": BOT_POLL_SECONDS,
        "bot_actions": [("start", _("Start")), ("restart", _("Restart")), ("stop", _("Stop"))],
    }


def _overview_context(request: HttpRequest) -> dict:
    hidden = hidden_categories(request.access)
    return {"figures": today_figures(hidden=hidden), "activity": latest_activity(hidden=hidden)}


@require_GET
@panel_page(Permission.VIEW_PANEL)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard page."""
    return render(request, "panel/dashboard.html", {**_bot_context(request), **_overview_context(request)})


@require_GET
@panel_page(Permission.VIEW_PANEL)
def bot_panel(request: HttpRequest) -> HttpResponse:
    """The bot block alone (what htmx swaps in)."""
    return render(request, "panel/partials/dashboard_bot.html", _bot_context(request))


@require_GET
@panel_page(Permission.VIEW_PANEL)
def overview(request: HttpRequest) -> HttpResponse:
    """Today's figures and the latest activity alone (what htmx swaps in)."""
    return render(request, "panel/partials/dashboard_overview.html", _overview_context(request))


def _after_action(request: HttpRequest, text: str, *, error: bool = False) -> HttpResponse:
    """htmx: the refreshed bot block with the outcome in it; a plain form: back to the dashboard."""
    if request.htmx:
        context = {**_bot_context(request), "notice": text, "notice_error": error}
        return render(request, "panel/partials/dashboard_bot.html", context)
    (messages.error if error else messages.success)(request, text)
    return HttpResponseRedirect("/panel")


ACTIONS = {
    "start": lambda: _("Bot is starting") if botcontrol.bot_start() else _("Bot is already running"),
    "stop": lambda: _("Bot stopped") if botcontrol.bot_stop() else _("Bot is not running"),
    "restart": lambda: (botcontrol.bot_restart(), _("Bot is restarting"))[1],
}


@require_POST
@panel_page(Permission.MANAGE_BOT)
def bot_action(request: HttpRequest, action: str) -> HttpResponse:
    """``POST /panel/bot/start|stop|restart`` (ManageBot)."""
    return _after_action(request, ACTIONS[action]())


@require_POST
@panel_page(Permission.MANAGE_BOT)
def bot_presence(request: HttpRequest) -> HttpResponse:
    """``POST /panel/bot/presence`` ``presence=online|idle|dnd|invisible|maintenance`` (ManageBot).
    Any other value changes nothing and says so."""
    try:
        presence = botcontrol.bot_set_presence(presence=request.POST.get("presence", ""))
    except DomainError as error:
        return _after_action(request, error.message, error=True)
    label = dict(SystemState.Presence.choices)[presence]
    return _after_action(request, _("Presence set to %(presence)s") % {"presence": label})
