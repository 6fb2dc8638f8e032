"""The Django admin: every model registered, every page renders, search, singletons, API keys."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from apikeys.models import ApiKey
from panel.models import PanelPermission
from tickets.models import (
    Attachment,
    AuditLogCursor,
    BlockedUser,
    BotConfig,
    CategoryRole,
    CategorySettings,
    ConfigRevision,
    FeatureMessage,
    GuildChannel,
    GuildMember,
    GuildRole,
    GuildSnapshot,
    LiveEvent,
    MemberBan,
    MessageEdit,
    PendingCategorySelection,
    PendingMessage,
    RefusedMessage,
    Reminder,
    ReminderOptOut,
    ScheduledClosure,
    Snippet,
    StaffAlert,
    SystemState,
    Ticket,
    TicketCategory,
    TicketChange,
    TicketMessage,
)

ADMIN_APPS = ("tickets", "apikeys", "panel")
MODELS = [model for label in ADMIN_APPS for model in apps.get_app_config(label).get_models()]
SINGLETONS = (BotConfig, CategorySettings, SystemState)


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    """The admin_user fixture hashes a password: make that instant."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _ticket(**fields: object) -> Ticket:
    defaults = {"user_id": 111, "user_name": "alice", "channel_id": 222}
    return Ticket.objects.create(**{**defaults, **fields})


def _message() -> TicketMessage:
    return TicketMessage.objects.create(
        ticket=_ticket(),
        kind="user",
        author_id=111,
        author_name="alice",
        content="hello",
        created_at=timezone.now(),
    )


def _selection() -> PendingCategorySelection:
    return PendingCategorySelection.objects.create(user_id=111, user_name="alice", due_at=timezone.now())


def _bot_config() -> BotConfig:
    config = BotConfig.load()
    config.mode_guild_id = 999
    config.save()
    return config


# One object per model, for its change page and a non-empty changelist.
FACTORIES: dict[type[Model], Callable[[], Model]] = {
    Ticket: _ticket,
    TicketMessage: _message,
    Attachment: lambda: Attachment.objects.create(
        message=_message(), filename="a.png", size=10, url="https://cdn.example/a.png"
    ),
    MessageEdit: lambda: MessageEdit.objects.create(message=_message(), before="a", after="b", edited_by=5),
    ScheduledClosure: lambda: ScheduledClosure.objects.create(
        ticket=_ticket(), due_at=timezone.now(), scheduled_by=5
    ),
    Reminder: lambda: Reminder.objects.create(
        ticket=_ticket(), channel_id=222, created_by=5, content="ping", due_at=timezone.now()
    ),
    ReminderOptOut: lambda: ReminderOptOut.objects.create(role_id=7, user_id=111),
    StaffAlert: lambda: StaffAlert.objects.create(ticket=_ticket(), staff_id=5),
    Snippet: lambda: Snippet.objects.create(key="hi", content="Hello!", created_by=5),
    BlockedUser: lambda: BlockedUser.objects.create(user_id=111, user_name="alice", blocked_by=5),
    TicketCategory: lambda: TicketCategory.objects.create(name="Billing", discord_category_id=333),
    CategoryRole: lambda: CategoryRole.objects.create(
        category=TicketCategory.objects.create(name="Billing", discord_category_id=333), role_id=7
    ),
    CategorySettings: CategorySettings.load,
    PendingCategorySelection: _selection,
    PendingMessage: lambda: PendingMessage.objects.create(
        selection=_selection(), dm_message_id=444, content="hi", created_at=timezone.now()
    ),
    BotConfig: _bot_config,
    ConfigRevision: lambda: ConfigRevision.objects.create(
        data={"bot": {"token": "secret"}}, saved_by="admin"
    ),
    GuildSnapshot: lambda: GuildSnapshot.objects.create(guild_id=999, name="Guild", owner_id=5),
    GuildRole: lambda: GuildRole.objects.create(guild_id=999, role_id=7, name="Staff"),
    GuildMember: lambda: GuildMember.objects.create(guild_id=999, user_id=111, username="alice"),
    GuildChannel: lambda: GuildChannel.objects.create(guild_id=999, channel_id=222, name="general"),
    TicketChange: lambda: TicketChange.objects.create(
        ticket=_ticket(), kind="moved", actor_id=5, detail="Billing"
    ),
    LiveEvent: lambda: LiveEvent.objects.create(type="ticket.opened", data={"origin": "dm"}),
    RefusedMessage: lambda: RefusedMessage.objects.create(dm_message_id=444, user_id=111, reason="blocked"),
    MemberBan: lambda: MemberBan.objects.create(guild_id=999, user_id=111, username="alice", reason="spam"),
    AuditLogCursor: lambda: AuditLogCursor.objects.create(guild_id=999, last_entry_id=1234, forwarded=3),
    FeatureMessage: lambda: FeatureMessage.objects.create(key="poll", channel_id=222, message_id=333),
    SystemState: SystemState.load,
    ApiKey: lambda: ApiKey.objects.create(name="CI", key_hash="0" * 64, key_preview="rm_abcd"),
    PanelPermission: lambda: PanelPermission.objects.create(
        subject_type="User", subject_id=111, permission="ViewPanel", granted_by=5
    ),
}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_every_model_is_registered(model: type[Model]) -> None:
    assert admin.site.is_registered(model), f"{model._meta.label} has no admin"


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_pages_render(admin_client: Client, admin_user, model: type[Model]) -> None:
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "changelist"), {"q": "111 al"}).status_code == 200
    request = RequestFactory().get("/")
    request.user = admin_user
    add_allowed = admin.site.get_model_admin(model).has_add_permission(request)
    assert admin_client.get(url(model, "add")).status_code == (200 if add_allowed else 403)

    factory = FACTORIES.get(model)
    if factory is None:
        return
    obj = factory()
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200


@pytest.mark.django_db
def test_ticket_search(admin_client: Client) -> None:
    alice = _ticket()
    bob = _ticket(user_id=5555, user_name="bob", channel_id=6666)

    def found(term: str) -> set[Ticket]:
        response = admin_client.get(url(Ticket, "changelist"), {"q": term})
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert found("ali") == {alice}
    assert found("5555") == {bob}
    assert found("6666") == {bob}
    assert found(str(alice.pk)) == {alice}
    assert found("not-a-number") == set()

    autocomplete = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "tickets", "model_name": "reminder", "field_name": "ticket", "term": "bo"},
    )
    assert [item["id"] for item in autocomplete.json()["results"]] == [str(bob.pk)]


@pytest.mark.django_db
def test_ticket_and_message_pages_show_their_children(admin_client: Client) -> None:
    message = _message()
    Attachment.objects.create(message=message, filename="shot.png", size=10, url="https://cdn.example/s.png")
    MessageEdit.objects.create(message=message, before="helo", after="hello", edited_by=5)

    ticket_page = admin_client.get(url(Ticket, "change", message.ticket_id)).text
    assert "hello" in ticket_page
    assert url(TicketMessage, "change", message.pk) in ticket_page
    message_page = admin_client.get(url(TicketMessage, "change", message.pk)).text
    assert "shot.png" in message_page
    assert "helo" in message_page


@pytest.mark.django_db
@pytest.mark.parametrize("model", SINGLETONS, ids=lambda model: model._meta.label)
def test_singletons(admin_client: Client, model: type[Model]) -> None:
    obj = FACTORIES[model]()
    assert admin_client.get(url(model, "add")).status_code == 403
    assert admin_client.get(url(model, "delete", obj.pk)).status_code == 403
    changelist = admin_client.get(url(model, "changelist"))
    assert url(model, "add") not in changelist.text
    assert "delete_selected" not in changelist.text


def _form_data(response) -> dict[str, str]:
    """The POST body of an admin change form as it was rendered."""
    data: dict[str, str] = {}
    for bound in response.context["adminform"].form:
        value = bound.value()
        if value is True:
            data[bound.name] = "on"
        elif value is not False and value is not None:
            data[bound.name] = value if isinstance(value, str) else json.dumps(value)
    return data


@pytest.mark.django_db
def test_bot_config_validates_through_model_clean(admin_client: Client) -> None:
    config = BotConfig.load()  # single mode without a guild: invalid as it stands
    page = url(BotConfig, "change", config.pk)
    data = {**_form_data(admin_client.get(page)), "language_supported_languages": '["en", "fr"]'}

    response = admin_client.post(page, {**data, "bot_token": "tok"})
    assert response.status_code == 200
    assert "guild_id" in str(response.context["adminform"].form.non_field_errors())

    token = "a-bot-token-long-enough-to-mask"
    response = admin_client.post(page, {**data, "bot_token": token, "mode_guild_id": "900000000000000999"})
    assert response.status_code == 302
    config.refresh_from_db()
    assert (config.bot_token, config.mode_guild_id) == (token, 900000000000000999)
    assert token not in admin_client.get(page).text  # shown masked only
    assert "a-bo...mask" in admin_client.get(page).text


@pytest.mark.django_db
def test_bot_config_is_for_superusers_only(client: Client, django_user_model) -> None:
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="tickets"))
    client.force_login(staff)
    assert client.get(url(BotConfig, "changelist")).status_code == 403
    assert client.get(url(ConfigRevision, "changelist")).status_code == 403
    assert client.get(url(Ticket, "changelist")).status_code == 200


@pytest.mark.django_db
def test_api_key_hash_is_never_editable(admin_client: Client) -> None:
    key = FACTORIES[ApiKey]()
    page = url(ApiKey, "change", key.pk)
    response = admin_client.get(page)
    assert "manage.py createapikey" in admin_client.get(url(ApiKey, "changelist")).text
    assert 'name="key_hash"' not in response.text

    data = {"name": "renamed", "permissions": ["CreateTicket"], "is_active": "on", "key_hash": "f" * 64}
    assert admin_client.post(page, data).status_code == 302
    key.refresh_from_db()
    assert (key.name, key.permissions, key.key_hash) == ("renamed", ["CreateTicket"], "0" * 64)
