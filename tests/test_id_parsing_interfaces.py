"""Every interface that reads a Discord ID or a number from text refuses other scripts' digits
(``"²"`` passes ``str.isdigit()`` and fails ``int()``; ``"１２"`` is read by ``int()`` as 12)
instead of failing: the bot's commands and buttons, the scheduler's durations, the environment."""

from __future__ import annotations

import pytest

from botrunner.cogs.categories import category_channel
from botrunner.cogs.info import parse_logs_custom_id
from botrunner.cogs.members import is_snowflake
from tickets.errors import InvalidInput
from tickets.services import parse_duration, parse_snowflake
from tickets.services.categories import prompt_choice

ID = "123456789012345678"
SUPERSCRIPT = "²" * 18
FULL_WIDTH = "".join(chr(ord("０") + int(d)) for d in ID)


class NoGuild:
    """A guild that knows no channel: ``category_channel`` must not even ask for a bad ID."""

    categories: list = []

    def get_channel(self, channel_id: int) -> None:
        assert isinstance(channel_id, int)


@pytest.mark.parametrize("text", [SUPERSCRIPT, FULL_WIDTH, f"<#{SUPERSCRIPT}>", "0" + ID])
def test_a_category_argument_in_other_digits_is_no_category(text) -> None:
    assert category_channel(NoGuild(), text) is None


@pytest.mark.parametrize(
    "custom_id",
    [f"rustmail:logs:{SUPERSCRIPT}:1", f"rustmail:logs:{ID}:²", f"rustmail:logs:{FULL_WIDTH}:1"],
)
def test_a_logs_button_with_other_digits_is_not_one(custom_id) -> None:
    assert parse_logs_custom_id(custom_id) is None


def test_a_logs_button_is_read() -> None:
    assert parse_logs_custom_id(f"rustmail:logs:{ID}:-2") == (int(ID), -2)


@pytest.mark.parametrize("custom_id", ["category:²:default", "category:1:²", "category:１:default"])
def test_a_category_prompt_button_with_other_digits_is_not_one(custom_id) -> None:
    assert prompt_choice(custom_id) is None


@pytest.mark.parametrize("text", [SUPERSCRIPT, FULL_WIDTH, "0" + ID, str(2**64)])
def test_a_channel_name_in_other_digits_is_no_user_id(text) -> None:
    assert not is_snowflake(text)
    assert is_snowflake(f" {ID} ")


@pytest.mark.parametrize("text", ["²", "１h", "²m", "３６００"])
def test_a_duration_in_other_digits_is_refused(text) -> None:
    with pytest.raises(InvalidInput):
        parse_duration(text)


@pytest.mark.parametrize("text", [SUPERSCRIPT, FULL_WIDTH, f"<@{SUPERSCRIPT}>", f"<@{FULL_WIDTH}>"])
def test_a_staff_command_id_in_other_digits_is_refused(text) -> None:
    with pytest.raises(InvalidInput):
        parse_snowflake(text)
    assert parse_snowflake(f"<@!{ID}>") == int(ID)
