"""The configuration page in a real browser (Debian's Chromium) against daphne: a submission with
one invalid field saves nothing and keeps what was typed, a valid one saves and shows in the
revision history (who, what, when), secrets stay masked and kept, each kind of value has its
widget, and the page speaks French. Screenshots (desktop and phone, light and dark) land in
data/screenshots/tests/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import GUILD, INBOX, STAFF_ROLE, make_user, next_id
from tickets.models import BotConfig, ConfigRevision, GuildChannel, GuildMember
from tickets.services.config import config_as_dict

from .conftest import DESKTOP, PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOGS = 900_000_000_000_001_500
GENERAL = 900_000_000_000_001_501
TOKEN = "MTIzNDU2Nzg5.bot-token.of-the-tests-xyz9"  # the ``guild`` fixture's
CLIENT_SECRET = "client-secret-of-the-tests"


@pytest.fixture
def editor(guild) -> Any:
    """A staff member holding ViewPanel and ManageConfig, named "Casey Config" in the guild cache;
    the guild has a #mod-logs channel in the Inbox category and a #general outside any."""
    GuildChannel.objects.create(guild_id=GUILD, channel_id=LOGS, name="mod-logs", type=0, parent_id=INBOX)
    GuildChannel.objects.create(guild_id=GUILD, channel_id=GENERAL, name="general", type=0)
    discord_id = next_id()
    user = make_user(discord_id, roles=(STAFF_ROLE,), grants=("ViewPanel", "ManageConfig"))
    GuildMember.objects.filter(user_id=discord_id).update(global_name="Casey Config")
    user.discord_id = discord_id
    return user


def open_configuration(page: Any, signed_in: Any, who: Any) -> None:
    signed_in(page, who)
    page.goto("/panel/configuration")
    page.get_by_role("heading", level=1, name="Configuration").wait_for()


def field(page: Any, name: str) -> Any:
    """The block of one field (label, widget, error, help) by its model column."""
    return page.locator(f"#field-{name}")


def save(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save the configuration").click()


def test_one_invalid_field_saves_nothing_and_keeps_what_was_typed(browser_page, signed_in, editor) -> None:
    page = browser_page
    before = config_as_dict(masked=False)
    open_configuration(page, signed_in, editor)

    # A valid change and an invalid one (below the minimum) in the same submission.
    page.get_by_label("Welcome message").fill("Hello! This must not be saved.")
    page.get_by_label("Error message lifetime").fill("0")
    save(page)

    assert page.get_by_role("alert").inner_text().startswith("Nothing was saved")
    ttl = field(page, "error_handling_error_message_ttl")
    assert "has-error" in ttl.get_attribute("class")
    assert ttl.locator(".errorlist").inner_text() == "Ensure this value is greater than or equal to 1."
    assert page.get_by_label("Error message lifetime").get_attribute("aria-invalid") == "true"
    # The error is announced with the field: every id its aria-describedby names exists.
    described = page.get_by_label("Error message lifetime").get_attribute("aria-describedby").split()
    assert [page.locator(f"#{ref}").count() for ref in described] == [1, 1]
    assert "id_error_handling_error_message_ttl_error" in described
    assert page.get_by_label("Error message lifetime").input_value() == "0"
    assert page.get_by_label("Welcome message").input_value() == "Hello! This must not be saved."
    assert page.locator(".has-error").count() == 1, "only that field is marked"
    assert config_as_dict(masked=False) == before
    assert ConfigRevision.objects.count() == 0
    screenshot(page, "config-error-field")

    # An error only the service sees (a rule across keys): beside the field it names, nothing saved.
    page.get_by_label("Error message lifetime").fill("45")
    page.get_by_label("Ticket logs").check()
    page.get_by_label("Logs channel").select_option("")
    save(page)

    logs = field(page, "bot_logs_channel_id")
    assert "is required when a logs flag is on" in logs.locator(".errorlist").inner_text()
    assert page.locator(".has-error").count() == 1
    assert page.get_by_label("Ticket logs").is_checked()
    assert page.get_by_label("Error message lifetime").input_value() == "45"
    assert page.get_by_label("Welcome message").input_value() == "Hello! This must not be saved."
    assert config_as_dict(masked=False) == before
    assert ConfigRevision.objects.count() == 0

    # Corrected: the whole submission is saved at once.
    page.get_by_label("Logs channel").select_option(label="#mod-logs (Inbox)")
    save(page)

    assert page.get_by_role("status").first.inner_text().startswith("Configuration saved")
    cfg = BotConfig.load()
    assert cfg.bot_welcome_message == "Hello! This must not be saved."
    assert (cfg.error_handling_error_message_ttl, cfg.bot_enable_rustmail_logs) == (45, True)
    assert cfg.bot_logs_channel_id == LOGS
    assert ConfigRevision.objects.count() == 1


def test_a_valid_save_shows_in_the_history_with_who_what_and_when(browser_page, signed_in, editor) -> None:
    page = browser_page
    open_configuration(page, signed_in, editor)

    page.get_by_label("User messages colour").fill("#123abc")
    page.get_by_label("Command prefix").fill("?")
    save(page)

    cfg = BotConfig.load()
    assert (cfg.thread_user_message_color, cfg.command_prefix) == ("123abc", "?")
    revision = ConfigRevision.objects.get()
    assert revision.saved_by == str(editor.discord_id)
    recent = page.locator(".config-history .revision").first
    assert recent.locator("strong").inner_text() == f"Casey Config ({editor.discord_id})"
    assert recent.locator("time").get_attribute("datetime").startswith(revision.created_at.date().isoformat())
    rows = recent.locator("tbody tr").all_inner_texts()
    assert rows == ["command.prefix\t!\t?", "thread.user_message_color\t5865f2\t123abc"]

    page.get_by_role("link", name="History").click()
    page.get_by_role("heading", level=1, name="Configuration history").wait_for()
    assert page.locator(".revision strong").first.inner_text() == f"Casey Config ({editor.discord_id})"
    assert "thread.user_message_color" in page.locator(".revision").first.inner_text()


def test_secrets_are_masked_and_kept_unless_replaced(browser_page, signed_in, editor) -> None:
    page = browser_page
    open_configuration(page, signed_in, editor)

    token = page.get_by_label("Bot token")
    assert token.get_attribute("type") == "password"
    assert token.input_value() == ""
    assert token.get_attribute("placeholder") == "MTIz...xyz9"
    assert TOKEN not in page.content() and CLIENT_SECRET not in page.content()

    # Saved without touching the secrets: they stay as they were.
    page.get_by_label("Status text").fill("Write to us")
    save(page)
    cfg = BotConfig.load()
    assert (cfg.bot_status, cfg.bot_token, cfg.bot_client_secret) == ("Write to us", TOKEN, CLIENT_SECRET)

    # Replaced: the new one is stored, and never shown, not even in the history.
    page.get_by_label("Bot token").fill("a-new-token.of-the-bot.0000")
    save(page)
    assert BotConfig.load().bot_token == "a-new-token.of-the-bot.0000"
    assert page.get_by_label("Bot token").get_attribute("placeholder") == "a-ne...0000"
    change = page.locator(".config-history .revision").first.locator("tr", has_text="bot.token")
    assert change.inner_text().endswith("changed (secret, not shown)")
    assert "a-new-token" not in page.content()


def test_each_kind_of_value_has_its_widget(browser_page, signed_in, editor) -> None:
    page = browser_page
    open_configuration(page, signed_in, editor)

    # Colours: a colour picker holding the stored colour.
    colour = page.get_by_label("User messages colour")
    assert (colour.get_attribute("type"), colour.input_value()) == ("color", "#5865f2")
    assert page.get_by_label("Reminders colour").get_attribute("type") == "color"
    # Channels, categories and servers: picked from the guild cache.
    logs = page.get_by_label("Logs channel")
    assert logs.evaluate("e => e.tagName") == "SELECT"
    assert logs.locator("option").all_inner_texts() == ["None", "#mod-logs (Inbox)", "#general"]
    inbox = page.get_by_label("Inbox category")
    assert inbox.locator("option").all_inner_texts() == ["None", "Inbox", "Secret"]
    assert inbox.input_value() == str(INBOX)
    assert page.get_by_label("Server", exact=True).locator("option:checked").inner_text() == "Test guild"
    # Roles: a checkbox per role of the guild cache (locked here: ManagePermissions decides).
    roles = page.get_by_role("group", name="Super admin roles")
    assert roles.get_by_role("checkbox").count() == 3
    assert roles.get_by_role("checkbox", name="Super").is_checked()
    # Languages: a select with the languages' own names, and a checkbox per supported language.
    default = page.get_by_label("Default language")
    assert default.locator("option").all_inner_texts() == ["English", "Français"]
    offered = page.get_by_role("group", name="Supported languages")
    assert offered.get_by_role("checkbox", name="Français").is_checked()
    # Booleans: checkboxes; numbers: number inputs with their bounds; the time zone: a select.
    assert page.get_by_label("Close when the user leaves").get_attribute("type") == "checkbox"
    ttl = page.get_by_label("Error message lifetime")
    assert (ttl.get_attribute("type"), ttl.get_attribute("min")) == ("number", "1")
    assert page.get_by_label("Time zone").input_value() == "UTC"
    # Every field has a visible label and its help text is tied to it.
    for key_field in page.locator(".config-field").all():
        assert key_field.locator("label, legend").first.inner_text().strip()
    prefix = page.get_by_label("Command prefix")
    assert prefix.get_attribute("aria-describedby") == "id_command_prefix_helptext"


def test_the_configuration_page_in_french(browser_page, signed_in, editor) -> None:
    page = browser_page
    open_configuration(page, signed_in, editor)
    with page.expect_navigation():
        page.get_by_label("Language", exact=True).select_option("fr")

    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Configuration"
    assert page.get_by_role("heading", level=2, name="Tickets").is_visible()
    inbox = page.get_by_label("Catégorie de réception")
    assert inbox.input_value() == str(INBOX)
    assert (
        "Catégorie Discord où s'ouvrent les salons des tickets."
        in field(page, "thread_inbox_category_id").inner_text()
    )
    assert page.get_by_label("Couleur des messages de l'utilisateur").get_attribute("type") == "color"
    assert page.get_by_role("heading", level=2, name="Gestion des erreurs").is_visible()
    screenshot(page, "config-fr")

    # The errors too: the service's beside its field, the form's, the summary.
    page.get_by_label("Journaux des tickets").check()
    page.get_by_label("Durée de vie des messages d'erreur").fill("0")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la configuration").click()
    assert page.get_by_role("alert").inner_text().startswith("Rien n'a été enregistré")
    assert field(page, "error_handling_error_message_ttl").locator(".errorlist").inner_text() == (
        "Assurez-vous que cette valeur est supérieure ou égale à 1."
    )
    page.get_by_label("Durée de vie des messages d'erreur").fill("30")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la configuration").click()
    logs = field(page, "bot_logs_channel_id").locator(".errorlist")
    assert logs.inner_text() == "est obligatoire quand un journal est activé"
    assert ConfigRevision.objects.count() == 0


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_of_the_configuration_pages(browser_page, signed_in, editor, theme: str) -> None:
    page = browser_page
    page.emulate_media(color_scheme=theme)
    open_configuration(page, signed_in, editor)
    page.get_by_label("Command prefix").fill("?")
    save(page)
    page.get_by_label("Error message lifetime").fill("0")
    save(page)
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{size}: the page is {width} px wide"
        screenshot(page, f"config-{size}-{theme}")
        page.goto("/panel/configuration/history")
        screenshot(page, f"config-history-{size}-{theme}")
        page.goto("/panel/configuration")
