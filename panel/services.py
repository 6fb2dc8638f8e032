"""Writes of the panel: granting and revoking panel permissions; the setup wizard's one-time token."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tickets.errors import InvalidInput, NotFound
from tickets.models import BotConfig

from .models import PanelPermission, SetupToken


def _check(subject_type: str, permission: str) -> None:
    if subject_type not in PanelPermission.SubjectType.values:
        raise InvalidInput(_("subject_type must be User or Role"))
    if permission not in PanelPermission.Permission.values:
        raise InvalidInput(_("Unknown permission: %(permission)s") % {"permission": permission})


@transaction.atomic
def permission_grant(
    *, subject_type: str, subject_id: int, permission: str, granted_by: int
) -> PanelPermission:
    """Grant ``permission`` to a user or a role. Idempotent: granting it again changes nothing."""
    _check(subject_type, permission)
    grant, _created = PanelPermission.objects.get_or_create(
        subject_type=subject_type,
        subject_id=subject_id,
        permission=permission,
        defaults={"granted_by": granted_by},
    )
    return grant


@transaction.atomic
def permissions_grant(
    *, subject_type: str, subject_id: int, permissions: list[str], granted_by: int
) -> list[PanelPermission]:
    """Grant several permissions to one user or role at once: all of them, or none when one is
    unknown (``InvalidInput``). Those already held stay as they were."""
    if not permissions:
        raise InvalidInput(_("Choose at least one permission."))
    return [
        permission_grant(
            subject_type=subject_type, subject_id=subject_id, permission=permission, granted_by=granted_by
        )
        for permission in permissions
    ]


@transaction.atomic
def permission_revoke(
    *,
    grant_id: int | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    permission: str | None = None,
) -> None:
    """Revoke a grant, named by its ID or by its subject and permission; ``NotFound`` if there is none."""
    grants = PanelPermission.objects.all()
    if grant_id is not None:
        grants = grants.filter(pk=grant_id)
    else:
        grants = grants.filter(subject_type=subject_type, subject_id=subject_id, permission=permission)
    deleted, _count = grants.delete()
    if not deleted:
        raise NotFound(_("Permission not found"))


# --- The setup wizard's one-time token ------------------------------------------------------------


def setup_token_digest(token: str) -> str:
    """What is stored of a setup token: its SHA-256 (a database leak does not open the wizard)."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def setup_token_issue() -> str | None:
    """A new setup token while no bot configuration exists (None once there is one).

    It replaces the previous one: only the link printed last opens the wizard.
    """
    from tickets.services.setup import setup_needed

    if not setup_needed():
        return None
    token = secrets.token_urlsafe(32)
    SetupToken.objects.all().delete()
    SetupToken.objects.create(digest=setup_token_digest(token))
    return token


def setup_token_valid(digest: str) -> bool:
    """True when ``digest`` is the live setup token's and the setup is not done yet."""
    from tickets.services.setup import setup_needed

    return bool(digest) and SetupToken.objects.filter(digest=digest).exists() and setup_needed()


def setup_finish(**kwargs: Any) -> BotConfig:
    """Save the wizard's choices (``tickets.services.setup.setup_save``) and revoke every setup token.

    Not one transaction: the setup creates channels on Discord, which no rollback would remove.
    """
    from tickets.services.setup import setup_save

    cfg = setup_save(**kwargs)
    SetupToken.objects.all().delete()
    return cfg
