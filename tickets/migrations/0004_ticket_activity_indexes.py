import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0003_scheduling"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                models.F("status"),
                models.OrderBy(
                    django.db.models.functions.comparison.Coalesce("last_message_at", "created_at"),
                    descending=True,
                ),
                models.OrderBy(models.F("id"), descending=True),
                name="ticket_status_activity",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                models.OrderBy(
                    django.db.models.functions.comparison.Coalesce("last_message_at", "created_at"),
                    descending=True,
                ),
                models.OrderBy(models.F("id"), descending=True),
                name="ticket_activity",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                models.F("taken_by"),
                models.OrderBy(
                    django.db.models.functions.comparison.Coalesce("last_message_at", "created_at"),
                    descending=True,
                ),
                models.OrderBy(models.F("id"), descending=True),
                name="ticket_taken_activity",
            ),
        ),
    ]
