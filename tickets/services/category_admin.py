"""Categories administered by ID (the panel and ``/api/categories``): the same rules as the bot's
``category`` command (``categories.py``), with Rustmail's API answers: a bad value or a 25th enabled
category is a 400, a name already taken a 409, an unknown category a 404. Each call checks all its
input before it writes anything."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tickets import events
from tickets.errors import Conflict, InvalidInput, NotFound
from tickets.models import CategoryRole, CategorySettings, TicketCategory

from .categories import MAX_ENABLED, MIN_TIMEOUT, _button_emoji

MAX_TIMEOUT = 86400
NAME_MAX = 80
DESCRIPTION_MAX = 200


def _changed(change: str, category: TicketCategory | None = None) -> None:
    data = {"change": change, **({"name": category.name, "category_id": category.pk} if category else {})}
    events.publish(events.EventType.CATEGORIES_UPDATED, data=data)


def category_by_id(*, category_id: int) -> TicketCategory:
    """The category, or ``NotFound``."""
    category = TicketCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("Category not found"))
    return category


def _clean_name(name: str, *, exclude: int | None = None) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise InvalidInput(_("A category needs a name of 1 to 80 characters."))
    if TicketCategory.objects.filter(name__iexact=name).exclude(pk=exclude).exists():
        raise Conflict(_("A category named %(name)s already exists.") % {"name": name})
    return name


def _clean_description(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > DESCRIPTION_MAX:
        raise InvalidInput(_("The description must be at most 200 characters."))
    return text


def _room_for_one_more() -> None:
    if TicketCategory.objects.filter(enabled=True).count() >= MAX_ENABLED:
        raise InvalidInput(_("At most %(n)s categories can be enabled.") % {"n": MAX_ENABLED})


@transaction.atomic
def category_add(
    *, name: str, discord_category_id: int, description: str | None = None, emoji: str | None = None
) -> TicketCategory:
    """Create an enabled category, last on the prompt."""
    _room_for_one_more()
    category = TicketCategory.objects.create(
        name=_clean_name(name),
        description=_clean_description(description),
        emoji=_button_emoji(emoji or ""),
        discord_category_id=discord_category_id,
        position=TicketCategory.objects.count(),
    )
    _changed("created", category)
    return category


@transaction.atomic
def category_update(*, category_id: int, **changes: Any) -> TicketCategory:
    """Change any of ``name``, ``description``, ``emoji``, ``discord_category_id``, ``position``
    (0-based place on the prompt; the others shift) and ``enabled``; absent keys stay as they are."""
    category = TicketCategory.objects.select_for_update().filter(pk=category_id).first()
    if category is None:
        raise NotFound(_("Category not found"))
    fields: dict[str, Any] = {}
    if "name" in changes:
        fields["name"] = _clean_name(changes["name"], exclude=category.pk)
    if "description" in changes:
        fields["description"] = _clean_description(changes["description"])
    if "emoji" in changes:
        fields["emoji"] = _button_emoji(changes["emoji"] or "")
    if "discord_category_id" in changes:
        fields["discord_category_id"] = changes["discord_category_id"]
    if "enabled" in changes:
        if changes["enabled"] and not category.enabled:
            _room_for_one_more()
        fields["enabled"] = bool(changes["enabled"])
    position = changes.get("position")
    if position is not None and position < 0:
        raise InvalidInput(_("The position must be 0 or more."))
    for name, value in fields.items():
        setattr(category, name, value)
    category.save()
    if position is not None:
        _place(category, position)
    _changed("updated", category)
    return category


def _place(category: TicketCategory, position: int) -> None:
    """Put ``category`` at ``position`` (clamped to the end) and number the others around it."""
    ordered = [
        c
        for c in TicketCategory.objects.select_for_update().order_by("position", "id")
        if c.pk != category.pk
    ]
    ordered.insert(min(position, len(ordered)), category)
    for index, item in enumerate(ordered):
        if item.position != index or item.pk == category.pk:
            TicketCategory.objects.filter(pk=item.pk).update(position=index)
    category.position = ordered.index(category)


def category_move_by(*, category_id: int, offset: int) -> TicketCategory:
    """Move a category up (``offset`` < 0) or down on the prompt."""
    category = category_by_id(category_id=category_id)
    ordered = list(TicketCategory.objects.values_list("pk", flat=True))
    place = max(0, ordered.index(category.pk) + offset)
    return category_update(category_id=category_id, position=place)


def category_remove(*, category_id: int) -> None:
    """Delete a category (its roles go with it; its tickets stay, without a category)."""
    category = category_by_id(category_id=category_id)
    category.delete()
    _changed("deleted")


def prompt_settings_update(*, enabled: bool, selection_timeout: int) -> CategorySettings:
    """The prompt on or off, and its timeout (30 to 86400 seconds) before the default inbox."""
    if isinstance(selection_timeout, bool) or not MIN_TIMEOUT <= selection_timeout <= MAX_TIMEOUT:
        raise InvalidInput(_("The timeout must be between %(min)s and 86400 seconds.") % {"min": MIN_TIMEOUT})
    settings = CategorySettings.load()
    settings.prompt_enabled = bool(enabled)
    settings.selection_timeout = selection_timeout
    settings.save(update_fields=["prompt_enabled", "selection_timeout"])
    _changed("prompt")
    return settings


def category_role_ids(*, category_id: int) -> list[int]:
    """The roles pinged when a ticket opens in the category, in the order they were linked."""
    category = category_by_id(category_id=category_id)
    return list(category.roles.order_by("id").values_list("role_id", flat=True))


def category_role_link(*, category_id: int, role_id: int) -> list[int]:
    """Ping ``role_id`` too (linking it twice changes nothing); returns the roles."""
    category = category_by_id(category_id=category_id)
    try:
        with transaction.atomic():
            CategoryRole.objects.get_or_create(category=category, role_id=role_id)
    except IntegrityError:  # linked by a concurrent request meanwhile
        pass
    _changed("roles", category)
    return category_role_ids(category_id=category_id)


@transaction.atomic
def category_roles_replace(*, category_id: int, role_ids: list[int]) -> list[int]:
    """Ping exactly ``role_ids`` (duplicates once); returns the roles."""
    category = category_by_id(category_id=category_id)
    CategoryRole.objects.filter(category=category).exclude(role_id__in=role_ids).delete()
    existing = set(category.roles.values_list("role_id", flat=True))
    for role_id in dict.fromkeys(role_ids):
        if role_id not in existing:
            CategoryRole.objects.create(category=category, role_id=role_id)
    _changed("roles", category)
    return category_role_ids(category_id=category_id)


def category_role_unlink(*, category_id: int, role_id: int) -> list[int]:
    """Stop pinging ``role_id`` (a role not linked changes nothing); returns the roles."""
    category = category_by_id(category_id=category_id)
    if CategoryRole.objects.filter(category=category, role_id=role_id).delete()[0]:
        _changed("roles", category)
    return category_role_ids(category_id=category_id)


def category_roles_unlink_all(*, category_id: int) -> None:
    """Stop pinging any role for the category."""
    category = category_by_id(category_id=category_id)
    if CategoryRole.objects.filter(category=category).delete()[0]:
        _changed("roles", category)


@transaction.atomic
def category_save(
    *,
    category_id: int | None,
    name: str,
    description: str,
    emoji: str,
    discord_category_id: int,
    role_ids: list[int],
    enabled: bool | None = None,
) -> TicketCategory:
    """The panel's form: create (``category_id`` None) or change a category and set the roles it
    pings, in one transaction (a refused field leaves everything as it was)."""
    fields = {"name": name, "description": description, "emoji": emoji}
    if category_id is None:
        category = category_add(discord_category_id=discord_category_id, **fields)
    else:
        extra = {} if enabled is None else {"enabled": enabled}
        category = category_update(
            category_id=category_id, discord_category_id=discord_category_id, **fields, **extra
        )
    category_roles_replace(category_id=category.pk, role_ids=role_ids)
    return category
