"""The features channel and its polls, when ``bot.enable_features`` is on.

At start the features message is posted once (``features_sync``). Its "Create a poll" button
opens a form; the form's submission posts the poll. Both are recognised by their custom_id in
``on_interaction``, so a button or a form opened before a restart still works.
"""

from __future__ import annotations

import logging
from typing import Any

import nextcord
from django.utils.translation import gettext as _
from nextcord.ext import commands

from botrunner.bot import ModmailBot
from tickets.discord import DiscordError
from tickets.errors import DomainError
from tickets.services import features

log = logging.getLogger("rustmail.bot")

# A form the user leaves open is forgotten after this long (its submission still works).
FORM_TIMEOUT = 15 * 60


def form_values(data: dict[str, Any]) -> dict[str, str]:
    """The text fields of a submitted form: custom_id → value (rows or labelled components)."""
    values: dict[str, str] = {}

    def walk(components: list[dict[str, Any]]) -> None:
        for component in components:
            if "value" in component and "custom_id" in component:
                values[str(component["custom_id"])] = str(component["value"] or "")
            walk(component.get("components") or [])
            if isinstance(component.get("component"), dict):
                walk([component["component"]])

    walk(data.get("components") or [])
    return values


class Features(commands.Cog):
    """The features message and its poll button; no commands."""

    def __init__(self, bot: ModmailBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        try:
            async with self.bot.runner.tracked():
                posted = await self.bot.call(features.features_sync)
            if posted:
                log.info("Posted the features message")
        except (DiscordError, DomainError) as error:
            log.warning("Could not post the features message: %s", error)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: nextcord.Interaction) -> None:
        data = interaction.data or {}
        if self.bot.closing or data.get("custom_id") != features.POLL_CREATE:
            return
        if interaction.type == nextcord.InteractionType.component:
            await self._open_form(interaction)
        elif interaction.type == nextcord.InteractionType.modal_submit:
            await self._post_poll(interaction, form_values(data))

    async def _open_form(self, interaction: nextcord.Interaction) -> None:
        with self.bot.language():
            if features.features_channel(self.bot.cfg) is None:
                await interaction.response.send_message(_("Polls are turned off."), ephemeral=True)
                return
            form = nextcord.ui.Modal(
                _("Create a poll"), custom_id=features.POLL_CREATE, timeout=FORM_TIMEOUT, auto_defer=False
            )
            low, high = features.QUESTION_LENGTH
            form.add_item(
                nextcord.ui.TextInput(
                    label=_("Question"),
                    custom_id=features.QUESTION_FIELD,
                    style=nextcord.TextInputStyle.short,
                    min_length=low,
                    max_length=high,
                )
            )
            low, high = features.OPTIONS_LENGTH
            form.add_item(
                nextcord.ui.TextInput(
                    label=_("Options (separated by | or one per line)"),
                    custom_id=features.OPTIONS_FIELD,
                    style=nextcord.TextInputStyle.paragraph,
                    min_length=low,
                    max_length=high,
                )
            )
        await interaction.response.send_modal(form)

    async def _post_poll(self, interaction: nextcord.Interaction, values: dict[str, str]) -> None:
        await interaction.response.defer(ephemeral=True)
        author = interaction.user
        try:
            async with self.bot.runner.tracked():
                await self.bot.call(
                    features.poll_post,
                    channel_id=interaction.channel_id,
                    question=values.get(features.QUESTION_FIELD, ""),
                    options=values.get(features.OPTIONS_FIELD, ""),
                    author_name=getattr(author, "display_name", None) or str(author),
                )
        except DomainError as error:
            await interaction.followup.send(error.message, ephemeral=True)
            return
        except DiscordError as error:
            log.warning("A poll could not be posted: %s", error)
            with self.bot.language():
                await interaction.followup.send(_("The poll could not be posted."), ephemeral=True)
            return
        with self.bot.language():
            await interaction.followup.send(_("Your poll is posted."), ephemeral=True)


def setup(bot: ModmailBot) -> None:
    bot.add_cog(Features(bot))
