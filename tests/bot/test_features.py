"""The features channel (``bot.enable_features``): its message posted once, and its poll button:
a form, then a poll with one reaction per option."""

from __future__ import annotations

from typing import Any

import pytest

from tickets.models import FeatureMessage
from tickets.services import features

from .conftest import Modmail, eventually, text_of

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def bot_messages(modmail: Modmail, channel_id: int) -> list[dict[str, Any]]:
    return [m for m in modmail.emu.messages(channel_id) if m["author"]["id"] == str(modmail.emu.bot_id)]


def features_messages(modmail: Modmail, channel_id: int) -> list[dict[str, Any]]:
    """The bot's messages carrying the poll button."""
    found = []
    for message in bot_messages(modmail, channel_id):
        ids = [
            c.get("custom_id") for row in message.get("components") or [] for c in row.get("components", [])
        ]
        if features.POLL_CREATE in ids:
            found.append(message)
    return found


async def features_on(modmail: Modmail, **config: Any) -> int:
    """A features channel, features on; the bot restarted so it posts the message at start."""
    channel_id = modmail.emu.create_channel(modmail.demo.guild_id, "features")
    await modmail.reload_config(bot_enable_features=True, bot_features_channel_id=channel_id, **config)
    return channel_id


async def answers(modmail: Modmail, interaction_id: str) -> str:
    """What the bot said to an interaction (its follow-ups included), once it said something."""

    def said() -> str | None:
        texts = [text_of(r.get("data") or {}) for r in modmail.emu.interaction_responses(interaction_id)]
        return "\n".join(t for t in texts if t) or None

    return await modmail.emu.wait_for(said, timeout=20)


async def stored_as(modmail: Modmail, channel_id: int, message_id: str) -> bool:
    """Whether the bot remembers this message as the features message (it writes that after posting)."""

    def check() -> bool:
        return FeatureMessage.objects.filter(
            key=features.POLL, channel_id=channel_id, message_id=int(message_id)
        ).exists()

    return await eventually(lambda: modmail.db(check), 20)


async def open_form(modmail: Modmail, message_id: str, user_id: int) -> dict[str, Any]:
    click = await modmail.emu.click_button(message_id, features.POLL_CREATE, user_id)
    response = await modmail.emu.wait_for_interaction_response(click["id"], timeout=20)
    assert response["type"] == 9  # a modal
    return response


async def test_the_features_message_is_posted_once_not_on_every_start(modmail: Modmail) -> None:
    channel_id = await features_on(modmail)
    async with modmail.restarted():
        [message] = await modmail.emu.wait_for(lambda: features_messages(modmail, channel_id), timeout=20)
    assert "Create a poll" in str(message["components"])
    async with modmail.restarted():
        stored = await modmail.db(lambda: FeatureMessage.objects.get(key=features.POLL))
        # The new bot has checked the message is still there, and posted nothing.
        await modmail.emu.wait_for(
            lambda: modmail.emu.calls_to("GET", rf"^/channels/{channel_id}/messages/{message['id']}$"),
            timeout=20,
        )
    assert stored.message_id == int(message["id"])
    assert len(features_messages(modmail, channel_id)) == 1


async def test_a_deleted_features_message_is_posted_again_at_the_next_start(modmail: Modmail) -> None:
    channel_id = await features_on(modmail)
    async with modmail.restarted():
        [first] = await modmail.emu.wait_for(lambda: features_messages(modmail, channel_id), timeout=20)
    await modmail.emu.user_delete_message(channel_id, first["id"])
    async with modmail.restarted():
        [second] = await modmail.emu.wait_for(lambda: features_messages(modmail, channel_id), timeout=20)
    assert second["id"] != first["id"]
    assert await stored_as(modmail, channel_id, second["id"])


async def test_the_button_opens_a_form_and_submitting_it_posts_a_poll_with_reactions(
    modmail: Modmail,
) -> None:
    emu, demo = modmail.emu, modmail.demo
    channel_id = await features_on(modmail)
    async with modmail.restarted():
        [message] = await emu.wait_for(lambda: features_messages(modmail, channel_id), timeout=20)
        alice = demo.user_ids[0]
        form = await open_form(modmail, message["id"], alice)
        fields = [c["custom_id"] for row in form["data"]["components"] for c in row["components"]]
        assert fields == ["question", "options"]
        submitted = await emu.submit_modal(
            alice, features.POLL_CREATE, {"question": "Pizza or pasta?", "options": "Pizza | Pasta\nBoth"}
        )
        assert "Your poll is posted." in await answers(modmail, submitted["id"])
        poll = await emu.wait_for(
            lambda: next(
                (m for m in bot_messages(modmail, channel_id) if "Pizza or pasta?" in text_of(m)), None
            ),
            timeout=20,
        )
        reacted = await emu.wait_for(
            lambda: (lambda m: m if len(m.get("reactions") or []) == 3 else None)(emu.message(poll["id"])),
            timeout=20,
        )
    embed = poll["embeds"][0]
    assert embed["title"] == "📊 Pizza or pasta?"
    assert embed["description"] == "1️⃣ Pizza\n2️⃣ Pasta\n3️⃣ Both"
    assert emu.user(alice).get("global_name") or emu.user(alice)["username"] in embed["footer"]["text"]
    assert [r["emoji"]["name"] for r in reacted["reactions"]] == ["1️⃣", "2️⃣", "3️⃣"]


async def test_a_poll_with_one_option_is_refused_with_the_reason_in_french(modmail: Modmail) -> None:
    emu, demo = modmail.emu, modmail.demo
    channel_id = await features_on(modmail, language_default_language="fr")
    async with modmail.restarted():
        [message] = await emu.wait_for(lambda: features_messages(modmail, channel_id), timeout=20)
        assert "Créer un sondage" in str(message["components"])
        user = demo.user_ids[1]
        await open_form(modmail, message["id"], user)
        submitted = await emu.submit_modal(user, features.POLL_CREATE, {"question": "Tea?", "options": "Yes"})
        said = await answers(modmail, submitted["id"])
    assert "Un sondage demande de 2 à 10 options différentes" in said
    assert features_messages(modmail, channel_id) == [message] or len(bot_messages(modmail, channel_id)) == 1


async def test_nothing_is_posted_when_features_are_off(modmail: Modmail) -> None:
    channel_id = modmail.emu.create_channel(modmail.demo.guild_id, "features")
    await modmail.reload_config(bot_enable_features=False, bot_features_channel_id=channel_id)
    async with modmail.restarted():
        posted = await modmail.bot.call(features.features_sync)
    assert posted is False
    assert bot_messages(modmail, channel_id) == []


async def test_a_new_features_channel_gets_the_message_and_the_old_one_loses_it(modmail: Modmail) -> None:
    emu = modmail.emu
    old_channel = await features_on(modmail)
    async with modmail.restarted():
        [old] = await emu.wait_for(lambda: features_messages(modmail, old_channel), timeout=20)
    new_channel = emu.create_channel(modmail.demo.guild_id, "polls")
    await modmail.reload_config(bot_features_channel_id=new_channel)
    async with modmail.restarted():
        [new] = await emu.wait_for(lambda: features_messages(modmail, new_channel), timeout=20)
        await emu.wait_for(lambda: emu.message(old["id"]) is None, timeout=20)
    assert await stored_as(modmail, new_channel, new["id"])


async def test_the_button_says_polls_are_off_once_features_are_turned_off(modmail: Modmail) -> None:
    emu = modmail.emu
    channel_id = await features_on(modmail)
    async with modmail.restarted():
        [message] = await emu.wait_for(lambda: features_messages(modmail, channel_id), timeout=20)
        await modmail.reload_config(bot_enable_features=False)
        click = await emu.click_button(message["id"], features.POLL_CREATE, modmail.demo.user_ids[0])
        response = await emu.wait_for_interaction_response(click["id"], timeout=20)
    assert response["type"] == 4
    assert response["data"]["content"] == "Polls are turned off."
    assert response["data"]["flags"] & 64  # only the clicker sees it
    assert emu.modals == []
