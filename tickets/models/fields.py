"""Field helpers shared by the models."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# Discord snowflakes are unsigned 64-bit in theory but always below 2**63 in practice (their top bit
# is a timestamp that will not reach it for centuries), so a signed BIGINT holds them.
SNOWFLAKE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(2**63 - 1)]


def snowflake(help_text: str, **kwargs) -> models.BigIntegerField:
    """A Discord ID column."""
    return models.BigIntegerField(help_text=help_text, validators=SNOWFLAKE_VALIDATORS, **kwargs)


def optional_snowflake(help_text: str, **kwargs) -> models.BigIntegerField:
    """A Discord ID column that may be empty."""
    return models.BigIntegerField(
        help_text=help_text, validators=SNOWFLAKE_VALIDATORS, null=True, blank=True, **kwargs
    )
