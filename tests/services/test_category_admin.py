"""Categories administered by ID (panel and API): ordering, the 24 enabled limit, and the panel's
save, which changes a category and its roles together or not at all."""

from __future__ import annotations

import pytest

from tickets.errors import Conflict, InvalidInput, NotFound
from tickets.models import CategoryRole, TicketCategory
from tickets.services.category_admin import (
    category_add,
    category_move_by,
    category_role_link,
    category_save,
    category_update,
    prompt_settings_update,
)

pytestmark = pytest.mark.django_db
INBOX = 900_000_000_000_001_000
ROLE = 930_000_000_000_000_001


def names() -> list[str]:
    return list(TicketCategory.objects.values_list("name", flat=True))


def test_positions_stay_a_sequence_whatever_moves() -> None:
    for name in ("A", "B", "C", "D"):
        category_add(name=name, discord_category_id=INBOX)
    d = TicketCategory.objects.get(name="D")
    category_update(category_id=d.pk, position=0)
    assert names() == ["D", "A", "B", "C"]
    category_update(category_id=d.pk, position=99)  # past the end: last
    assert names() == ["A", "B", "C", "D"]
    category_move_by(category_id=TicketCategory.objects.get(name="A").pk, offset=-1)  # already first
    category_move_by(category_id=TicketCategory.objects.get(name="B").pk, offset=1)
    assert names() == ["A", "C", "B", "D"]
    assert list(TicketCategory.objects.values_list("position", flat=True)) == [0, 1, 2, 3]


def test_the_25th_enabled_category_is_bad_input() -> None:
    for n in range(24):
        category_add(name=f"C{n}", discord_category_id=INBOX)
    with pytest.raises(InvalidInput):
        category_add(name="One more", discord_category_id=INBOX)
    assert TicketCategory.objects.count() == 24


def test_a_refused_save_keeps_the_roles_and_the_fields() -> None:
    billing = category_add(name="Billing", discord_category_id=INBOX)
    category_add(name="Sales", discord_category_id=INBOX)
    category_role_link(category_id=billing.pk, role_id=ROLE)
    with pytest.raises(Conflict):
        category_save(
            category_id=billing.pk,
            name="sales",
            description="new",
            emoji="",
            discord_category_id=INBOX,
            role_ids=[],
        )
    billing.refresh_from_db()
    assert (billing.name, billing.description) == ("Billing", "")
    assert list(CategoryRole.objects.values_list("role_id", flat=True)) == [ROLE]


def test_a_save_sets_fields_and_roles_together() -> None:
    saved = category_save(
        category_id=None,
        name="Billing",
        description="Payments",
        emoji="💳",
        discord_category_id=INBOX,
        role_ids=[ROLE],
    )
    assert list(saved.roles.values_list("role_id", flat=True)) == [ROLE]
    with pytest.raises(NotFound):
        category_save(
            category_id=saved.pk + 1,
            name="X",
            description="",
            emoji="",
            discord_category_id=INBOX,
            role_ids=[],
        )


@pytest.mark.parametrize("seconds", [29, 86401, True])
def test_the_timeout_is_bounded(seconds) -> None:
    with pytest.raises(InvalidInput):
        prompt_settings_update(enabled=True, selection_timeout=seconds)
