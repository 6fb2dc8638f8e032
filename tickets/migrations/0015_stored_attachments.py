# Attachments stored for good (files, hashes, thumbnails).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0014_features_help_text'),
    ]

    operations = [
    ]
