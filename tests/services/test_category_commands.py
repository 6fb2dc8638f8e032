"""What the category command relies on: the overview, role lists, button emoji, and prompt custom_ids."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tickets import services
from tickets.errors import InvalidInput
from tickets.models import PendingCategorySelection
from tickets.services.categories import category_list, category_role_list, prompt_choice, prompt_components

from .conftest import USER

ROLE = 870_000_000_000_000_001
OTHER_ROLE = 870_000_000_000_000_002


def test_the_overview_lists_every_category_in_order_with_its_roles(scene):
    services.category_create(discord_category_id=1, name="Billing", emoji="💳")
    services.category_create(discord_category_id=2, name="Sales")
    services.category_set_enabled(name="Sales", enabled=False)
    services.category_role_add(name="Billing", role_id=ROLE)
    services.category_move(name="Sales", position=1)
    overview = category_list()
    assert [c.name for c in overview.categories] == ["Sales", "Billing"]
    assert overview.enabled_count == 1 and not overview.prompt_enabled and overview.timeout == 300
    billing = overview.categories[1]
    assert overview.roles == {billing.pk: [ROLE]}


def test_role_list_of_a_category(scene):
    services.category_create(discord_category_id=1, name="Billing")
    services.category_role_add(name="billing", role_id=OTHER_ROLE)
    services.category_role_add(name="Billing", role_id=ROLE)
    category, roles = category_role_list(name="bill")
    assert category.name == "Billing" and roles == [OTHER_ROLE, ROLE]


@pytest.mark.parametrize("emoji", ["💳", "🇫🇷", "1️⃣", "👩‍💻", ""])
def test_a_button_takes_a_unicode_emoji(scene, emoji):
    assert services.category_create(discord_category_id=1, name="Billing", emoji=emoji).emoji == emoji


@pytest.mark.parametrize("emoji", ["money", ":credit_card:", "<:custom:123456789012345678>", "💳 💳", "é"])
def test_anything_else_as_emoji_is_refused(scene, emoji):
    with pytest.raises(InvalidInput):
        services.category_create(discord_category_id=1, name="Billing", emoji=emoji)


def test_every_prompt_button_names_its_selection_and_choice(scene):
    billing = services.category_create(discord_category_id=1, name="Billing")
    selection = PendingCategorySelection.objects.create(
        user_id=USER, user_name="alice", due_at=billing.created_at
    )
    ids = [b["custom_id"] for row in prompt_components(selection) for b in row["components"]]
    assert [prompt_choice(i) for i in ids] == [(selection.pk, billing.pk), (selection.pk, None)]
    assert prompt_choice("leave:keep:1") is None
    assert prompt_choice("category:x:1") is None
    assert prompt_choice("category:1:other") is None


def test_the_prompt_rows_hold_five_buttons(scene):
    for i in range(24):
        services.category_create(discord_category_id=100 + i, name=f"Team {i}")
    selection = PendingCategorySelection.objects.create(
        user_id=USER, user_name="alice", due_at=timezone.now()
    )
    rows = prompt_components(selection)
    assert [len(r["components"]) for r in rows] == [5, 5, 5, 5, 5]
    assert rows[-1]["components"][-1]["label"] == "Other"
