# Attachments stored for good (files, hashes, thumbnails).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0014_features_help_text'),
    ]

    operations = [
        migrations.AddField(
            model_name='attachment',
            name='sha256',
            field=models.CharField(blank=True, db_index=True, default='', help_text='SHA-256 of the stored file (identical files are stored once).', max_length=64),
        ),
        migrations.AddField(
            model_name='attachment',
            name='state',
            field=models.CharField(choices=[('pending', 'Not fetched yet'), ('stored', 'Stored'), ('too_large', 'Too large to store'), ('failed', 'Could not be downloaded'), ('deleted', 'Deleted by the retention setting')], default='pending', help_text="Whether the file itself is kept (Discord's URL expires after about a day).", max_length=16),
        ),
        migrations.AddField(
            model_name='attachment',
            name='stored_name',
            field=models.CharField(blank=True, default='', help_text="The file's name in the attachment storage.", max_length=255),
        ),
        migrations.AddField(
            model_name='attachment',
            name='thumbnail_name',
            field=models.CharField(blank=True, default='', help_text="An image's thumbnail in the attachment storage.", max_length=255),
        ),
    ]
