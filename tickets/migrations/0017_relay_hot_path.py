# The relay's hot path: the index behind its "an earlier DM still misses its copy" check.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0016_full_text_search'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='ticketmessage',
            index=models.Index(
                condition=models.Q(('dm_message_id__isnull', False), ('inbox_message_id__isnull', True)),
                fields=['ticket', 'dm_message_id'],
                name='message_copy_missing',
            ),
        ),
    ]
