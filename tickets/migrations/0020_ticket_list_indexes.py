# Indexes for the ticket list's sorts and deep pages: for each sort of GET /api/bot/tickets, the
# status, the sort key, the ID (a tie-break) and the category (to leave out hidden ones), so the
# IDs of a page come off the index alone however deep it is. They replace the former (status, key)
# indexes, which they cover.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0019_categories_admin'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_status_created',
        ),
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_status_username',
        ),
        migrations.RemoveIndex(
            model_name='ticket',
            name='ticket_status_closed',
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['status', 'created_at', 'id', 'category_id'], name='ticket_list_created'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['status', 'closed_at', 'id', 'category_id'], name='ticket_list_closed'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['status', 'user_name', 'id', 'category_id'], name='ticket_list_username'),
        ),
    ]
