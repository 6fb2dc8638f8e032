# Categories administration: when a category last changed (the API's ``updated_at``, as Rustmail).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0018_statistics_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticketcategory",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, help_text="When it last changed."),
        ),
    ]
