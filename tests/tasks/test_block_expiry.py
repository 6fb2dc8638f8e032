"""Blocks with an expiry lift themselves when the worker's task runs; others stay."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tickets import services, tasks
from tickets.models import BlockedUser

from .conftest import OTHER, USER


def test_the_task_lifts_expired_blocks_only(scene):
    services.user_block(user_id=USER, staff_id=scene.staff, duration="1h")
    services.user_block(user_id=OTHER, staff_id=scene.staff)
    assert tasks.expire_blocks() == 0
    BlockedUser.objects.filter(user_id=USER).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.expire_blocks() == 1
    assert list(BlockedUser.objects.values_list("user_id", flat=True)) == [OTHER]
