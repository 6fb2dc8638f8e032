"""Writes of the panel: granting and revoking panel permissions."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from tickets.errors import InvalidInput, NotFound

from .models import PanelPermission


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
