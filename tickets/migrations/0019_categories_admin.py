# Categories administration.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0018_statistics_indexes'),
    ]

    operations = [
    ]
