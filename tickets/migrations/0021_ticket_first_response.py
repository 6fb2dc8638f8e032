# Each ticket's first staff response, stored for the statistics.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0020_ticket_list_indexes'),
    ]

    operations = [
    ]
