"""Secrets at rest (the bot token, the OAuth client secret): Fernet, with keys derived from SECRET_KEY.

The key is HKDF-SHA256 of ``SECRET_KEY``; decryption also tries every key of
``SECRET_KEY_FALLBACKS``, so ``SECRET_KEY`` can be rotated: move the old key into the fallbacks,
and the next save of the configuration encrypts again with the new one. A stored value is
``enc:v1:`` followed by the Fernet token; a value without that prefix is a plain value written
before encryption existed (the data migration encrypts those).
"""

from __future__ import annotations

import base64
import functools
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "enc:v1:"
_INFO = b"rustmail.config-secrets.v1"

log = logging.getLogger("tickets.crypto")


class SecretUnreadable(ValueError):
    """No key (SECRET_KEY nor its fallbacks) decrypts the stored value."""


@functools.lru_cache(maxsize=16)
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys() -> MultiFernet:
    """The current key first (it encrypts), then the fallbacks (they only decrypt)."""
    secret_keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(str(key)) for key in secret_keys])


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def encrypt(plain: str) -> str:
    """The stored form of ``plain`` (empty stays empty: nothing to hide, and "not set" stays visible)."""
    if not plain or is_encrypted(plain):
        return plain
    return PREFIX + _keys().encrypt(plain.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    """The plain value of a stored one; a value stored before encryption is returned as it is.
    ``SecretUnreadable`` when neither SECRET_KEY nor a fallback decrypts it."""
    if not stored or not is_encrypted(stored):
        return stored
    try:
        return _keys().decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as error:
        raise SecretUnreadable(
            "a stored secret cannot be decrypted with SECRET_KEY or SECRET_KEY_FALLBACKS"
        ) from error
