# Each ticket's first staff response, stored for the statistics: the time and the staff member of
# the first staff reply (internal notes are not replies), for the tickets users opened. Existing
# tickets are filled from their messages.

import django.core.validators
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Q, Subquery


def mark_first_replies(apps, schema_editor):
    TicketMessage = apps.get_model("tickets", "TicketMessage")
    replies = TicketMessage.objects.using(schema_editor.connection.alias).filter(kind="staff")
    earlier = replies.filter(ticket_id=OuterRef("ticket_id"), author_id=OuterRef("author_id")).filter(
        Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
    )
    replies.filter(~Exists(earlier)).update(first_of_author=True)


def backfill(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketMessage = apps.get_model("tickets", "TicketMessage")
    first = TicketMessage.objects.using(schema_editor.connection.alias).filter(
        ticket_id=OuterRef("pk"), kind="staff"
    ).order_by("created_at", "id")
    Ticket.objects.using(schema_editor.connection.alias).exclude(origin="staff").update(
        first_response_at=Subquery(first.values("created_at")[:1]),
        first_response_by=Subquery(first.values("author_id")[:1]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0020_ticket_list_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='first_response_at',
            field=models.DateTimeField(blank=True, help_text='When staff first replied to the user (empty for tickets opened by staff).', null=True),
        ),
        migrations.AddField(
            model_name='ticket',
            name='first_response_by',
            field=models.BigIntegerField(blank=True, help_text='Discord ID of the staff member who replied first.', null=True, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(9223372036854775807)]),
        ),
        migrations.AddField(
            model_name='ticketmessage',
            name='first_of_author',
            field=models.BooleanField(default=False, help_text='The first staff reply of its author in its ticket (for the statistics).'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(mark_first_replies, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['created_at'], include=('first_response_at', 'origin', 'category_id'), name='ticket_created_response'),
        ),
        migrations.AddIndex(
            model_name='ticketmessage',
            index=models.Index(condition=models.Q(('first_of_author', True), ('kind', 'staff')), fields=['created_at'], include=('ticket', 'author_id'), name='message_first_replies'),
        ),
    ]
