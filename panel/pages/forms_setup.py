"""The setup wizard's forms, one per step. Each checks its values before the wizard moves on: against
Discord through the setup services, and against the configuration schema's own rules
(``configschema.coerce``), so a wrong value is refused beside its field and nothing is saved."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from panel.pages.forms_config import LANGUAGE_NAMES, SnowflakeListField
from tickets.configschema import KEYS, SUPPORTED_LANGUAGES, ConfigInvalid, coerce, path
from tickets.discord.port import DiscordGuild
from tickets.errors import InvalidInput
from tickets.services.setup import BotIdentity, GuildLayout, setup_check_token

NEW = "new"


def schema_check(dotted: str, value: Any) -> Any:
    """``value`` as the configuration would store it, or the schema's refusal as a form error."""
    key = next(k for k in KEYS if path(k) == dotted)
    try:
        return coerce(key, value)
    except ConfigInvalid as error:
        raise forms.ValidationError(error.message) from error


def schema_default(dotted: str) -> Any:
    return next(k.default for k in KEYS if path(k) == dotted)


class TokenForm(forms.Form):
    """Step 1: the bot token, checked against Discord (``GET /users/@me``)."""

    token = forms.CharField(
        label=_("Bot token"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Discord Developer Portal → your application → Bot → Reset Token, then copy it here."),
    )

    def __init__(self, *args: Any, port: Any = None, known: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.port = port
        self.known = known  # the token this wizard already checked: an empty field keeps it
        self.identity: BotIdentity | None = None

    def clean_token(self) -> str:
        token = self.cleaned_data["token"] or self.known
        candidate = token or settings.DISCORD_TOKEN
        if not candidate:
            raise forms.ValidationError(_("Enter the bot token."))
        try:
            self.identity = setup_check_token(token=candidate, port=self.port)
        except InvalidInput as error:
            raise forms.ValidationError(error.message) from error
        return token


class ServerForm(forms.Form):
    """Step 2: the server the bot works in (one, or a community server and a staff server)."""

    mode = forms.ChoiceField(
        label=_("Servers"),
        choices=[("single", _("One server")), ("dual", _("Two servers: community and staff"))],
        widget=forms.RadioSelect,
        initial="single",
    )
    guild_id = forms.ChoiceField(
        label=_("Server"),
        help_text=_("Where ticket channels are created (the staff server in two-server mode)."),
    )
    community_guild_id = forms.ChoiceField(
        label=_("Community server"),
        required=False,
        help_text=_("Two-server mode only: where the users are."),
    )

    def __init__(self, *args: Any, guilds: list[DiscordGuild], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(g.id), g.name) for g in guilds]
        self.fields["guild_id"].choices = choices
        self.fields["community_guild_id"].choices = [("", "—"), *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("mode") == "dual":
            community = data.get("community_guild_id")
            if not community:
                self.add_error("community_guild_id", _("Pick the community server."))
            elif community == data.get("guild_id"):
                self.add_error("community_guild_id", _("Pick another server than the staff server."))
        else:
            data["community_guild_id"] = ""
        return data


class ChannelsForm(forms.Form):
    """Step 3: the inbox category and the logs channel, picked or to be created at the end."""

    inbox = forms.ChoiceField(label=_("Inbox category"), help_text=_("Ticket channels open in it."))
    inbox_name = forms.CharField(label=_("Name of the new category"), required=False, max_length=100)
    logs = forms.ChoiceField(
        label=_("Logs channel"), required=False, help_text=_("A log of each closed ticket is posted there.")
    )
    logs_name = forms.CharField(label=_("Name of the new channel"), required=False, max_length=100)

    def __init__(self, *args: Any, layout: GuildLayout, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = {c.id: c.name for c in layout.categories}
        self.fields["inbox"].choices = [(NEW, _("Create a new category"))] + [
            (str(c.id), c.name) for c in layout.categories
        ]
        self.fields["logs"].choices = [("", _("No logs channel")), (NEW, _("Create a new channel"))] + [
            (str(c.id), f"#{c.name}" + (f" ({names[c.parent_id]})" if c.parent_id in names else ""))
            for c in layout.text_channels
        ]
        self.fields["inbox_name"].initial = "Modmail"
        self.fields["logs_name"].initial = "modmail-logs"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("inbox") == NEW and not (data.get("inbox_name") or "").strip():
            self.add_error("inbox_name", _("Name the category to create."))
        if data.get("logs") == NEW and not (data.get("logs_name") or "").strip():
            self.add_error("logs_name", _("Name the channel to create."))
        return data


class LoginForm(forms.Form):
    """Step 4: the panel's "Login with Discord" (the OAuth2 application) and its super admins."""

    client_id = forms.CharField(
        label=_("Client ID"),
        required=False,
        help_text=_("Developer Portal → OAuth2 → Client ID (the application's ID)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "mono"}),
    )
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=True),
        help_text=_("Developer Portal → OAuth2 → Client Secret (Reset Secret shows it once)."),
    )
    redirect_url = forms.CharField(
        label=_("Redirect URL"),
        help_text=_(
            "Add exactly this address under OAuth2 → Redirects. Change it only when the panel is "
            "reached through another address (a reverse proxy)."
        ),
        widget=forms.TextInput(attrs={"class": "mono", "spellcheck": "false"}),
    )
    super_admin_users = SnowflakeListField(
        label=_("Super admin users"),
        required=False,
        help_text=_("Discord user IDs (one per line) who hold every panel permission."),
    )
    super_admin_roles = forms.MultipleChoiceField(
        label=_("Super admin roles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of these roles hold every panel permission."),
    )

    def __init__(self, *args: Any, layout: GuildLayout, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["super_admin_roles"].choices = [(str(r.id), r.name) for r in layout.roles]

    def clean_client_id(self) -> str:
        value = self.cleaned_data["client_id"]
        if not value and not settings.DISCORD_CLIENT_ID:
            raise forms.ValidationError(_("Enter the client ID."))
        stored = schema_check("bot.client_id", value)
        return str(stored) if stored else ""

    def clean_client_secret(self) -> str:
        value = self.cleaned_data["client_secret"]
        if not value and not settings.DISCORD_CLIENT_SECRET:
            raise forms.ValidationError(_("Enter the client secret."))
        if any(ch.isspace() for ch in value):
            raise forms.ValidationError(_("A client secret has no spaces."))
        return schema_check("bot.client_secret", value)

    def clean_redirect_url(self) -> str:
        value = self.cleaned_data["redirect_url"]
        if not value.startswith(("http://", "https://")) or "/" not in value.split("//", 1)[1]:
            raise forms.ValidationError(_("Enter an address starting with http:// or https://."))
        return schema_check("bot.redirect_url", value)

    def clean_super_admin_users(self) -> list[str]:
        return [
            str(v)
            for v in schema_check("bot.panel_super_admin_users", self.cleaned_data["super_admin_users"])
        ]


class LanguageForm(forms.Form):
    """Step 5: the language of the bot's messages, and the messages users see first."""

    default_language = forms.ChoiceField(
        label=_("Language of the bot"),
        choices=[(code, LANGUAGE_NAMES.get(code, code)) for code in SUPPORTED_LANGUAGES],
    )
    status = forms.CharField(label=_("Status"), required=False, help_text=_("Shown under the bot's name."))
    welcome_message = forms.CharField(
        label=_("Welcome message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent to a user when their ticket opens."),
    )
    close_message = forms.CharField(
        label=_("Close message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent to the user when their ticket closes."),
    )

    def clean_status(self) -> str:
        return schema_check("bot.status", self.cleaned_data["status"])

    def clean_welcome_message(self) -> str:
        return schema_check("bot.welcome_message", self.cleaned_data["welcome_message"])

    def clean_close_message(self) -> str:
        return schema_check("bot.close_message", self.cleaned_data["close_message"])
