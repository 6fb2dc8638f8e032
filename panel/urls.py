"""Routes of the REST API, mounted under /api. Anything else under /api is a JSON 404."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from panel.exceptions import not_found
from panel.views import (
    admin,
    apikeys,
    attachments,
    auth,
    bans,
    bot,
    categories,
    config,
    docs,
    externals,
    health,
    profile,
    statistics,
    tickets,
    transcripts,
    user,
)

# Resource-shaped routes: ViewSets, without trailing slashes (as Rustmail's).
router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("categories", categories.CategoryViewSet, basename="api-categories")

urlpatterns = [
    path("health", health.HealthView.as_view(), name="api-health"),
    path("openapi.yaml", docs.SchemaView.as_view(), name="api-schema"),
    path("docs", docs.DocsView.as_view(), name="api-docs"),
    path("docs/", docs.DocsView.as_view()),
    path("auth/login", auth.LoginView.as_view(), name="api-auth-login"),
    path("auth/callback", auth.CallbackView.as_view(), name="api-auth-callback"),
    path("auth/logout", auth.LogoutView.as_view(), name="api-auth-logout"),
    path("bot/status", bot.BotStatusView.as_view(), name="api-bot-status"),
    path("bot/start", bot.BotStartView.as_view(), name="api-bot-start"),
    path("bot/stop", bot.BotStopView.as_view(), name="api-bot-stop"),
    path("bot/restart", bot.BotRestartView.as_view(), name="api-bot-restart"),
    path("bot/presence", bot.BotPresenceView.as_view(), name="api-bot-presence"),
    path("bot/config", config.BotConfigView.as_view(), name="api-bot-config"),
    path("bot/tickets", tickets.TicketsView.as_view(), name="api-bot-tickets"),
    path("bot/statistics", statistics.StatisticsView.as_view(), name="api-bot-statistics"),
    path("bot/profile", profile.BotProfileView.as_view(), name="api-bot-profile"),
    path(
        "bot/tickets/<str:ticket_id>/transcript",
        transcripts.TicketTranscriptView.as_view(),
        name="api-bot-ticket-transcript",
    ),
    path(
        "externals/tickets/create", externals.ExternalTicketCreateView.as_view(), name="api-external-create"
    ),
    path("apikeys", apikeys.ApiKeysView.as_view(), name="api-apikeys"),
    path("apikeys/<int:key_id>", apikeys.ApiKeyView.as_view(), name="api-apikey"),
    path("apikeys/<int:key_id>/revoke", apikeys.ApiKeyRevokeView.as_view(), name="api-apikey-revoke"),
    path("attachments/<int:attachment_id>", attachments.AttachmentView.as_view(), name="api-attachment"),
    path(
        "attachments/<int:attachment_id>/thumbnail",
        attachments.AttachmentThumbnailView.as_view(),
        name="api-attachment-thumbnail",
    ),
    path("admin/members", admin.MembersView.as_view(), name="api-admin-members"),
    path("admin/roles", admin.RolesView.as_view(), name="api-admin-roles"),
    path("admin/permissions", admin.PermissionsView.as_view(), name="api-admin-permissions"),
    path("admin/permissions/<int:grant_id>", admin.PermissionView.as_view(), name="api-admin-permission"),
    path("admin/bans", bans.BansView.as_view(), name="api-admin-bans"),
    path("user/avatar", user.AvatarView.as_view(), name="api-user-avatar"),
    path("user/permissions", user.UserPermissionsView.as_view(), name="api-user-permissions"),
    path("panel/check", user.PanelCheckView.as_view(), name="api-panel-check"),
    *router.urls,
    re_path(r"^.*$", not_found, name="api-not-found"),
]
