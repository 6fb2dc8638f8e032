"""What the relay must know about a DM before it acts, read in one round trip.

A DM's fate depends on a dozen small facts: was it seen before (relayed, held by a category prompt,
refused), is its author blocked or outside the server, is the bot in maintenance, is the category
prompt on, does the user have an open ticket, is an earlier DM of theirs still waiting for its copy,
and did the configuration change. Asked one by one they cost a round trip (and the ORM's CPU) each;
``dm_snapshot`` asks them all in one SELECT of indexed lookups, the open ticket's row included.

Why not a cache of the block list, maintenance and prompt state? Exactness would still need a read
per DM (a version counter bumped by every writer: web, worker, admin, API, bulk updates), and that
read costs the same round trip as these lookups, which then need no invalidation at all. The bot's
configuration, a large row, is cached (``_common.config``): the snapshot carries its ``updated_at``,
so a change saved by any process is seen by the very next DM (``_common.config_at``).

The writes are as few: the ticket's "user wrote last" also reports, in the same statement, what else
the DM must settle (a pending scheduled close, staff waiting for the answer: ``ticket_user_wrote``).
Their SQL, and the snapshot's, is built by the ORM once per database (``PreparedSQL``): compiling
querysets on every DM cost more CPU than running them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Now
from django.db.models.sql import InsertQuery, UpdateQuery

from tickets.models import (
    BlockedUser,
    BotConfig,
    CategorySettings,
    GuildMember,
    PendingMessage,
    RefusedMessage,
    ScheduledClosure,
    StaffAlert,
    SystemState,
    Ticket,
    TicketMessage,
)


@dataclass
class DmSnapshot:
    """The facts ``user_message_relay`` decides on (see the module's docstring)."""

    stored_pk: int | None  # the DM is stored already (this message's pk)...
    stored_copied: bool  # ...and its copy is in the ticket channel
    held: bool  # waiting in a category prompt's queue
    refused: bool  # answered with a refusal once
    blocked: bool
    member: bool  # in the bot's member cache of the community guild (Discord is asked when not)
    maintenance: bool
    prompt_enabled: bool
    config_stamp: datetime | None  # the configuration's ``updated_at``
    ticket: Ticket | None  # the user's open ticket
    earlier_uncopied: bool  # an earlier DM of the user in that ticket has no copy yet

    @property
    def seen(self) -> bool:
        """Relayed, held or refused before: a replay, nothing to do."""
        return (self.stored_pk is not None and self.stored_copied) or self.held or self.refused


_NAMES = (
    "stored_pk",
    "stored_copied",
    "held",
    "refused",
    "blocked",
    "member",
    "maintenance",
    "prompt_enabled",
    "config_stamp",
    "earlier_uncopied",
)


def _build_snapshot(user, dm, guild) -> tuple[str, list]:
    stored = TicketMessage.objects.filter(dm_message_id=dm)
    open_ticket = Ticket.objects.filter(user_id=user, status=Ticket.Status.OPEN)
    queries: dict[str, tuple[QuerySet, bool]] = {  # name: (query, EXISTS rather than a value)
        "stored_pk": (stored.values("pk")[:1], False),
        "stored_copied": (stored.filter(inbox_message_id__isnull=False), True),
        "held": (PendingMessage.objects.filter(dm_message_id=dm), True),
        "refused": (RefusedMessage.objects.filter(dm_message_id=dm), True),
        "blocked": (
            BlockedUser.objects.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=Now()), user_id=user),
            True,
        ),
        "member": (GuildMember.objects.filter(guild_id=guild, user_id=user), True),
        "maintenance": (SystemState.objects.filter(pk=1, presence=SystemState.Presence.MAINTENANCE), True),
        "prompt_enabled": (CategorySettings.objects.filter(pk=1, prompt_enabled=True), True),
        "config_stamp": (BotConfig.objects.order_by("pk").values("updated_at")[:1], False),
        "earlier_uncopied": (
            TicketMessage.objects.filter(
                ticket__in=open_ticket.values("pk"),
                kind=TicketMessage.Kind.USER,
                inbox_message_id__isnull=True,
                dm_message_id__isnull=False,
                dm_message_id__lt=dm,
            ),
            True,
        ),
    }
    columns, params = [], []
    for name in _NAMES:
        query, exists = queries[name]
        sql, query_params = _compiled(query.order_by().values("pk")[:1] if exists else query)
        columns.append(f"{'EXISTS' if exists else ''}({sql}) AS {connection.ops.quote_name(name)}")
        params.extend(query_params)
    quote = connection.ops.quote_name
    columns += [f"t.{quote(f.column)}" for f in Ticket._meta.concrete_fields]
    table = quote(Ticket._meta.db_table)
    sql = (
        f"SELECT {', '.join(columns)} FROM (SELECT 1 AS one) anchor LEFT JOIN {table} t "
        f"ON t.{quote('user_id')} = %s AND t.{quote('status')} = %s"
    )
    return sql, [*params, user, Ticket.Status.OPEN.value]


def dm_snapshot(*, user_id: int, dm_message_id: int, guild_id: int | None) -> DmSnapshot:
    """Everything ``user_message_relay`` needs to know about a DM, in one query."""
    sql, params = _SNAPSHOT.sql(user=user_id, dm=dm_message_id, guild=guild_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    facts = dict(zip(_NAMES, row, strict=False))
    fields = Ticket._meta.concrete_fields
    ticket_values = row[len(_NAMES) :]
    ticket = _ticket_from_row(fields, ticket_values) if ticket_values[0] is not None else None
    stamp = facts["config_stamp"]
    if stamp is not None:
        stamp = _convert(BotConfig._meta.get_field("updated_at"), stamp)
    return DmSnapshot(
        stored_pk=facts["stored_pk"],
        stored_copied=bool(facts["stored_copied"]),
        held=bool(facts["held"]),
        refused=bool(facts["refused"]),
        blocked=bool(facts["blocked"]),
        member=bool(facts["member"]),
        maintenance=bool(facts["maintenance"]),
        prompt_enabled=bool(facts["prompt_enabled"]),
        config_stamp=stamp,
        ticket=ticket,
        earlier_uncopied=bool(facts["earlier_uncopied"]),
    )


_converters: dict[tuple[str, str, Any], list] = {}


def _convert(field, value):
    """A column's value as the ORM would hand it over (the backend's converters, then the field's)."""
    key = (connection.alias, connection.vendor, field)
    if key not in _converters:
        expression = field.get_col(field.model._meta.db_table)
        found = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        _converters[key] = [(converter, expression) for converter in found]
    for converter, expression in _converters[key]:
        value = converter(value, expression, connection)
    return value


def _ticket_from_row(fields, values) -> Ticket:
    converted = [_convert(field, value) for field, value in zip(fields, values, strict=True)]
    return Ticket.from_db(connection.alias, [f.attname for f in fields], converted)


class PreparedSQL:
    """SQL the ORM builds once per database, run many times with other values.

    ``build(**values)`` returns ``(sql, params)`` (from querysets, so the ORM writes the SQL); it is
    called once with placeholder values, one per slot of ``slots`` (slot name: the model field that
    prepares its values for the database), whose prepared forms mark where each value goes in the
    parameters. ``sql(**values)`` then returns the SQL and the parameters for these values: no
    queryset is built or compiled again (on the hot path that CPU outweighs running the query)."""

    def __init__(self, build, **slots) -> None:
        self.build = build
        self.slots = slots
        self._compiled: dict[tuple[str, str], tuple[str, list]] = {}

    def sql(self, **values: Any) -> tuple[str, list]:
        key = (connection.alias, connection.vendor)
        if key not in self._compiled:
            self._compiled[key] = self._compile()
        sql, layout = self._compiled[key]
        ready = {name: self._prepare(name, value) for name, value in values.items()}
        return sql, [ready[slot] if slot else param for slot, param in layout]

    def _prepare(self, name: str, value: Any) -> Any:
        return self.slots[name].get_db_prep_save(value, connection) if value is not None else None

    def _compile(self) -> tuple[str, list]:
        placeholders = {name: _placeholder(field, i) for i, (name, field) in enumerate(self.slots.items())}
        # (a str placeholder is unique too; the ORM's own values never look like it)
        sql, params = self.build(**placeholders)
        marks = {self._prepare(name, value): name for name, value in placeholders.items()}
        layout = []
        for param in params:
            try:
                slot = marks.get(param)
            except TypeError:  # unhashable: a constant
                slot = None
            layout.append((slot, param))
        missing = set(self.slots) - {slot for slot, _param in layout}
        if missing:
            raise ValueError(f"Placeholders not found in the compiled SQL: {sorted(missing)}")
        return sql, layout


def _placeholder(field, index: int) -> Any:
    """A value of ``field``'s type that no real row or constant has."""
    if field.is_relation:
        field = field.target_field
    if isinstance(field, models.UUIDField):
        return uuid.UUID(int=0xF00D_0000 + index)
    if isinstance(field, models.DateTimeField):
        return datetime(1901, 1, 1, 0, 0, index, tzinfo=UTC)
    if isinstance(field, models.CharField | models.TextField):
        return f"~placeholder {index}~"
    return -7_000_000_000_000_000_000 - index


def _compiled(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _build_user_wrote(ticket, stamp, dm_channel) -> tuple[str, list]:
    query = Ticket.objects.filter(pk=ticket, status=Ticket.Status.OPEN).query.chain(UpdateQuery)
    query.add_update_values(
        {
            "last_message_by": Ticket.LastMessageBy.USER,
            "last_message_at": stamp,
            "last_user_message_at": stamp,
            "dm_channel_id": Coalesce(
                Value(dm_channel, output_field=models.BigIntegerField()), F("dm_channel_id")
            ),
        }
    )
    sql, params = query.get_compiler(connection=connection).as_sql()
    closure_sql, closure_params = _compiled(
        ScheduledClosure.objects.filter(ticket=ticket, state=ScheduledClosure.State.PENDING).values("pk")[:1]
    )
    alert_sql, alert_params = _compiled(
        StaffAlert.objects.filter(ticket=ticket, fired_at__isnull=True).values("pk")[:1]
    )
    sql = f"{sql} RETURNING EXISTS({closure_sql}), EXISTS({alert_sql})"
    return sql, [*params, *closure_params, *alert_params]


_USER_WROTE = PreparedSQL(
    _build_user_wrote,
    ticket=Ticket._meta.pk,
    stamp=Ticket._meta.get_field("last_message_at"),
    dm_channel=Ticket._meta.get_field("dm_channel_id"),
)


def ticket_user_wrote(*, ticket: Ticket, at: datetime, dm_channel_id: int | None) -> tuple[bool, bool] | None:
    """Mark the ticket "the user wrote last" (and their DM channel) if it is still open, in one
    statement that also tells whether it has a scheduled close pending and staff waiting for the
    user's answer (``(closure, alerts)``), as seen right after the update. None when the ticket is
    not open any more."""
    sql, params = _USER_WROTE.sql(ticket=ticket.pk, stamp=at, dm_channel=dm_channel_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    ticket.last_message_by = Ticket.LastMessageBy.USER
    ticket.last_message_at = ticket.last_user_message_at = at
    if dm_channel_id:
        ticket.dm_channel_id = dm_channel_id
    return bool(rows[0][0]), bool(rows[0][1])


def _build_copied(message, copy) -> tuple[str, list]:
    query = TicketMessage.objects.filter(pk=message).query.chain(UpdateQuery)
    query.add_update_values({"inbox_message_id": copy})
    return query.get_compiler(connection=connection).as_sql()


_COPIED = PreparedSQL(
    _build_copied,
    message=TicketMessage._meta.pk,
    copy=TicketMessage._meta.get_field("inbox_message_id"),
)


def message_copied(message: TicketMessage, inbox_message_id: int | None) -> None:
    """Record the ID of a user message's copy in the ticket channel (what makes it relayed)."""
    sql, params = _COPIED.sql(message=message.pk, copy=inbox_message_id)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    message.inbox_message_id = inbox_message_id


_SNAPSHOT = PreparedSQL(
    _build_snapshot,
    user=Ticket._meta.get_field("user_id"),
    dm=TicketMessage._meta.get_field("dm_message_id"),
    guild=GuildMember._meta.get_field("guild_id"),
)


def _build_user_message(*, recovered: bool):
    def build(ticket, author, name, dm, channel, content, created) -> tuple[str, list]:
        opts = TicketMessage._meta
        fields = [f for f in opts.local_concrete_fields if not f.generated and f is not opts.pk]
        varying = {
            "ticket",
            "author_id",
            "author_name",
            "dm_message_id",
            "dm_channel_id",
            "content",
            "created_at",
        }
        frozen = [f.name for f in fields if f.has_default() and callable(f.default) and f.name not in varying]
        if frozen:  # a value computed per row would be computed once here
            raise ValueError(f"TicketMessage fields with a callable default: {frozen}")
        message = TicketMessage(
            ticket_id=ticket,
            kind=TicketMessage.Kind.USER,
            author_id=author,
            author_name=name,
            dm_message_id=dm,
            dm_channel_id=channel,
            content=content,
            created_at=created,
            recovered=recovered,
        )
        query = InsertQuery(TicketMessage)
        query.insert_values(fields, [message])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = [opts.pk]
        [(sql, params)] = compiler.as_sql()
        return sql, list(params)

    return PreparedSQL(
        build,
        ticket=TicketMessage._meta.get_field("ticket"),
        author=TicketMessage._meta.get_field("author_id"),
        name=TicketMessage._meta.get_field("author_name"),
        dm=TicketMessage._meta.get_field("dm_message_id"),
        channel=TicketMessage._meta.get_field("dm_channel_id"),
        content=TicketMessage._meta.get_field("content"),
        created=TicketMessage._meta.get_field("created_at"),
    )


_USER_MESSAGE = {recovered: _build_user_message(recovered=recovered) for recovered in (False, True)}


def insert_user_message(
    *,
    ticket: Ticket,
    author_id: int,
    author_name: str,
    dm_message_id: int,
    dm_channel_id: int | None,
    content: str,
    created_at: datetime,
    recovered: bool,
) -> TicketMessage:
    """Store a user's DM in ``ticket`` (``TicketMessage.objects.create`` without compiling the
    INSERT each time). A DM stored before raises ``IntegrityError`` (its ID is unique)."""
    author_name = author_name[:100]
    sql, params = _USER_MESSAGE[bool(recovered)].sql(
        ticket=ticket.pk,
        author=author_id,
        name=author_name,
        dm=dm_message_id,
        channel=dm_channel_id,
        content=content,
        created=created_at,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0]
    message = TicketMessage(
        pk=pk,
        ticket=ticket,
        kind=TicketMessage.Kind.USER,
        author_id=author_id,
        author_name=author_name,
        dm_message_id=dm_message_id,
        dm_channel_id=dm_channel_id,
        content=content,
        created_at=created_at,
        recovered=bool(recovered),
    )
    message._state.adding = False
    message._state.db = connection.alias
    return message
