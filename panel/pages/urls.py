"""Routes of the web panel, mounted at the site's root (after ``admin/`` and ``api/``).

Paths have no trailing slash, as Rustmail's panel (its links keep working). Every view is guarded by
``panel.pages.access.panel_page``, except the sign-in, logout and language views (open to anyone).
tests/panel/test_page_permissions.py fails when a route here has no row in its matrix.
"""

from django.urls import path, re_path

from panel.pages import administration as administration_pages
from panel.pages import apikeys as apikey_pages
from panel.pages import bans as ban_pages
from panel.pages import categories as category_pages
from panel.pages import configuration as configuration_pages
from panel.pages import dashboard, language, signin, tickets
from panel.pages import profile as profile_pages
from panel.pages import setup as setup_pages
from panel.pages import snippets as snippet_pages
from panel.pages import statistics as statistics_pages

app_name = "panel"

urlpatterns = [
    # Sign-in, logout, language (anyone).
    path("", signin.signin, name="signin"),
    path("login", signin.password_login, name="password_login"),
    path("logout", signin.signout, name="logout"),
    path("language", language.set_language, name="language"),
    # Dashboard.
    path("panel", dashboard.dashboard, name="dashboard"),
    path("panel/bot", dashboard.bot_panel, name="bot_panel"),
    re_path(r"^panel/bot/(?P<action>start|stop|restart)$", dashboard.bot_action, name="bot_action"),
    path("panel/bot/presence", dashboard.bot_presence, name="bot_presence"),
    path("panel/overview", dashboard.overview, name="overview"),
    # Tickets: the list, one conversation (Rustmail's ``/panel/tickets/:id``), its fragments and actions.
    path("panel/tickets", tickets.tickets, name="tickets"),
    path("panel/tickets/<str:ticket_id>", tickets.ticket, name="ticket"),
    path("panel/tickets/<str:ticket_id>/messages", tickets.ticket_messages, name="ticket_messages"),
    path(
        "panel/tickets/<str:ticket_id>/messages/<int:message_id>",
        tickets.ticket_message,
        name="ticket_message",
    ),
    path("panel/tickets/<str:ticket_id>/side", tickets.ticket_side, name="ticket_side"),
    path("panel/tickets/<str:ticket_id>/reply", tickets.ticket_reply, name="ticket_reply"),
    path("panel/tickets/<str:ticket_id>/note", tickets.ticket_note, name="ticket_note"),
    path("panel/tickets/<str:ticket_id>/close", tickets.ticket_close, name="ticket_close"),
    path(
        "panel/tickets/<str:ticket_id>/close/cancel", tickets.ticket_close_cancel, name="ticket_close_cancel"
    ),
    path("panel/tickets/<str:ticket_id>/take", tickets.ticket_take, name="ticket_take"),
    path("panel/tickets/<str:ticket_id>/release", tickets.ticket_release, name="ticket_release"),
    path("panel/tickets/<str:ticket_id>/move", tickets.ticket_move, name="ticket_move"),
    # Configuration (ViewPanel sees, ManageConfig saves) and its history.
    path("panel/configuration", configuration_pages.configuration, name="configuration"),
    path(
        "panel/configuration/history",
        configuration_pages.configuration_history,
        name="configuration_history",
    ),
    # API keys (ManageApiKeys): list and create, revoke, delete after a confirmation.
    path("panel/apikeys", apikey_pages.apikeys, name="apikeys"),
    path("panel/apikeys/<int:key_id>/revoke", apikey_pages.apikey_revoke, name="apikey_revoke"),
    path("panel/apikeys/<int:key_id>/delete", apikey_pages.apikey_delete, name="apikey_delete"),
    # Blocked users and bans (ViewBans sees, ManageTickets blocks and unblocks).
    path("panel/bans", ban_pages.bans, name="bans"),
    path("panel/bans/block", ban_pages.block, name="block"),
    path("panel/bans/unblock/<int:user_id>", ban_pages.unblock, name="unblock"),
    # Snippets (ViewPanel sees, ManageTickets creates, edits, deletes), with the preview of a reply.
    path("panel/snippets", snippet_pages.snippets, name="snippets"),
    path("panel/snippets/preview", snippet_pages.snippet_preview, name="snippet_preview"),
    path("panel/snippets/<str:key>/edit", snippet_pages.snippet_edit_page, name="snippet_edit"),
    path("panel/snippets/<str:key>/delete", snippet_pages.snippet_delete_page, name="snippet_delete"),
    # Administration of panel permissions (ManagePermissions): grants, and who holds what.
    path("panel/administration", administration_pages.administration, name="administration"),
    path(
        "panel/administration/revoke/<int:grant_id>", administration_pages.grant_revoke, name="grant_revoke"
    ),
    # Ticket categories and the prompt (ManageCategories); deletion after a confirmation page.
    path("panel/categories", category_pages.categories, name="categories"),
    path("panel/categories/list", category_pages.categories_list, name="categories_list"),
    path("panel/categories/new", category_pages.category_create, name="category_create"),
    path("panel/categories/settings", category_pages.prompt_settings, name="category_settings"),
    path("panel/categories/<int:category_id>", category_pages.category_edit, name="category_edit"),
    path("panel/categories/<int:category_id>/toggle", category_pages.category_toggle, name="category_toggle"),
    path("panel/categories/<int:category_id>/move", category_pages.category_move, name="category_move"),
    path("panel/categories/<int:category_id>/delete", category_pages.category_delete, name="category_delete"),
    # The bot's Discord profile (ManageBot).
    path("panel/profile", profile_pages.profile, name="profile"),
    # Statistics of the last 7, 30 or 90 days (ViewPanel), each table as CSV.
    path("panel/statistics", statistics_pages.statistics_page, name="statistics"),
    re_path(
        r"^panel/statistics/(?P<table>activity|categories|staff|hours|response-times)\.csv$",
        statistics_pages.statistics_csv,
        name="statistics_csv",
    ),
    # The first-run setup wizard (its one-time link, or a Django superuser), with and without the slash.
    path("setup", setup_pages.setup, name="setup"),
    path("setup/", setup_pages.setup, name="setup_slash"),
]
