# API key usage per day.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('apikeys', '0001_initial'),
    ]

    operations = [
    ]
