"""Discord IDs (snowflakes): the one strict parser every interface uses.

A snowflake is written as ASCII digits only, 17 to 20 of them, in canonical form (no leading zero,
no sign, no spaces, no other script's digits such as ``"１２３"`` or ``"²²²"``), so one ID has exactly
one spelling: rate limits and look-ups keyed on it cannot be dodged by respelling it.

Discord's snowflakes are unsigned 64-bit integers, but every ID is stored in a signed 64-bit column
(``BigIntegerField``); Discord's own IDs stay below 2**63 until the year 2084. The bound is therefore
2**63 - 1: a larger number is refused as an invalid ID instead of failing at the database.
"""

from __future__ import annotations

import re

SNOWFLAKE_MIN_DIGITS = 17
SNOWFLAKE_MAX_DIGITS = 20
# What the storage can hold (see the module's docstring); Discord's own limit is 2**64 - 1.
SNOWFLAKE_MAX = 2**63 - 1
SNOWFLAKE_PATTERN = r"^[1-9][0-9]{16,19}$"

_CANONICAL = re.compile(r"[1-9][0-9]{16,19}")
# <@id>, <@!id> (user), <@&id> (role), <#id> (channel): how Discord writes a mention in a message.
_MENTION = re.compile(r"<(?:@[!&]?|#)([^>]*)>")


class InvalidSnowflake(ValueError):
    """The value is not a Discord ID in canonical form."""


def parse_snowflake(value: object) -> int:
    """The Discord ID ``value`` spells (a string of ASCII digits, or an int), or ``InvalidSnowflake``.

    Booleans, floats, signs, spaces, leading zeros, non-ASCII digits, fewer than 17 or more than
    20 digits and numbers above ``SNOWFLAKE_MAX`` are all refused.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidSnowflake(f"not a Discord ID: {value!r:.40}")
    text = str(value) if isinstance(value, int) else value
    if not _CANONICAL.fullmatch(text):
        raise InvalidSnowflake(f"not a Discord ID: {text!r:.40}")
    number = int(text)
    if number > SNOWFLAKE_MAX:
        raise InvalidSnowflake(f"not a Discord ID: {text!r:.40}")
    return number


def is_snowflake(value: object) -> bool:
    """Whether ``parse_snowflake`` accepts ``value``."""
    try:
        parse_snowflake(value)
    except InvalidSnowflake:
        return False
    return True


def parse_snowflake_or_mention(text: str) -> int:
    """A Discord ID typed in a command: the ID itself or a mention of it (``<@id>``, ``<@!id>``,
    ``<@&id>``, ``<#id>``), surrounding spaces ignored; the ID inside is parsed strictly."""
    text = text.strip()
    mention = _MENTION.fullmatch(text)
    return parse_snowflake(mention.group(1) if mention else text)


def snowflakes(values: object) -> tuple[int, ...]:
    """The valid Discord IDs among ``values`` (a stored list that may hold anything), in order."""
    if not isinstance(values, list | tuple):
        return ()
    return tuple(parse_snowflake(v) for v in values if is_snowflake(v))
