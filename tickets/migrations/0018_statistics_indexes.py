# Indexes for the statistics and the ticket list.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0017_relay_hot_path'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['category_id', 'id'], name='ticket_category'),
        ),
        migrations.AddIndex(
            model_name='ticketmessage',
            index=models.Index(
                fields=['kind', 'created_at'],
                include=('ticket', 'author_id', 'author_name'),
                name='message_kind_created',
            ),
        ),
    ]
