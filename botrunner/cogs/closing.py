"""Placeholder until its commands land (work in progress in this session)."""

from nextcord.ext import commands


def setup(bot: commands.Bot) -> None:
    pass
