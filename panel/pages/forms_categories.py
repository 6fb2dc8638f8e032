"""Forms of the categories and bot profile pages; the rules themselves stay in the services."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from panel.selectors.access import CATEGORY
from tickets.models import BotConfig, GuildChannel, GuildRole, TicketCategory
from tickets.services.categories import MIN_TIMEOUT
from tickets.services.category_admin import MAX_TIMEOUT


@dataclass(frozen=True)
class GuildChoices:
    """The staff guild's Discord categories and roles, as the bot's cache has them."""

    categories: dict[int, str]
    roles: dict[int, str]

    @classmethod
    def load(cls) -> GuildChoices:
        cfg = BotConfig.load()
        guild = cfg.mode_staff_guild_id if cfg.mode_type == "dual" else cfg.mode_guild_id
        channels = GuildChannel.objects.filter(guild_id=guild, type=CATEGORY).order_by(
            "position", "channel_id"
        )
        roles = (
            GuildRole.objects.filter(guild_id=guild, managed=False)
            .exclude(role_id=guild)
            .order_by("-position", "role_id")
        )
        return cls(
            categories=dict(channels.values_list("channel_id", "name")),
            roles=dict(roles.values_list("role_id", "name")),
        )


class CategoryForm(forms.Form):
    """Create or edit a category: its button, where its tickets open, the roles it pings."""

    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("The button's label on the prompt."))
    description = forms.CharField(
        label=_("Description"), max_length=200, required=False, help_text=_("One line shown on the prompt.")
    )
    emoji = forms.CharField(
        label=_("Emoji"),
        max_length=16,
        required=False,
        help_text=_("A Unicode emoji on the button, like 💳."),
    )
    discord_category_id = forms.TypedChoiceField(
        label=_("Discord category"), coerce=int, help_text=_("Where its tickets open.")
    )
    role_ids = forms.TypedMultipleChoiceField(
        label=_("Roles pinged"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Mentioned when a ticket opens in this category."),
    )
    enabled = forms.BooleanField(label=_("Offered on the prompt"), required=False, initial=True)

    def __init__(
        self, *args, choices: GuildChoices, category: TicketCategory | None = None, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        categories = dict(choices.categories)
        roles = dict(choices.roles)
        if category is not None:  # keep what is set even if the cache no longer lists it
            categories.setdefault(category.discord_category_id, str(category.discord_category_id))
            for role_id in category.roles.values_list("role_id", flat=True):
                roles.setdefault(role_id, str(role_id))
        self.fields["discord_category_id"].choices = [("", "—")] + [
            (str(i), n) for i, n in categories.items()
        ]
        self.fields["role_ids"].choices = [(str(i), n) for i, n in roles.items()]
        if category is None:
            del self.fields["enabled"]


class PromptSettingsForm(forms.Form):
    """The prompt's global settings."""

    prompt_enabled = forms.BooleanField(label=_("Ask users to choose a category"), required=False)
    selection_timeout = forms.IntegerField(
        label=_("Timeout (seconds)"),
        min_value=MIN_TIMEOUT,
        max_value=MAX_TIMEOUT,
        help_text=_("Without a choice by then, the ticket opens in the default inbox."),
    )


class ProfileForm(forms.Form):
    """The bot's Discord profile: a new name and/or images (each optional, at least one)."""

    username = forms.CharField(
        label=_("Username"),
        max_length=100,
        required=False,
        help_text=_("2 to 32 characters; 2 changes per hour."),
    )
    avatar = forms.FileField(
        label=_("Avatar"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        help_text=_("PNG, JPEG, GIF or WebP, 10 MiB at most."),
    )
    banner = forms.FileField(
        label=_("Banner"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        help_text=_("PNG, JPEG, GIF or WebP, 10 MiB at most."),
    )
