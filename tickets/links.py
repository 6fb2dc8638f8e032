"""Links to the panel in what the bot posts on Discord.

The panel's public base URL comes from the configuration: ``bot.ip`` (the panel's public address,
as Rustmail's ``logs`` uses it), else ``bot.redirect_url`` without its ``/api/auth/callback`` (as
Rustmail's close log does). With neither, there is no public address and no link: callers show
the bare ID instead of a link to ``localhost`` that nobody else could open.
"""

from __future__ import annotations

from django.urls import reverse

from tickets.models import BotConfig

CALLBACK_PATH = "/api/auth/callback"


def panel_base_url(cfg: BotConfig) -> str | None:
    """``https://panel.example.com`` (no trailing slash), or None when none is configured."""
    base = (cfg.bot_ip or "").strip()
    if not base:
        base = (cfg.bot_redirect_url or "").strip().removesuffix("/").removesuffix(CALLBACK_PATH)
    base = base.rstrip("/")
    if not base:
        return None
    if "://" not in base:
        base = f"http://{base}"
    return base


def panel_ticket_url(cfg: BotConfig, ticket_id: object) -> str | None:
    """The panel's page of a ticket (``<base>/panel/tickets/<id>``), or None without a public URL."""
    base = panel_base_url(cfg)
    if base is None:
        return None
    return base + reverse("panel:ticket", args=[str(ticket_id)])
