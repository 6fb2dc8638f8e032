"""Ticket categories and the prompt: a user's first DMs wait in a queue until they pick a category
(or the timeout passes); then the ticket opens there, the category's roles are pinged, and the queue
is forwarded in order."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tickets import events, rendering, selectors
from tickets.discord import DiscordError, DiscordPort, OutgoingMessage
from tickets.errors import Conflict, InvalidInput, NotFound, UserBlocked
from tickets.models import (
    BotConfig,
    CategoryRole,
    CategorySettings,
    PendingCategorySelection,
    PendingMessage,
    TicketCategory,
    TicketMessage,
)

from ._common import bot_language, config, log, now, port_or_default
from ._jobs import claimable, job_claim, job_run_claimed
from .refusals import Reason, block_notice, refusals_record

MAX_ENABLED = 24
MIN_TIMEOUT = 30
BUTTONS_PER_ROW = 5
# A prompt button's custom_id is ``category:<selection>:<category or "default">``: all a click needs,
# so a prompt sent before a restart still works.
PROMPT_PREFIX = "category:"
DEFAULT_CHOICE = "default"


def category_create(
    *, discord_category_id: int, name: str, description: str = "", emoji: str = ""
) -> TicketCategory:
    """Add a category to the prompt (names unique, at most 24 enabled)."""
    name = name.strip()
    if not name or len(name) > 80:
        raise InvalidInput(_("A category needs a name of 1 to 80 characters."))
    if TicketCategory.objects.filter(enabled=True).count() >= MAX_ENABLED:
        raise Conflict(_("At most %(n)s categories can be enabled.") % {"n": MAX_ENABLED})
    if TicketCategory.objects.filter(name__iexact=name).exists():
        raise Conflict(_("A category named %(name)s already exists.") % {"name": name})
    emoji = _button_emoji(emoji)
    position = TicketCategory.objects.count()
    category = TicketCategory.objects.create(
        discord_category_id=discord_category_id,
        name=name,
        description=description.strip()[:200],
        emoji=emoji,
        position=position,
    )
    events.publish(events.EventType.CATEGORIES_UPDATED, data={"change": "created", "name": name})
    return category


def _button_emoji(text: str) -> str:
    """A prompt button shows a Unicode emoji (a custom one would need its ID); anything else would
    make Discord refuse every prompt, so it is refused here."""
    emoji = text.strip()
    if emoji and (
        len(emoji) > 16
        or not any(ord(c) > 0xFF for c in emoji)
        or any(c.isspace() or (c.isascii() and c.isalpha()) or c in "<>:" for c in emoji)
    ):
        raise InvalidInput(_("The emoji must be a Unicode emoji, like 💳."))
    return emoji


def category_get(*, name: str) -> TicketCategory:
    """A category by name: exact (any case), else the only one containing it."""
    found = TicketCategory.objects.filter(name__iexact=name.strip()).first()
    if found:
        return found
    partial = list(TicketCategory.objects.filter(name__icontains=name.strip())[:2])
    if len(partial) == 1:
        return partial[0]
    raise NotFound(_("There is no category named %(name)s.") % {"name": name})


def category_rename(*, name: str, new_name: str) -> TicketCategory:
    category = category_get(name=name)
    new_name = new_name.strip()
    if not new_name or len(new_name) > 80:
        raise InvalidInput(_("A category needs a name of 1 to 80 characters."))
    if TicketCategory.objects.filter(name__iexact=new_name).exclude(pk=category.pk).exists():
        raise Conflict(_("A category named %(name)s already exists.") % {"name": new_name})
    category.name = new_name
    category.save(update_fields=["name"])
    events.publish(events.EventType.CATEGORIES_UPDATED, data={"change": "renamed", "name": new_name})
    return category


@transaction.atomic
def category_move(*, name: str, position: int) -> TicketCategory:
    """Put a category at ``position`` (1-based) on the prompt."""
    category = category_get(name=name)
    ordered = [c for c in TicketCategory.objects.select_for_update() if c.pk != category.pk]
    if not 1 <= position <= len(ordered) + 1:
        raise InvalidInput(_("Position must be between 1 and %(n)s.") % {"n": len(ordered) + 1})
    ordered.insert(position - 1, category)
    for index, item in enumerate(ordered):
        TicketCategory.objects.filter(pk=item.pk).update(position=index)
    category.position = position - 1
    events.publish(events.EventType.CATEGORIES_UPDATED, data={"change": "moved", "name": category.name})
    return category


def category_delete(*, name: str) -> None:
    category = category_get(name=name)
    category.delete()
    events.publish(events.EventType.CATEGORIES_UPDATED, data={"change": "deleted", "name": category.name})


def category_set_enabled(*, name: str, enabled: bool) -> TicketCategory:
    category = category_get(name=name)
    if (
        enabled
        and not category.enabled
        and TicketCategory.objects.filter(enabled=True).count() >= MAX_ENABLED
    ):
        raise Conflict(_("At most %(n)s categories can be enabled.") % {"n": MAX_ENABLED})
    category.enabled = enabled
    category.save(update_fields=["enabled"])
    events.publish(
        events.EventType.CATEGORIES_UPDATED,
        data={"change": "enabled" if enabled else "disabled", "name": category.name},
    )
    return category


def prompt_set_enabled(*, enabled: bool) -> CategorySettings:
    settings = CategorySettings.load()
    settings.prompt_enabled = enabled
    settings.save(update_fields=["prompt_enabled"])
    events.publish(events.EventType.CATEGORIES_UPDATED, data={"change": "prompt"})
    return settings


def prompt_set_timeout(*, seconds: int) -> CategorySettings:
    if seconds < MIN_TIMEOUT or seconds > 86400:
        raise InvalidInput(_("The timeout must be between %(min)s and 86400 seconds.") % {"min": MIN_TIMEOUT})
    settings = CategorySettings.load()
    settings.selection_timeout = seconds
    settings.save(update_fields=["selection_timeout"])
    events.publish(events.EventType.CATEGORIES_UPDATED, data={"change": "prompt"})
    return settings


def category_role_add(*, name: str, role_id: int) -> CategoryRole:
    category = category_get(name=name)
    try:
        with transaction.atomic():
            role = CategoryRole.objects.create(category=category, role_id=role_id)
            events.publish(
                events.EventType.CATEGORIES_UPDATED, data={"change": "roles", "name": category.name}
            )
            return role
    except IntegrityError:
        raise Conflict(_("That role is already pinged for this category.")) from None


def category_role_remove(*, name: str, role_id: int) -> None:
    deleted, _n = CategoryRole.objects.filter(category=category_get(name=name), role_id=role_id).delete()
    if not deleted:
        raise NotFound(_("That role is not pinged for this category."))
    events.publish(events.EventType.CATEGORIES_UPDATED, data={"change": "roles", "name": name})


def category_role_clear(*, name: str) -> tuple[TicketCategory, int]:
    """Stop pinging every role for a category; returns it and how many roles were unlinked."""
    category = category_get(name=name)
    removed, _n = CategoryRole.objects.filter(category=category).delete()
    if removed:
        events.publish(events.EventType.CATEGORIES_UPDATED, data={"change": "roles", "name": category.name})
    return category, removed


@dataclass(frozen=True)
class CategoryOverview:
    """The prompt's settings and every category in prompt order, with the roles each pings."""

    prompt_enabled: bool
    timeout: int
    categories: list[TicketCategory]
    roles: dict[int, list[int]]

    @property
    def enabled_count(self) -> int:
        return sum(1 for c in self.categories if c.enabled)


def category_list() -> CategoryOverview:
    """What ``category list`` shows."""
    settings = CategorySettings.load()
    roles: dict[int, list[int]] = {}
    for category_id, role_id in CategoryRole.objects.order_by("id").values_list("category_id", "role_id"):
        roles.setdefault(category_id, []).append(role_id)
    return CategoryOverview(
        prompt_enabled=settings.prompt_enabled,
        timeout=settings.selection_timeout,
        categories=list(TicketCategory.objects.all()),
        roles=roles,
    )


def category_role_list(*, name: str) -> tuple[TicketCategory, list[int]]:
    """A category and the roles pinged when a ticket opens in it."""
    category = category_get(name=name)
    return category, list(category.roles.order_by("id").values_list("role_id", flat=True))


def category_nearest(*, query: str, names: list[str]) -> str | None:
    """Exact (any case), else substring, else the closest spelling."""
    lowered = {n.lower(): n for n in names}
    q = query.strip().lower()
    if q in lowered:
        return lowered[q]
    contains = [n for n in names if q in n.lower()]
    if contains:
        return sorted(contains, key=len)[0]
    close = difflib.get_close_matches(q, list(lowered), n=1, cutoff=0.5)
    return lowered[close[0]] if close else None


def prompt_components(selection: PendingCategorySelection) -> list[dict]:
    """Buttons, 5 per row, one per enabled category, then the default."""
    buttons = [
        {
            "type": 2,
            "style": 1,
            "label": c.name[:80],
            "custom_id": f"{PROMPT_PREFIX}{selection.pk}:{c.pk}",
            **({"emoji": {"name": c.emoji}} if c.emoji else {}),
        }
        for c in TicketCategory.objects.filter(enabled=True)[:MAX_ENABLED]
    ]
    buttons.append(
        {
            "type": 2,
            "style": 2,
            "label": _("Other"),
            "custom_id": f"{PROMPT_PREFIX}{selection.pk}:{DEFAULT_CHOICE}",
        }
    )
    return [
        {"type": 1, "components": buttons[i : i + BUTTONS_PER_ROW]}
        for i in range(0, len(buttons), BUTTONS_PER_ROW)
    ]


def _ascii_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


def prompt_choice(custom_id: str) -> tuple[int, int | None] | None:
    """``(selection_id, category_id)`` from a prompt button's custom_id (category None: the default
    inbox), or None when it is not a prompt button."""
    if not custom_id.startswith(PROMPT_PREFIX):
        return None
    selection, _sep, choice = custom_id.removeprefix(PROMPT_PREFIX).partition(":")
    if not _ascii_number(selection) or not (_ascii_number(choice) or choice == DEFAULT_CHOICE):
        return None
    return int(selection), None if choice == DEFAULT_CHOICE else int(choice)


def _prompt_text() -> str:
    """The prompt: what to do, then each category with its description."""
    lines = [_("Please choose what your request is about. Your messages are kept until you choose.")]
    for category in TicketCategory.objects.filter(enabled=True)[:MAX_ENABLED]:
        if category.description:
            emoji = f"{category.emoji} " if category.emoji else ""
            lines.append(f"{emoji}**{category.name}**: {category.description}")
    return "\n".join(lines)


def selection_hold(
    *,
    cfg: BotConfig,
    port: DiscordPort,
    user_id: int,
    user_name: str,
    dm_message_id: int,
    dm_channel_id: int | None,
    content: str,
    attachments: list,
    created_at: datetime | None,
):
    """Hold a DM while its author chooses a category. Returns Relay.PROMPTED / Relay.QUEUED, or None
    when the DM should go straight to a ticket (prompt off, no category, or a ticket already open)."""
    from tickets import selectors

    from .opening import Relay

    settings = CategorySettings.load()
    if not settings.prompt_enabled or selectors.open_ticket_for_user(user_id):
        return None
    pending = PendingCategorySelection.objects.filter(
        user_id=user_id, state=PendingCategorySelection.State.PENDING
    ).first()
    if pending is None and not TicketCategory.objects.filter(enabled=True).exists():
        return None
    created = False
    with transaction.atomic():
        if pending is None:
            try:
                with transaction.atomic():
                    pending = PendingCategorySelection.objects.create(
                        user_id=user_id,
                        user_name=user_name[:100],
                        dm_channel_id=dm_channel_id,
                        due_at=now() + timedelta(seconds=settings.selection_timeout),
                    )
                    created = True
            except IntegrityError:
                pending = PendingCategorySelection.objects.get(
                    user_id=user_id, state=PendingCategorySelection.State.PENDING
                )
        try:
            with transaction.atomic():
                PendingMessage.objects.create(
                    selection=pending,
                    dm_message_id=dm_message_id,
                    content=content,
                    attachments=[a.__dict__ for a in attachments],
                    created_at=created_at or now(),
                )
        except IntegrityError:
            return Relay.DUPLICATE
    if created:
        with bot_language(cfg):
            message = rendering.system(cfg, _prompt_text())
            message = OutgoingMessage(
                content=message.content, embeds=message.embeds, components=prompt_components(pending)
            )
            channel = dm_channel_id or port.open_dm(user_id)
            sent = port.send(channel, message)
        PendingCategorySelection.objects.filter(pk=pending.pk).update(
            prompt_message_id=sent.id, dm_channel_id=channel
        )
        return Relay.PROMPTED
    return Relay.QUEUED


def selection_choose(
    *, selection_id: int, category_id: int | None, user_id: int | None = None, port: DiscordPort | None = None
):
    """The user picked (``category_id``; None is the default inbox), or the timeout chose for them.

    Claimed with a conditional update, so a click racing the timeout acts once. Opens the ticket,
    pings the category's roles and forwards the queue in order. A Discord failure is recorded and
    raised; the worker then finishes the forwarding (see ``selections_expire``). Returns the ticket.

    A user blocked since the prompt was sent opens nothing: the selection is cancelled, its queued
    DMs are recorded as refused, and ``UserBlocked`` carries what the user reads."""
    port = port_or_default(port)
    cfg = config()
    query = PendingCategorySelection.objects.filter(
        pk=selection_id, state=PendingCategorySelection.State.PENDING
    )
    if user_id is not None:
        query = query.filter(user_id=user_id)
    if user_id is not None and selectors.active_block(user_id) and _cancel_blocked(query):
        with bot_language(cfg):
            raise UserBlocked(block_notice())
    category = TicketCategory.objects.filter(pk=category_id, enabled=True).first() if category_id else None
    if category_id and category is None:
        raise NotFound(_("That category is no longer offered."))
    claimed = query.update(
        state=PendingCategorySelection.State.RUNNING,
        claimed_at=now(),
        chosen_category=category,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        raise Conflict(_("This choice was already made."))
    selection = PendingCategorySelection.objects.select_related("chosen_category").get(pk=selection_id)
    forwarded = _SelectionForward(cfg=cfg, port=port)
    job_run_claimed(PendingCategorySelection, selection, forwarded)
    return forwarded.ticket


def _cancel_blocked(query) -> bool:
    """Cancel the pending selection(s) of ``query`` (a conditional update: only a still pending one)
    and record their queued DMs as refused; False when none was pending any more."""
    with transaction.atomic():
        selections = list(query.values_list("pk", "user_id"))
        cancelled = query.update(state=PendingCategorySelection.State.CANCELLED, finished_at=now())
        if cancelled:
            for pk, user_id in selections:
                _refuse_queue(pk, user_id)
    return bool(cancelled)


def _refuse_queue(selection_id: int, user_id: int) -> None:
    """Record as refused the queued DMs of a selection that will never open a ticket (its user was
    blocked), except those already stored in a ticket."""
    queued = list(
        PendingMessage.objects.filter(selection_id=selection_id).values_list("dm_message_id", flat=True)
    )
    stored = set(
        TicketMessage.objects.filter(dm_message_id__in=queued).values_list("dm_message_id", flat=True)
    )
    refusals_record(
        user_id=user_id, dm_message_ids=[i for i in queued if i not in stored], reason=Reason.BLOCKED
    )


class _SelectionForward:
    """Opens the ticket of a claimed selection and forwards its queue, idempotently: a message
    already stored is only delivered again if its copy never reached the channel (nonces keep
    Discord from showing anything twice). A selection whose user was blocked meanwhile, and of which
    nothing was forwarded yet, opens nothing: it ends cancelled, its queue refused."""

    def __init__(self, *, cfg: BotConfig, port: DiscordPort) -> None:
        self.cfg = cfg
        self.port = port
        self.ticket = None

    def __call__(self, selection: PendingCategorySelection) -> str:
        from .opening import (
            IncomingAttachment,
            Relay,
            RelayResult,
            _deliver_user_message,
            _store_user_message,
            ensure_channel,
        )

        cfg, port = self.cfg, self.port
        category = selection.chosen_category
        self.ticket = None
        queued_ids = list(selection.messages.values_list("dm_message_id", flat=True))
        forwarded = TicketMessage.objects.filter(dm_message_id__in=queued_ids).exists()
        if not forwarded and selectors.active_block(selection.user_id):
            _refuse_queue(selection.pk, selection.user_id)
            return PendingCategorySelection.State.CANCELLED
        first = True
        for queued in selection.messages.order_by("created_at", "id"):
            stored = TicketMessage.objects.select_related("ticket").filter(dm_message_id=queued.dm_message_id)
            earlier = stored.first()
            if earlier is None:
                result = _store_user_message(
                    cfg=cfg,
                    user_id=selection.user_id,
                    user_name=selection.user_name,
                    dm_message_id=queued.dm_message_id,
                    dm_channel_id=selection.dm_channel_id,
                    content=queued.content,
                    attachments=[IncomingAttachment(**a) for a in queued.attachments],
                    created_at=queued.created_at,
                    recovered=False,
                    ticket_category=category,
                    category_id=category.discord_category_id if category else None,
                    category_name=category.name if category else None,
                )
                if result.message is None:
                    continue
            elif earlier.inbox_message_id:
                self.ticket = self.ticket or earlier.ticket
                first = False
                continue
            else:  # stored by a run that failed before its copy reached the channel
                outcome = Relay.OPENED if first else Relay.RELAYED
                result = RelayResult(outcome, ticket=earlier.ticket, message=earlier)
            first = False
            if self.ticket is None:
                self.ticket = ensure_channel(ticket=result.ticket, port=port, cfg=cfg)
                self._ping_roles(selection)
            _deliver_user_message(result=result, cfg=cfg, port=port, dm_channel_id=selection.dm_channel_id)
        return PendingCategorySelection.State.DONE

    def _ping_roles(self, selection: PendingCategorySelection) -> None:
        category = selection.chosen_category
        if category is None:
            return
        roles = list(CategoryRole.objects.filter(category=category).values_list("role_id", flat=True))
        if not roles:
            return
        with bot_language(self.cfg):
            self.port.send(
                self.ticket.channel_id,
                rendering.system(
                    self.cfg,
                    _("New ticket in %(category)s.") % {"category": category.name},
                    pings=" ".join(f"<@&{r}>" for r in roles),
                    nonce=f"c{selection.pk}",
                ),
            )


def selections_expire(*, at: datetime | None = None, port: DiscordPort | None = None) -> int:
    """Open every prompt whose timeout passed in the default inbox (or in the category the user
    picked, when that earlier run failed or its worker died), each claimed once. A failure is
    recorded and retried after a backoff. Returns how many were opened."""
    port = port_or_default(port)
    at = at or now()
    forward = _SelectionForward(cfg=config(), port=port)
    count = 0
    for selection_id in PendingCategorySelection.objects.filter(claimable(at)).values_list("pk", flat=True):
        if not job_claim(PendingCategorySelection, selection_id, at=at):
            continue
        selection = PendingCategorySelection.objects.select_related("chosen_category").get(pk=selection_id)
        state = job_run_claimed(PendingCategorySelection, selection, forward, reraise=False)
        if state == PendingCategorySelection.State.DONE:
            count += 1
            _retire_prompt(selection, cfg=forward.cfg, port=port)
        elif state == PendingCategorySelection.State.CANCELLED:  # the user was blocked meanwhile
            _retire_prompt(selection, cfg=forward.cfg, port=port, blocked=True)
    return count


def _retire_prompt(
    selection: PendingCategorySelection, *, cfg: BotConfig, port: DiscordPort, blocked: bool = False
) -> None:
    """The prompt timed out: its buttons go, and the user reads that their messages went through
    (or, when they were blocked meanwhile, that they were not delivered)."""
    if not (selection.prompt_message_id and selection.dm_channel_id):
        return
    with bot_language(cfg):
        if blocked:
            text = block_notice()
        else:
            text = _("No category was chosen in time: your messages were passed on to the staff.")
        try:
            port.edit(selection.dm_channel_id, selection.prompt_message_id, rendering.system(cfg, text))
        except DiscordError as error:
            log.info("Could not retire the category prompt %s: %s", selection.prompt_message_id, error)
