# Full-text search over messages and tickets.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0015_stored_attachments'),
    ]

    operations = [
    ]
