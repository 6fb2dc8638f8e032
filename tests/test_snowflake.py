"""``tickets.snowflake``: the one strict Discord ID parser."""

from __future__ import annotations

import pytest

from tickets.snowflake import (
    SNOWFLAKE_MAX,
    InvalidSnowflake,
    is_snowflake,
    parse_snowflake,
    parse_snowflake_or_mention,
    snowflakes,
)

ID = 123456789012345678


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("123456789012345678", ID),
        (ID, ID),
        ("10000000000000000", 10**16),  # 17 digits, the shortest
        (str(SNOWFLAKE_MAX), SNOWFLAKE_MAX),
    ],
)
def test_it_accepts_canonical_ids(value, expected) -> None:
    assert parse_snowflake(value) == expected
    assert is_snowflake(value)


@pytest.mark.parametrize(
    "value",
    [
        "²" * 18,  # passes str.isdigit(), fails int()
        "１２３４５６７８９０１２３４５６７８",  # full-width: int() reads it as the same ID
        "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "0123456789012345678",  # a leading zero: a second spelling of an ID
        "+123456789012345678",
        "-123456789012345678",
        " 123456789012345678",
        "123456789012345678\n",
        "123_456_789_012_345_678",
        "1234567890123456",  # 16 digits
        "123456789012345678901",  # 21 digits
        str(SNOWFLAKE_MAX + 1),
        str(2**64 - 1),
        str(2**64),
        "1",
        "",
        "<@123456789012345678>",
        True,
        1.0,
        None,
        [ID],
        -ID,
        1,
    ],
)
def test_it_refuses_every_other_spelling(value) -> None:
    with pytest.raises(InvalidSnowflake):
        parse_snowflake(value)
    assert not is_snowflake(value)


@pytest.mark.parametrize(
    "text",
    ["123456789012345678", "<@123456789012345678>", "<@!123456789012345678>", " <#123456789012345678> "],
)
def test_a_command_argument_may_be_a_mention(text) -> None:
    assert parse_snowflake_or_mention(text) == ID


@pytest.mark.parametrize("text", ["<@０123456789012345678>", "<@>", "<@1>", "@123456789012345678"])
def test_the_id_inside_a_mention_is_parsed_strictly(text) -> None:
    with pytest.raises(InvalidSnowflake):
        parse_snowflake_or_mention(text)


def test_stored_lists_keep_only_valid_ids() -> None:
    assert snowflakes([str(ID), ID, "²" * 18, None, 5]) == (ID, ID)
    assert snowflakes("123456789012345678") == ()
