"""The emulator's ``PATCH /users/@me`` through the REST adapter and the profile service: Discord's
rules (length, forbidden words, image data), all or nothing, and 2 username changes per hour."""

from __future__ import annotations

import base64

import pytest

from tickets.discord.port import INVALID_FORM_BODY, DiscordError
from tickets.discord.rest import RestDiscordPort
from tickets.errors import RateLimited
from tickets.services.profile import bot_profile, bot_profile_update

PNG = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16).decode()


@pytest.fixture
def port(fake_discord_thread) -> RestDiscordPort:
    return RestDiscordPort(base_url=fake_discord_thread.api_base, token=fake_discord_thread.bot_token)


def test_it_changes_name_avatar_and_banner_in_one_request(port) -> None:
    user = port.edit_current_user(username="Helpdesk", avatar=PNG, banner=PNG)
    assert user.username == "Helpdesk" and user.avatar and user.banner
    assert port.current_user() == user


def test_the_third_username_change_within_the_hour_is_a_400_and_changes_nothing(port) -> None:
    port.edit_current_user(username="First")
    port.edit_current_user(username="Second")
    with pytest.raises(DiscordError) as refused:
        port.edit_current_user(username="Third", avatar=PNG)
    assert (refused.value.status, refused.value.code) == (400, INVALID_FORM_BODY)
    assert refused.value.field_error_codes("username") == ["USERNAME_RATE_LIMIT"]
    assert (port.current_user().username, port.current_user().avatar) == ("Second", None)
    # The same name again is no change; images are not limited that way.
    assert port.edit_current_user(username="Second", avatar=PNG).avatar


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"username": "x"}, "username", "BASE_TYPE_BAD_LENGTH"),
        ({"username": "discord fan"}, "username", "USERNAME_INVALID_CONTAINS"),
        ({"username": "Fine", "avatar": "data:image/png;base64,%%%"}, "avatar", "IMAGE_INVALID"),
        ({"banner": "https://example.com/banner.png"}, "banner", "IMAGE_INVALID"),
    ],
)
def test_it_refuses_what_discord_refuses_and_changes_nothing(port, fields, field, code) -> None:
    before = port.current_user()
    with pytest.raises(DiscordError) as refused:
        port.edit_current_user(**fields)
    assert refused.value.field_error_codes(field) == [code]
    assert port.current_user() == before


@pytest.mark.django_db
def test_the_service_says_what_the_rate_limit_means(port) -> None:
    bot_profile_update(username="First", port=port)
    bot_profile_update(username="Second", port=port)
    with pytest.raises(RateLimited, match="2 username changes per hour"):
        bot_profile_update(username="Third", port=port)
    assert bot_profile(port=port).username == "Second"
